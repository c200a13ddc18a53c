"""examples/fastapi_app.py, driven through Starlette's test client against the emulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from example_support import authorize, load_example, unlink_call
from fastapi import FastAPI
from starlette.testclient import TestClient

from authlib_kakao.testing import KakaoEmulator

pytestmark = pytest.mark.kakao_emulator(auto_approve=True, app_preset="personal_oidc")


@pytest.fixture
def example() -> ModuleType:
    return load_example("fastapi_app")


@pytest.fixture
def app(example: ModuleType, kakao_emulator: KakaoEmulator) -> FastAPI:
    app: FastAPI = example.create_app(example.Settings(emulator_url=kakao_emulator.url))
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # As a context manager the client runs the lifespan: the app closes its Kakao pool at the end.
    with TestClient(app, follow_redirects=False) as client:
        yield client


def log_in(client: TestClient, emulator: KakaoEmulator) -> None:
    """/login → Kakao (auto-approve) → /auth, as the browser goes."""
    login = client.get("/login")
    assert login.status_code == 302
    back = authorize(login.headers["location"], emulator)
    assert back.startswith("http://testserver/auth?")
    done = client.get(back)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "http://testserver/"


def stored(app: FastAPI, user_id: int) -> dict[str, Any] | None:
    token: dict[str, Any] | None = asyncio.run(app.state.tokens.get(user_id))
    return token


def test_login_profile_refresh_logout(
    app: FastAPI, client: TestClient, kakao_emulator: KakaoEmulator
) -> None:
    user = kakao_emulator.user
    assert "Log in with Kakao" in client.get("/").text

    log_in(client, kakao_emulator)

    assert f"Logged in as {user.nickname}" in client.get("/").text
    profile = client.get("/profile")
    assert profile.status_code == 200, profile.text
    assert profile.json()["sub"] == str(user.id)
    assert profile.json()["nickname"] == user.nickname
    first = stored(app, user.id)
    assert first is not None

    # Six hours later the access token is dead at Kakao and by its own expiry in the store.
    kakao_emulator.clock.advance(21600)
    asyncio.run(app.state.tokens.put(user.id, {**first, "expires_at": 1}))
    grants = kakao_emulator.count("/oauth/token")

    profile = client.get("/profile")

    assert profile.status_code == 200, profile.text
    assert profile.json()["sub"] == str(user.id)
    assert kakao_emulator.count("/oauth/token") == grants + 1  # one refresh grant
    refreshed = stored(app, user.id)
    assert refreshed is not None
    assert refreshed["access_token"] != first["access_token"]  # update_token stored it
    assert refreshed["expires_at"] > time.time()
    # Kakao kept the refresh token (over a month left): so did the store, with its expiry.
    assert refreshed["refresh_token"] == first["refresh_token"]
    assert refreshed["refresh_token_expires_at"] == first["refresh_token_expires_at"]

    logout = client.post("/logout")

    assert logout.status_code == 303
    assert logout.headers["location"] == "http://testserver/"
    assert kakao_emulator.count("/v1/user/logout") == 1  # the token ended at Kakao too
    assert stored(app, user.id) is None
    assert "Log in with Kakao" in client.get("/").text
    assert client.get("/profile").status_code == 303


def test_a_rotated_refresh_token_replaces_the_stored_one(
    app: FastAPI, client: TestClient, kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.config.refresh_rotation_window = 10**9  # every refresh brings a new one
    user = kakao_emulator.user
    log_in(client, kakao_emulator)
    first = stored(app, user.id)
    assert first is not None
    asyncio.run(app.state.tokens.put(user.id, {**first, "expires_at": 1}))

    assert client.get("/profile").status_code == 200

    refreshed = stored(app, user.id)
    assert refreshed is not None
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert kakao_emulator.find_refresh_token(first["refresh_token"]) is None


def test_logout_of_kakao_too_ends_at_the_logged_out_page(
    client: TestClient, kakao_emulator: KakaoEmulator
) -> None:
    log_in(client, kakao_emulator)

    logout = client.post("/logout", data={"kakao_account": "1"})

    assert logout.status_code == 303  # the browser follows with a GET, not the form's POST
    location = logout.headers["location"]
    assert location.startswith(f"{kakao_emulator.url}/oauth/logout?")
    assert "logout_redirect_uri=http%3A%2F%2Ftestserver%2Flogged-out" in location
    assert client.get("/logged-out").status_code == 200


def test_unlink_webhook_forgets_the_user(
    app: FastAPI, client: TestClient, kakao_emulator: KakaoEmulator
) -> None:
    log_in(client, kakao_emulator)
    call = unlink_call(kakao_emulator, "http://testserver", "/kakao/unlink")
    headers = dict(call.header_items())
    assert isinstance(call.data, bytes)

    forged = client.post(
        "/kakao/unlink", content=call.data, headers={**headers, "Authorization": "KakaoAK forged"}
    )
    assert forged.status_code == 401
    assert stored(app, kakao_emulator.user.id) is not None

    answer = client.post("/kakao/unlink", content=call.data, headers=headers)

    assert answer.status_code == 200
    assert stored(app, kakao_emulator.user.id) is None
