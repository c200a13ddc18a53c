"""examples/django_project, driven through Django's test client against the emulator.

Not collected by the main run (the name has no ``test_`` prefix): Django is configured once per
process and the provider tests' harness configures it its own way, so ``test_django_example.py``
runs this file in a pytest process of its own.
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from example_support import EXAMPLES, authorize, unlink_call

from authlib_kakao.testing import KakaoEmulator

pytestmark = pytest.mark.kakao_emulator(auto_approve=True, app_preset="personal_oidc")

PROJECT = EXAMPLES / "django_project"


@pytest.fixture(scope="session")
def site(kakao_emulator_server: KakaoEmulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project set up as ``manage.py`` would, at the session's emulator, its
    database migrated. The emulator's keys survive its resets between tests."""
    database = tmp_path_factory.mktemp("django") / "db.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kakao_site.settings",
        DATABASE_NAME=str(database),
        KAKAO_EMULATOR_URL=str(kakao_emulator_server.url),
    )
    os.environ.pop("KAKAO_CLIENT_ID", None)
    sys.path.insert(0, str(PROJECT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return PROJECT


@pytest.fixture
def client(site: Path, kakao_emulator: KakaoEmulator) -> Any:
    from django.test import Client
    from kakao_login.models import KakaoToken

    KakaoToken.objects.all().delete()  # a fresh emulator: no token from another test is valid
    return Client()


def stored(user_id: int) -> dict[str, Any] | None:
    from kakao_login.models import KakaoToken

    row = KakaoToken.objects.filter(user_id=user_id).first()
    return row.to_token() if row is not None else None


def expire(user_id: int) -> None:
    from kakao_login.models import KakaoToken

    KakaoToken.objects.filter(user_id=user_id).update(expires_at=1)


def log_in(client: Any, emulator: KakaoEmulator) -> None:
    """/login → Kakao (auto-approve) → /auth, as the browser goes."""
    login = client.get("/login")
    assert login.status_code == 302
    back = authorize(login.headers["Location"], emulator)
    assert back.startswith("http://testserver/auth?")
    done = client.get(back)
    assert done.status_code == 302, done.content
    assert done.headers["Location"] == "/"


def test_the_migration_matches_the_model(site: Path) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("makemigrations", "kakao_login", check=True, dry_run=True, stdout=out)


def test_login_profile_refresh_logout(client: Any, kakao_emulator: KakaoEmulator) -> None:
    user = kakao_emulator.user
    assert b"Log in with Kakao" in client.get("/").content

    log_in(client, kakao_emulator)

    assert f"Logged in as {user.nickname}".encode() in client.get("/").content
    profile = client.get("/profile")
    assert profile.status_code == 200, profile.content
    assert profile.json()["sub"] == str(user.id)
    assert profile.json()["nickname"] == user.nickname
    first = stored(user.id)
    assert first is not None

    # Six hours later the access token is dead at Kakao and by its own expiry in the database.
    kakao_emulator.clock.advance(21600)
    expire(user.id)
    grants = kakao_emulator.count("/oauth/token")

    profile = client.get("/profile")

    assert profile.status_code == 200, profile.content
    assert profile.json()["sub"] == str(user.id)
    assert kakao_emulator.count("/oauth/token") == grants + 1  # one refresh grant
    refreshed = stored(user.id)
    assert refreshed is not None
    assert refreshed["access_token"] != first["access_token"]  # update_token stored it
    assert refreshed["expires_at"] > time.time()
    # Kakao kept the refresh token (over a month left): so did the row, with its expiry.
    assert refreshed["refresh_token"] == first["refresh_token"]
    assert refreshed["refresh_token_expires_at"] == first["refresh_token_expires_at"]

    logout = client.post("/logout")

    assert logout.status_code == 302
    assert logout.headers["Location"] == "/"
    assert kakao_emulator.count("/v1/user/logout") == 1  # the token ended at Kakao too
    assert stored(user.id) is None
    assert b"Log in with Kakao" in client.get("/").content
    assert client.get("/profile").status_code == 302


def test_a_rotated_refresh_token_replaces_the_stored_one(
    client: Any, kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.config.refresh_rotation_window = 10**9  # every refresh brings a new one
    user = kakao_emulator.user
    log_in(client, kakao_emulator)
    first = stored(user.id)
    assert first is not None
    expire(user.id)

    assert client.get("/profile").status_code == 200

    refreshed = stored(user.id)
    assert refreshed is not None
    assert refreshed["refresh_token"] != first["refresh_token"]
    assert kakao_emulator.find_refresh_token(first["refresh_token"]) is None


def test_the_logout_form_needs_its_csrf_token(site: Path, kakao_emulator: KakaoEmulator) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    log_in(browser, kakao_emulator)

    assert browser.post("/logout").status_code == 403
    page = browser.get("/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert browser.post("/logout", {"csrfmiddlewaretoken": token}).status_code == 302


def test_logout_of_kakao_too_ends_at_the_logged_out_page(
    client: Any, kakao_emulator: KakaoEmulator
) -> None:
    log_in(client, kakao_emulator)

    logout = client.post("/logout", {"kakao_account": "1"})

    assert logout.status_code == 302
    location = logout.headers["Location"]
    assert location.startswith(f"{kakao_emulator.url}/oauth/logout?")
    assert "logout_redirect_uri=http%3A%2F%2Ftestserver%2Flogged-out" in location
    assert client.get("/logged-out").status_code == 200


def test_unlink_webhook_forgets_the_user(client: Any, kakao_emulator: KakaoEmulator) -> None:
    log_in(client, kakao_emulator)
    call = unlink_call(kakao_emulator, "http://testserver", "/kakao/unlink")
    headers = {k.lower(): v for k, v in call.header_items()}
    content_type = headers.pop("content-type")

    forged = client.post(
        "/kakao/unlink",
        call.data,
        content_type=content_type,
        headers={"Authorization": "KakaoAK x"},
    )
    assert forged.status_code == 401
    assert stored(kakao_emulator.user.id) is not None

    answer = client.post("/kakao/unlink", call.data, content_type=content_type, headers=headers)

    assert answer.status_code == 200
    assert stored(kakao_emulator.user.id) is None
