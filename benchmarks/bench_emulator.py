"""How fast the emulator serves, so later benchmarks know it is not their bottleneck.

Measures requests per second over real HTTP (one keep-alive ``requests.Session``, the way a test
suite talks to it) for ``GET /v2/user/me`` and for a full login (authorize redirect + code
exchange), plus the in-process ASGI path for comparison.

    python benchmarks/bench_emulator.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import requests

from authlib_kakao.testing import KakaoEmulator

REDIRECT_URI = "http://localhost/auth"


def rate(label: str, seconds: float, call: Callable[[], None]) -> tuple[str, float]:
    call()  # warm up
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        call()
        done += 1
    return label, done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    emu = KakaoEmulator(auto_approve=True)  # headless logins: a code at once
    # Benchmarks log in thousands of times; Kakao's per-user issue limits would stop them.
    emu.config.access_token_rate_limit = None
    app = emu.app
    results = []
    with emu.serve() as base, requests.Session() as http:
        token = emu.issue_tokens()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}

        def user_me() -> None:
            http.get(f"{base}/v2/user/me", headers=bearer, timeout=10).raise_for_status()

        def login() -> None:
            redirect = http.get(
                f"{base}/oauth/authorize",
                params={
                    "client_id": app.client_id,
                    "redirect_uri": REDIRECT_URI,
                    "response_type": "code",
                },
                allow_redirects=False,
                timeout=10,
            )
            code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
            http.post(
                f"{base}/oauth/token",
                data={"grant_type": "authorization_code", "client_id": app.client_id,
                      "client_secret": app.client_secret, "redirect_uri": REDIRECT_URI, "code": code},
                timeout=10,
            ).raise_for_status()  # fmt: skip

        results.append(rate("GET /v2/user/me (real HTTP)", args.seconds, user_me))
        results.append(rate("login: authorize + token (real HTTP)", args.seconds, login))

    async def asgi_rate() -> tuple[str, float]:
        transport = httpx.ASGITransport(app=emu.asgi)
        async with httpx.AsyncClient(transport=transport, base_url="http://kakao.test") as client:
            token = emu.issue_tokens()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            done, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < args.seconds:
                (await client.get("/v2/user/me", headers=headers)).raise_for_status()
                done += 1
            return "GET /v2/user/me (in-process ASGI)", done / elapsed

    results.append(asyncio.run(asgi_rate()))
    width = max(len(label) for label, _ in results)
    print(f"{'what':<{width}}  per second")
    for label, per_second in results:
        print(f"{label:<{width}}  {per_second:10.0f}")


if __name__ == "__main__":
    main()
