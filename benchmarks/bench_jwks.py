"""The id_token path: verification cost stays flat however many logins came before, and a crowd of
first logins fetches Kakao's JWKS once.

Against the emulator served over real HTTP:
1. ``parse_id_token`` time per login, measured after 0, 1,000 and 5,000 earlier logins (the JWKS is
   parsed once per fetch, so the cost must not grow), on Flask (requests);
2. 200 concurrent first logins on a fresh app: JWKS requests made and key sets parsed, with
   threads (Flask) and asyncio tasks (Starlette). Goal: 1 and 1 each;
3. a flood of SDK-token logins whose id_token names a made-up ``kid`` (the caller picks it), one a
   second for three minutes of the app's clock: JWKS requests. Goal: one per refetch interval
   (60 s), so 1 + 3.

    python benchmarks/bench_jwks.py [--logins 5000] [--crowd 200] [--flood 180]
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

import authlib_kakao.core.calls as calls
from authlib_kakao import UnknownSigningKeyError, register_kakao
from authlib_kakao.http.jwks import JWKSCache
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


class Parses:
    """Counts key-set parses (an RSA import per key: what a parse costs)."""

    def __init__(self) -> None:
        self.count = 0
        self._real = calls.parse_jwks_document

    def __enter__(self) -> Parses:
        def counting(document: Any, **kwargs: Any) -> Any:
            self.count += 1
            return self._real(document, **kwargs)

        calls.parse_jwks_document = counting  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        calls.parse_jwks_document = self._real  # type: ignore[assignment]


def crowd_with_threads(emulator: KakaoEmulator, crowd: int) -> tuple[int, int]:
    kakao = register(FlaskOAuth(Flask(__name__)), emulator)
    tokens = id_tokens(emulator, crowd)
    emulator.clear_log()
    with Parses() as parses, ThreadPoolExecutor(crowd) as pool:
        list(pool.map(lambda t: kakao.parse_id_token(t, nonce=None), tokens))
    return emulator.count(JWKS_PATH), parses.count


def crowd_with_tasks(emulator: KakaoEmulator, crowd: int) -> tuple[int, int]:
    kakao = register(StarletteOAuth(), emulator)
    tokens = id_tokens(emulator, crowd)
    emulator.clear_log()

    async def run() -> None:
        await asyncio.gather(*(kakao.parse_id_token(t, nonce=None) for t in tokens))

    with Parses() as parses:
        asyncio.run(run())
    return emulator.count(JWKS_PATH), parses.count


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def forged_kid_flood(emulator: KakaoEmulator, seconds: int) -> tuple[int, int]:
    """SDK-token logins, one a second, each id_token naming a made-up kid: (refused, JWKS requests)."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    clock = Clock()
    kakao = register_kakao(
        FlaskOAuth(Flask(__name__)), openid=True, kauth_url=emulator.url, kapi_url=emulator.url,
        client_id=emulator.app.client_id, app_id=emulator.app.app_id,
    )  # fmt: skip
    kakao.connection.jwks = JWKSCache(clock=clock)
    forger = RSAKey.generate_key(2048)
    access_token = emulator.issue_tokens()["access_token"]
    kakao.parse_id_token(emulator.issue_tokens(openid=True), nonce=None)  # the set is cached
    emulator.clear_log()
    refused = 0
    for second in range(seconds):
        clock.now += 1
        claims = {"iss": "https://kauth.kakao.com", "aud": emulator.app.client_id, "sub": "1"}
        forged = jwt.encode({"alg": "RS256", "kid": f"made-up-{second}"}, claims, forger)
        try:
            kakao.login_with_sdk_token(access_token, id_token=forged)
        except UnknownSigningKeyError:
            refused += 1
    return refused, emulator.count(JWKS_PATH)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=5000)
    parser.add_argument("--crowd", type=int, default=200)
    parser.add_argument("--flood", type=int, default=180)
    args = parser.parse_args()
    started = time.monotonic()
    # Headless logins to an OIDC app; the JWKS throttle off, since this counts JWKS requests.
    config = EmulatorConfig(app_preset="biz", user_preset="agreed_all", jwks_rate_limit=None)
    emulator = KakaoEmulator(config=config, auto_approve=True)
    with emulator.serve():
        print("parse_id_token, median of 100 (Flask, cached JWKS)")
        print(f"{'earlier logins':>15}{'ms per login':>15}")
        for earlier, ms in per_login_cost(emulator, args.logins):
            print(f"{earlier:>15}{ms:>15.3f}")
        print(f"\n{args.crowd} concurrent first logins (goal: 1 request, 1 parse)")
        print(f"{'':<22}{'requests':>9}{'parses':>8}")
        for label, crowd in (("threads (Flask)", crowd_with_threads),
                             ("asyncio (Starlette)", crowd_with_tasks)):  # fmt: skip
            fetched, parsed = crowd(emulator, args.crowd)
            print(f"{label:<22}{fetched:>9}{parsed:>8}")
        refused, fetched = forged_kid_flood(emulator, args.flood)
        goal = args.flood // 60
        print(f"\n{args.flood} SDK-token logins naming made-up kids, one a second (goal: {goal})")
        print(f"{'refused':<22}{refused:>9}\n{'JWKS requests':<22}{fetched:>9}")
    print(f"\nWall time {time.monotonic() - started:.0f} s.")


if __name__ == "__main__":
    main()
