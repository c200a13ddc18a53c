"""The id_token path: verification cost stays flat however many logins came before, and a crowd of
first logins fetches Kakao's JWKS once.

Against the emulator served over real HTTP:
1. ``parse_id_token`` time per login, measured after 0, 1,000 and 5,000 earlier logins (the JWKS is
   parsed once per fetch, so the cost must not grow), on Flask (requests);
2. 200 concurrent first logins on a fresh app: JWKS requests made, with threads (Flask) and asyncio
   tasks (Starlette). Goal: 1 each.

    python benchmarks/bench_jwks.py [--logins 5000] [--crowd 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask

from authlib_kakao import register_kakao
from authlib_kakao.testing import EmulatorConfig, KakaoEmulator

JWKS_PATH = "/.well-known/jwks.json"


def register(oauth: Any, emulator: KakaoEmulator) -> Any:
    app = emulator.app
    return register_kakao(
        oauth, openid=True, kauth_url=emulator.url, kapi_url=emulator.url,
        client_id=app.client_id, client_secret=app.client_secret,
    )  # fmt: skip


def id_tokens(emulator: KakaoEmulator, count: int) -> list[dict[str, Any]]:
    emulator.config.access_token_rate_limit = None  # many tokens for one user, on purpose
    return [emulator.issue_tokens(openid=True) for _ in range(count)]


def per_login_cost(emulator: KakaoEmulator, logins: int) -> list[tuple[int, float]]:
    kakao = register(FlaskOAuth(Flask(__name__)), emulator)
    tokens = id_tokens(emulator, 200)
    rows, done = [], 0
    for checkpoint in (0, logins // 5, logins):
        while done < checkpoint:
            kakao.parse_id_token(tokens[done % len(tokens)], nonce=None)
            done += 1
        samples = []
        for token in tokens[:100]:
            start = time.perf_counter()
            kakao.parse_id_token(token, nonce=None)
            samples.append(time.perf_counter() - start)
        done += 100
        rows.append((checkpoint, statistics.median(samples) * 1000))
    return rows


def crowd_with_threads(emulator: KakaoEmulator, crowd: int) -> int:
    kakao = register(FlaskOAuth(Flask(__name__)), emulator)
    tokens = id_tokens(emulator, crowd)
    emulator.clear_log()
    with ThreadPoolExecutor(crowd) as pool:
        list(pool.map(lambda t: kakao.parse_id_token(t, nonce=None), tokens))
    return emulator.count(JWKS_PATH)


def crowd_with_tasks(emulator: KakaoEmulator, crowd: int) -> int:
    kakao = register(StarletteOAuth(), emulator)
    tokens = id_tokens(emulator, crowd)
    emulator.clear_log()

    async def run() -> None:
        await asyncio.gather(*(kakao.parse_id_token(t, nonce=None) for t in tokens))

    asyncio.run(run())
    return emulator.count(JWKS_PATH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=5000)
    parser.add_argument("--crowd", type=int, default=200)
    args = parser.parse_args()
    # Headless logins to an OIDC app; the JWKS throttle off, since this counts JWKS requests.
    config = EmulatorConfig(app_preset="biz", user_preset="agreed_all", jwks_rate_limit=None)
    emulator = KakaoEmulator(config=config, auto_approve=True)
    with emulator.serve():
        print("parse_id_token, median of 100 (Flask, cached JWKS)")
        print(f"{'earlier logins':>15}{'ms per login':>15}")
        for earlier, ms in per_login_cost(emulator, args.logins):
            print(f"{earlier:>15}{ms:>15.3f}")
        print(f"\n{args.crowd} concurrent first logins: JWKS requests (goal 1)")
        print(f"{'threads (Flask)':<22}{crowd_with_threads(emulator, args.crowd):>4}")
        print(f"{'asyncio (Starlette)':<22}{crowd_with_tasks(emulator, args.crowd):>4}")


if __name__ == "__main__":
    main()
