"""Several instances behind a load balancer: a login started on instance A finishes on instance B,
a refresh storm spread over both makes one grant, and a logout on one is a logout on both.

Two real app processes per case (``instance_app.py``), one emulator, one Redis. What each framework
must share between instances is the login's state between /login and /auth: a signed-cookie
session with one secret (every framework), Authlib's ``cache=`` in Redis (Flask), or a
Redis-backed session (Django). Tokens live in Redis, read by ``fetch_token``.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from redis_server import REDIS_SERVER, redis_server

from authlib_kakao.testing import KakaoEmulator

pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None, reason="needs Debian's redis-server (apt-get install redis-server)"
)

APP = Path(__file__).with_name("instance_app.py")
CASES = [("flask", "cookie"), ("flask", "redis"), ("django", "cookie"), ("django", "redis"),
         ("starlette", "cookie")]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"instance on port {port} did not start")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture(params=CASES, ids=["-".join(case) for case in CASES])
def instances(
    request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator, redis_url: str
) -> Iterator[tuple[str, str]]:
    framework, state = request.param
    app = kakao_emulator.app
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                str(APP),
                framework,
                state,
                str(port),
                str(kakao_emulator.url),
                app.client_id,
                str(app.client_secret),
                redis_url,
            ],
            cwd=APP.parent,
        )
        for port in ports
    ]
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_listening(port, process)
        a, b = (f"http://127.0.0.1:{port}" for port in ports)
        app.redirect_uris.append(f"{b}/auth")  # the load balancer sends the callback to B
        yield a, b
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def login_on_a_finish_on_b(browser: requests.Session, a: str, b: str) -> requests.Response:
    start = browser.get(f"{a}/login", params={"redirect_uri": f"{b}/auth"},
                        allow_redirects=False, timeout=10)  # fmt: skip
    assert start.status_code == 302, start.text
    kakao = browser.get(start.headers["location"], allow_redirects=False, timeout=10)
    assert kakao.status_code == 302, kakao.text
    callback = kakao.headers["location"]
    assert callback.startswith(f"{b}/auth?")
    return browser.get(callback, timeout=10)


def test_a_login_crosses_instances_and_so_do_refresh_storms_and_logout(
    instances: tuple[str, str], kakao_emulator: KakaoEmulator, redis_url: str
) -> None:
    import redis

    a, b = instances
    browser = requests.Session()

    finished = login_on_a_finish_on_b(browser, a, b)

    assert finished.status_code == 200, finished.text
    user = finished.json()["user"]
    assert user == str(kakao_emulator.user.id)
    assert browser.get(f"{a}/me", timeout=10).json()["sub"] == user

    # The stored token expires; ten requests hit each instance at once.
    kakao_emulator.config.refresh_rotation_window = 10**9  # every refresh rotates
    store = redis.Redis.from_url(redis_url)
    token = json.loads(store.get(f"token:{user}"))
    store.set(f"token:{user}", json.dumps({**token, "expires_at": int(time.time()) - 10}))
    kakao_emulator.clear_log()
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda url: browser.get(f"{url}/api", timeout=20).json(),
                                [a, b] * 10))  # fmt: skip
    assert answers == [{"status": 200}] * 20
    assert kakao_emulator.count("/oauth/token") == 1

    assert browser.get(f"{b}/logout", allow_redirects=False, timeout=10).status_code in (302, 307)
    after = browser.get(f"{a}/me", timeout=10)
    assert after.status_code == 400
    assert after.json()["error"] == "MissingTokenError"
