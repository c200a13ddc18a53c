"""One refresh per storm within a process: many requests with one expired token make one grant.

Threads (Flask) and asyncio tasks (Starlette) each fire a crowd of API calls that carry the same
expired token. The emulator holds the first refresh grant (a ``hang`` fault) until the crowd has
piled up, so the calls really are concurrent; with rotation on, every refresh replaces the refresh
token, which is the case where a second grant would fail with KOE322.
"""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask

from authlib_kakao import register_kakao
from authlib_kakao.testing import KakaoEmulator

CROWD = 30
SETTLE = 0.3  # time for the crowd to reach the shared wait; nothing is asserted about time
TOKEN = "/oauth/token"


class FlaskKakao:
    """The Flask app's Kakao, each call inside an app context as in a real request (Flask's
    token_update signal needs one)."""

    def __init__(self, emulator: KakaoEmulator, updates: list[dict[str, Any]]) -> None:
        self.app = Flask(__name__)
        self.kakao = register(FlaskOAuth(self.app), emulator, updates, sync=True)

    def get(self, path: str, **kwargs: Any) -> Any:
        with self.app.app_context():
            return self.kakao.get(path, **kwargs)


def expired_token(emulator: KakaoEmulator) -> dict[str, Any]:
    token = emulator.issue_tokens()
    token["expires_at"] = int(time.time()) - 10
    return token


def register(oauth: Any, emulator: KakaoEmulator, updates: list[dict[str, Any]], sync: bool) -> Any:
    def update_token(token: dict[str, Any], refresh_token: Any = None, **_: Any) -> None:
        updates.append(dict(token))

    async def update_token_async(
        token: dict[str, Any], refresh_token: Any = None, **_: Any
    ) -> None:
        updates.append(dict(token))

    app = emulator.app
    return register_kakao(
        oauth, kauth_url=emulator.url, kapi_url=emulator.url, client_id=app.client_id,
        client_secret=app.client_secret,
        update_token=update_token if sync else update_token_async,
    )  # fmt: skip


@pytest.fixture(params=["rotating", "kept"])
def emulator(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> KakaoEmulator:
    if request.param == "rotating":  # every refresh answers a new refresh token
        kakao_emulator.config.refresh_rotation_window = 10**9
    kakao_emulator.clear_log()
    return kakao_emulator


def test_a_storm_on_threads_makes_one_refresh_grant(emulator: KakaoEmulator) -> None:
    updates: list[dict[str, Any]] = []
    kakao = FlaskKakao(emulator, updates)
    token = expired_token(emulator)
    emulator.inject_fault(TOKEN, hang=True)

    with ThreadPoolExecutor(CROWD) as pool:
        calls = [pool.submit(kakao.get, "v2/user/me", token=dict(token)) for _ in range(CROWD)]
        time.sleep(SETTLE)
        emulator.clear_faults()
        statuses = [call.result().status_code for call in calls]

    assert statuses == [200] * CROWD
    assert emulator.count(TOKEN) == 1
    assert len(updates) == 1  # update_token stored the new token once


def test_a_storm_on_asyncio_makes_one_refresh_grant(emulator: KakaoEmulator) -> None:
    updates: list[dict[str, Any]] = []
    kakao = register(StarletteOAuth(), emulator, updates, sync=False)
    token = expired_token(emulator)
    emulator.inject_fault(TOKEN, hang=True)

    async def storm() -> list[int]:
        calls = [asyncio.create_task(kakao.get("v2/user/me", token=dict(token)))
                 for _ in range(CROWD)]  # fmt: skip
        await asyncio.sleep(SETTLE)
        emulator.clear_faults()
        return [resp.status_code for resp in await asyncio.gather(*calls)]

    assert asyncio.run(storm()) == [200] * CROWD
    assert emulator.count(TOKEN) == 1
    assert len(updates) == 1


def test_latecomers_with_the_old_token_get_the_new_one_without_a_grant(
    emulator: KakaoEmulator,
) -> None:
    updates: list[dict[str, Any]] = []
    kakao = FlaskKakao(emulator, updates)
    token = expired_token(emulator)

    first = kakao.get("v2/user/me", token=dict(token))
    late = [kakao.get("v2/user/me", token=dict(token)) for _ in range(3)]

    assert [r.status_code for r in (first, *late)] == [200] * 4
    assert emulator.count(TOKEN) == 1


def test_the_next_expiry_of_the_refreshed_token_is_a_new_refresh(emulator: KakaoEmulator) -> None:
    updates: list[dict[str, Any]] = []
    kakao = FlaskKakao(emulator, updates)
    kakao.get("v2/user/me", token=expired_token(emulator))
    refreshed = {**updates[-1], "expires_at": int(time.time()) - 10}

    assert kakao.get("v2/user/me", token=refreshed).status_code == 200
    assert emulator.count(TOKEN) == 2


def test_a_failed_refresh_reaches_every_caller_of_the_storm(emulator: KakaoEmulator) -> None:
    kakao = FlaskKakao(emulator, [])
    token = expired_token(emulator)
    emulator.state.refresh_tokens.pop(token["refresh_token"])  # revoked: KOE322 for everyone
    barrier = threading.Barrier(5)

    def call() -> str:
        barrier.wait()
        try:
            kakao.get("v2/user/me", token=dict(token))
        except Exception as exc:
            return getattr(exc, "code", type(exc).__name__)
        return "ok"

    with ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(lambda _: call(), range(5)))

    assert codes == ["KOE322"] * 5
