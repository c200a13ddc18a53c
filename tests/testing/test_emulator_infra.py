"""The emulator as infrastructure: faults, request log, clock, control plane, ASGI, robustness."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import httpx
import pytest
import requests
from kauth_client import Kauth
from wire import ASGI_BASE_URL, BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator

JWKS = "/.well-known/jwks.json"


@BOTH_WIRES
def test_request_log_counts_round_trips(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.clear_log()

    kauth.login()

    assert emu.count("/oauth/authorize") == 1
    assert emu.count("/oauth/token", "POST") == 1
    assert [r.status for r in emu.requests("/oauth/token")] == [200]


@BOTH_WIRES
@pytest.mark.parametrize(
    ("body", "content_type", "starts"),
    [(None, "application/json;charset=UTF-8", b'{"error":"server_error"'),
     ("html", "text/html;charset=UTF-8", b"<!DOCTYPE html>"),
     ("malformed", "application/json;charset=UTF-8", b'{"access_token": "'),
     ("empty", "application/json;charset=UTF-8", b"")],
)  # fmt: skip
def test_fault_bodies(
    emu: KakaoEmulator, kauth: Kauth, body: str | None, content_type: str, starts: bytes
) -> None:
    emu.inject_fault("/oauth/token", status=502, body=body)

    response = kauth.exchange(kauth.code())

    assert response.status_code == 502
    assert response.headers["content-type"] == content_type
    assert response.content.startswith(starts)


def test_fault_is_used_up_after_times(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.inject_fault("/oauth/token", status=503, times=2)

    statuses = [kauth.exchange(kauth.code()).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]


def test_kapi_fault_has_kapi_shape(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.inject_fault("/v2/user/me", status=500)

    response = kauth.client.get("/v2/user/me")

    assert response.json() == {"msg": "internal error", "code": -1}


def test_dropped_connection(emu: KakaoEmulator) -> None:
    emu.inject_fault("/v2/user/me", drop=True)

    # The status line arrives, the promised body never does: the connection is cut mid-answer.
    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="IncompleteRead"):
        requests.get(f"{emu.url}/v2/user/me", timeout=5)


def test_hang_trips_a_client_timeout(emu: KakaoEmulator) -> None:
    # The request hangs until the next reset (the next test's fixture) releases it: the test
    # waits only for its own tiny client timeout, not for a server-side delay.
    emu.inject_fault("/v2/user/me", hang=True)

    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{emu.url}/v2/user/me", timeout=0.05)


@pytest.mark.parametrize(("release", "status"), [("clear_faults", 200), ("reset", 503)])
async def test_a_hanging_request_answers_once_released(
    emu: KakaoEmulator, release: str, status: int
) -> None:
    emu.inject_fault(JWKS, hang=True)
    transport = httpx.ASGITransport(app=emu.asgi)
    async with httpx.AsyncClient(transport=transport, base_url=ASGI_BASE_URL) as client:
        pending = asyncio.ensure_future(client.get(JWKS))
        while JWKS in emu.state.faults:  # until the request has taken the fault
            await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert not pending.done()

        getattr(emu, release)()  # a reset answers 503: the request belongs to the old state
        response = await pending

    assert response.status_code == status


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [("POST", "/oauth/token", b"\xff\xfe garbage", 401, "KOE101"),
     ("POST", "/oauth/token", b"grant_type=authorization_code", 401, "KOE101"),
     ("GET", "/oauth/authorize", b"", 401, None),  # an HTML error page (KOE101)
     ("POST", "/oauth/tokeninfo", b"", 400, "KOE400"),
     ("GET", "/v2/user/me", b"", 401, -401),
     ("POST", "/v1/user/unlink", b"x=1", 401, -401),
     ("GET", "/v2/app/users?target_ids=notjson", b"", 401, -401),
     ("GET", "/no/such/path", b"", 404, -9)],
)  # fmt: skip
def test_malformed_requests_get_kakao_shaped_errors_not_500(
    kauth: Kauth, method: str, path: str, body: bytes, status: int, code: str | int | None
) -> None:
    response = kauth.client.request(
        method, path, content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == status
    if code is None:
        assert response.headers["content-type"].startswith("text/html")
        assert "KOE101" in response.text
    else:
        error = response.json()
        assert error.get("error_code", error.get("code")) == code


async def test_in_process_asgi_serves_the_same_app() -> None:
    emu = KakaoEmulator()  # never served
    transport = httpx.ASGITransport(app=emu.asgi)
    token = emu.issue_tokens()["access_token"]

    async with httpx.AsyncClient(transport=transport, base_url=ASGI_BASE_URL) as client:
        me = await client.get("/v2/user/me", headers={"Authorization": f"Bearer {token}"})

    assert me.json()["id"] == emu.user.id
    assert emu.count("/v2/user/me") == 1


@BOTH_WIRES
def test_control_plane_drives_the_same_state(emu: KakaoEmulator, kauth: Kauth) -> None:
    client = kauth.client
    state = client.get("/_emulator/state").json()
    assert state["app"]["client_id"] == emu.app.client_id

    user_id = client.post("/_emulator/users", json={"nickname": "외부", "consents": []}).json()[
        "id"
    ]
    assert emu.state.users[user_id].nickname == "외부"

    client.post("/_emulator/approve", json={"deny": True})
    assert kauth.redirect_params(kauth.authorize())["error"] == "access_denied"
    client.post("/_emulator/approve", json={"user_id": user_id})
    assert "code" in kauth.redirect_params(kauth.authorize())

    before = emu.clock.now()
    now = client.post("/_emulator/clock/advance", json={"seconds": 3600}).json()["now"]
    assert now == emu.clock.now() == before + 3600

    client.post("/_emulator/faults", json={"path": "/oauth/token", "status": 503})
    assert kauth.exchange(kauth.code()).status_code == 503

    log = client.get("/_emulator/log", params={"path": "/oauth/token"}).json()
    assert log[-1]["status"] == 503
    assert not any(r["path"].startswith("/_emulator") for r in client.get("/_emulator/log").json())

    kid = client.post("/_emulator/keys/rotate").json()["kid"]
    assert kid in json.dumps(client.get("/.well-known/jwks.json").json())

    client.post("/_emulator/reset")
    assert user_id not in emu.state.users
    assert emu.requests() == []


def test_control_plane_rejects_bad_input(kauth: Kauth) -> None:
    assert kauth.client.post("/_emulator/faults", json={"path": 1}).status_code == 400
    assert kauth.client.post("/_emulator/clock/advance", json={"seconds": "x"}).status_code == 400
    assert kauth.client.post("/_emulator/users", json={"consents": "all"}).status_code == 400


@pytest.mark.parametrize("wire", ["http"], indirect=True)
def test_callback_page_shows_the_code_and_the_curl(emu: KakaoEmulator, kauth: Kauth) -> None:
    base = kauth.base_url
    redirect_uri = f"{base}/_emulator/callback"
    assert redirect_uri in emu.app.redirect_uris
    response = kauth.authorize(redirect_uri=redirect_uri)
    code = kauth.redirect_params(response)["code"]

    page = kauth.client.get(response.headers["location"]).text

    assert code in page
    assert f"-d redirect_uri={redirect_uri}" in page


def test_a_hundred_thousand_users_fit(emu: KakaoEmulator, kauth: Kauth) -> None:
    for _ in range(100_000):
        emu.add_user(linked=False)
    last = emu.add_user()

    token = emu.issue_tokens(user=last)["access_token"]
    me = kauth.client.get("/v2/user/me", headers={"Authorization": f"Bearer {token}"})

    assert me.json()["id"] == last.id
    assert len(emu.state.users) == 100_002


def test_standalone_command_serves_and_prints_how_to_log_in() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "authlib_kakao.testing", "--port", "0", "--auto-approve"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        base = first.split()[3]
        lines = [proc.stdout.readline() for _ in range(9)]
        authorize_url = next(line.strip() for line in lines if "/oauth/authorize?" in line)
        response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()

    assert base.startswith("http://127.0.0.1:")
    assert response.headers["location"].startswith(f"{base}/_emulator/callback?code=")


def test_memory_follows_live_codes_and_tokens_only(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.config.access_token_rate_limit = None
    for _ in range(600):
        kauth.code()  # never exchanged
        emu.issue_tokens()
    emu.clock.advance(5184000)  # every code and token above is dead now

    for _ in range(1000):  # a sweep runs once per 1000 issues
        emu.issue_tokens()

    # The sweep at the 1000th issue after the jump dropped every dead code and token; what is
    # left is exactly the tokens issued after it.
    assert len(emu.state.codes) == 0
    assert len(emu.state.access_tokens) == len(emu.state.refresh_tokens) == 1000
