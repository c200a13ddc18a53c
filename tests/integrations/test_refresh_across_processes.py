"""One refresh per storm across processes: app instances share a Redis refresh lock and a token
store, and a storm spread over them makes one refresh grant, with no errors.

Real processes (``storm_worker.py``), a real ``redis-server`` and the emulator over real HTTP.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis_server import REDIS_SERVER, redis_server

from authlib_kakao.refresh import RedisRefreshLock, storm_key
from authlib_kakao.testing import KakaoEmulator

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="needs Debian's redis-server (apt-get install redis-server)"
)

WORKER = Path(__file__).with_name("storm_worker.py")
STORE_KEY = "storm:token"
TOKEN = "/oauth/token"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def store(redis_url: str) -> Any:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


def expired_token(emulator: KakaoEmulator) -> dict[str, Any]:
    token = emulator.issue_tokens()
    token["expires_at"] = int(time.time()) - 10
    return token


def storm(emulator: KakaoEmulator, redis_url: str, frameworks: list[str], calls: int) -> list[str]:
    app = emulator.app
    start_at = time.time() + 1.5  # after every worker has imported and registered
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                framework,
                str(emulator.url),
                app.client_id,
                str(app.client_secret),
                redis_url,
                str(start_at),
                str(calls),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=WORKER.parent,
        )
        for framework in frameworks
    ]
    outcomes: list[str] = []
    for worker in workers:
        out, _ = worker.communicate(timeout=60)
        assert worker.returncode == 0
        outcomes.extend(json.loads(out))
    return outcomes


@pytest.mark.parametrize(
    "frameworks", [["flask", "flask"], ["starlette", "starlette"], ["flask", "starlette"]]
)
def test_a_storm_over_two_processes_makes_one_refresh_grant(
    kakao_emulator: KakaoEmulator, redis_url: str, store: Any, frameworks: list[str]
) -> None:
    kakao_emulator.config.refresh_rotation_window = 10**9  # every refresh rotates: KOE322 bait
    store.set(STORE_KEY, json.dumps(expired_token(kakao_emulator)))
    kakao_emulator.clear_log()

    outcomes = storm(kakao_emulator, redis_url, frameworks, calls=25)

    assert outcomes == ["200"] * 50
    assert kakao_emulator.count(TOKEN) == 1
    assert json.loads(store.get(STORE_KEY))["expires_at"] > time.time()


def test_a_dead_lock_holder_blocks_nobody_past_its_lease(
    kakao_emulator: KakaoEmulator, redis_url: str, store: Any
) -> None:
    from authlib.integrations.flask_client import OAuth
    from flask import Flask

    from authlib_kakao import register_kakao

    token = expired_token(kakao_emulator)
    lock = RedisRefreshLock(redis_url)
    # A process took the lock for this storm and died: its lease ends in 0.5 s.
    store.set(lock.prefix + storm_key(token), "a-dead-process", px=500)
    app = Flask(__name__)
    kakao = register_kakao(
        OAuth(app), kauth_url=kakao_emulator.url, kapi_url=kakao_emulator.url,
        client_id=kakao_emulator.app.client_id, client_secret=kakao_emulator.app.client_secret,
        refresh_lock=lock,
    )  # fmt: skip

    with app.app_context():
        resp = kakao.get("v2/user/me", token=token)

    assert resp.status_code == 200
    assert kakao_emulator.count(TOKEN) == 1
    assert store.get(lock.prefix + storm_key(token)) is None  # released after the refresh


def test_an_unreachable_redis_degrades_to_a_refresh_in_this_process(
    kakao_emulator: KakaoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    from authlib.integrations.flask_client import OAuth
    from flask import Flask

    from authlib_kakao import register_kakao

    app = Flask(__name__)
    kakao = register_kakao(
        OAuth(app), kauth_url=kakao_emulator.url, kapi_url=kakao_emulator.url,
        client_id=kakao_emulator.app.client_id, client_secret=kakao_emulator.app.client_secret,
        refresh_lock=RedisRefreshLock("redis://127.0.0.1:1/0"),
    )  # fmt: skip

    with app.app_context():
        resp = kakao.get("v2/user/me", token=expired_token(kakao_emulator))

    assert resp.status_code == 200
    assert "refresh lock unavailable" in caplog.text
