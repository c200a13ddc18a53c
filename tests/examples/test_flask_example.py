"""examples/flask_app.py, driven through Flask's test client against the emulator: the whole flow."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from example_support import authorize, load_example, unlink_call
from flask import Flask
from flask.testing import FlaskClient

from authlib_kakao.testing import KakaoEmulator

pytestmark = pytest.mark.kakao_emulator(auto_approve=True, app_preset="personal_oidc")


@pytest.fixture
def example() -> ModuleType:
    return load_example("flask_app")


@pytest.fixture
def app(example: ModuleType, kakao_emulator: KakaoEmulator) -> Iterator[Flask]:
    app: Flask = example.create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",  # in memory, one connection for the test
            "KAKAO_EMULATOR_URL": kakao_emulator.url,
        }
    )
    yield app
    app.extensions["kakao"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_in(client: FlaskClient, emulator: KakaoEmulator) -> None:
    """/login → Kakao (auto-approve) → /auth, as the browser goes."""
    login = client.get("/login")
    assert login.status_code == 302
    back = authorize(login.headers["Location"], emulator)
    assert back.startswith("http://localhost/auth?")
    done = client.get(back)
    assert done.status_code == 302, done.text
    assert done.headers["Location"] == "/"


def stored(app: Flask, example: ModuleType, user_id: int) -> dict[str, Any] | None:
    with app.app_context():
        row = example.db.session.get(example.KakaoToken, user_id)
        return row.to_token() if row is not None else None


def test_login_profile_refresh_logout(
    app: Flask, client: FlaskClient, example: ModuleType, kakao_emulator: KakaoEmulator
) -> None:
    user = kakao_emulator.user
    assert "Log in with Kakao" in client.get("/").text

    log_in(client, kakao_emulator)

    assert f"Logged in as {user.nickname}" in client.get("/").text
    profile = client.get("/profile")
    assert profile.status_code == 200
    assert profile.json is not None
    assert profile.json["sub"] == str(user.id)
    assert profile.json["nickname"] == user.nickname
    first = stored(app, example, user.id)
    assert first is not None

    # Six hours later the access token is dead at Kakao and by its own expiry in the database.
    kakao_emulator.clock.advance(21600)
    with app.app_context():
        example.db.session.get(example.KakaoToken, user.id).expires_at = 1
        example.db.session.commit()
    grants = kakao_emulator.count("/oauth/token")

    profile = client.get("/profile")

    assert profile.status_code == 200, profile.text
    assert profile.json is not None
    assert profile.json["sub"] == str(user.id)
    assert kakao_emulator.count("/oauth/token") == grants + 1  # one refresh grant
    refreshed = stored(app, example, user.id)
    assert refreshed is not None
    assert refreshed["access_token"] != first["access_token"]  # update_token stored it
    assert refreshed["expires_at"] > time.time()  # the row held 1: the new expiry replaced it
    # Kakao kept the refresh token (over a month left): so did the row, with its expiry.
    assert refreshed["refresh_token"] == first["refresh_token"]
    assert refreshed["refresh_token_expires_at"] == first["refresh_token_expires_at"]

    logout = client.post("/logout", data=csrf(client))

    assert logout.status_code == 302
    assert logout.headers["Location"] == "/"
    assert kakao_emulator.count("/v1/user/logout") == 1  # the token ended at Kakao too
    assert stored(app, example, user.id) is None
    assert "Log in with Kakao" in client.get("/").text
    assert client.get("/profile").status_code == 302


def test_a_rotated_refresh_token_replaces_the_stored_one(
    app: Flask, client: FlaskClient, example: ModuleType, kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.config.refresh_rotation_window = 10**9  # every refresh brings a new one
    user = kakao_emulator.user
    log_in(client, kakao_emulator)
    first = stored(app, example, user.id)
    assert first is not None
    with app.app_context():
        example.db.session.get(example.KakaoToken, user.id).expires_at = 1
        example.db.session.commit()

    assert client.get("/profile").status_code == 200

    refreshed = stored(app, example, user.id)
    assert refreshed is not None
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert kakao_emulator.find_refresh_token(first["refresh_token"]) is None
    assert kakao_emulator.find_refresh_token(refreshed["refresh_token"]) is not None


def csrf(client: FlaskClient) -> dict[str, str]:
    """The token the home page's logout forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert found, "the home page has no logout form token"
    return {"csrf": found.group(1)}


def test_a_logout_posted_from_another_site_is_refused(
    client: FlaskClient, kakao_emulator: KakaoEmulator
) -> None:
    log_in(client, kakao_emulator)

    forged = client.post("/logout", data={"csrf": "guessed"})

    assert forged.status_code == 400
    assert kakao_emulator.count("/v1/user/logout") == 0
    assert "Logged in as" in client.get("/").text


def test_logout_of_kakao_too_ends_at_the_logged_out_page(
    client: FlaskClient, kakao_emulator: KakaoEmulator
) -> None:
    log_in(client, kakao_emulator)

    logout = client.post("/logout", data={**csrf(client), "kakao_account": "1"})

    assert logout.status_code == 302
    location = logout.headers["Location"]
    assert location.startswith(f"{kakao_emulator.url}/oauth/logout?")
    assert "logout_redirect_uri=http%3A%2F%2Flocalhost%2Flogged-out" in location
    assert client.get("/logged-out").status_code == 200


def test_unlink_webhook_forgets_the_user(
    app: Flask, client: FlaskClient, example: ModuleType, kakao_emulator: KakaoEmulator
) -> None:
    log_in(client, kakao_emulator)
    call = unlink_call(kakao_emulator, "http://localhost", "/kakao/unlink")
    headers = dict(call.header_items())

    forged = client.post(
        "/kakao/unlink", data=call.data, headers={**headers, "Authorization": "KakaoAK forged"}
    )
    assert forged.status_code == 401
    assert stored(app, example, kakao_emulator.user.id) is not None

    answer = client.post("/kakao/unlink", data=call.data, headers=headers)

    assert answer.status_code == 200
    assert stored(app, example, kakao_emulator.user.id) is None
