"""A crowd of first logins fetches Kakao's JWKS once, on threads (Flask) and on asyncio (Starlette).

The emulator holds the JWKS request (a ``hang`` fault) until every login has asked for it, then
lets it go; the request log counts what reached Kakao.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask

from authlib_kakao import register_kakao
from authlib_kakao.testing import KakaoEmulator

JWKS = "/.well-known/jwks.json"
CROWD = 30
SETTLE = 0.3  # time for every login to reach the shared wait; nothing is asserted about time


def register(oauth: Any, emulator: KakaoEmulator) -> Any:
    app = emulator.app
    return register_kakao(
        oauth, openid=True, kauth_url=emulator.url, kapi_url=emulator.url,
        client_id=app.client_id, client_secret=app.client_secret,
    )  # fmt: skip


def tokens(emulator: KakaoEmulator) -> list[dict[str, Any]]:
    emulator.config.access_token_rate_limit = None  # one user logging in CROWD times at once
    return [emulator.issue_tokens(openid=True) for _ in range(CROWD)]


def test_concurrent_first_logins_on_threads_fetch_the_jwks_once(
    kakao_emulator: KakaoEmulator,
) -> None:
    kakao = register(FlaskOAuth(Flask(__name__)), kakao_emulator)
    id_tokens = tokens(kakao_emulator)
    kakao_emulator.inject_fault(JWKS, hang=True)

    with ThreadPoolExecutor(CROWD) as pool:
        logins = [pool.submit(kakao.parse_id_token, t, None) for t in id_tokens]
        time.sleep(SETTLE)
        kakao_emulator.clear_faults()
        claims = [login.result() for login in logins]

    assert {c["sub"] for c in claims} == {str(kakao_emulator.user.id)}
    assert kakao_emulator.count(JWKS) == 1


def test_concurrent_first_logins_on_asyncio_fetch_the_jwks_once(
    kakao_emulator: KakaoEmulator,
) -> None:
    kakao = register(StarletteOAuth(), kakao_emulator)
    id_tokens = tokens(kakao_emulator)
    kakao_emulator.inject_fault(JWKS, hang=True)

    async def crowd() -> list[Any]:
        logins = [asyncio.create_task(kakao.parse_id_token(t, None)) for t in id_tokens]
        await asyncio.sleep(SETTLE)
        kakao_emulator.clear_faults()
        return await asyncio.gather(*logins)

    claims = asyncio.run(crowd())

    assert {c["sub"] for c in claims} == {str(kakao_emulator.user.id)}
    assert kakao_emulator.count(JWKS) == 1


def test_later_logins_use_the_parsed_cache(kakao_emulator: KakaoEmulator) -> None:
    kakao = register(FlaskOAuth(Flask(__name__)), kakao_emulator)

    for token in tokens(kakao_emulator)[:5]:
        kakao.parse_id_token(token, None)

    assert kakao_emulator.count(JWKS) == 1
