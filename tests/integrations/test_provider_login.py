"""Login, profile and refresh through each framework's real test client against the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harness import Harness

from authlib_kakao.testing import KakaoEmulator


def expire(harness: Harness, kakao_emulator: KakaoEmulator) -> None:
    """Let the access token run out: on the emulator's clock and in the app's stored copy."""
    kakao_emulator.clock.advance(21600)
    assert harness.store.token is not None
    harness.store.token["expires_at"] = 1


def test_login_gets_a_normalised_token(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()

    result = harness.login()

    assert result.status == 200, result.data
    token = result.data
    assert token["token_type"] == "bearer"
    assert isinstance(token["expires_in"], int)
    assert token["expires_at"] > 0
    assert token["refresh_token_expires_at"] > token["expires_at"]
    assert "id_token" not in token


def test_a_login_is_one_token_request_and_userinfo_one_more(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    kakao_emulator.clear_log()

    harness.login()
    harness.get("/me")

    paths = [r.path for r in kakao_emulator.requests()]
    assert paths == ["/oauth/authorize", "/oauth/token", "/v2/user/me"]


def test_userinfo_is_oidc_shaped(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    harness.login()

    claims = harness.get("/me").data

    user = kakao_emulator.user
    assert claims["sub"] == str(user.id)
    assert claims["nickname"] == user.nickname
    assert claims["email"] == user.email
    assert claims["email_verified"] is True
    assert claims["birthdate"] == "2002-11-30"
    assert claims["phone_number"] == "+821012345678"


def test_secret_goes_in_the_body_and_pkce_is_on(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()

    login = harness.start_login()
    query = parse_qs(urlsplit(login.data).query)

    # An S256 challenge went to /oauth/authorize; the emulator binds the code to it and refuses a
    # token request without the matching verifier, and refuses Basic auth exactly like Kakao
    # (KOE101): a token proves both the verifier and body auth.
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url SHA-256, no padding
    assert harness.callback(login.headers["location"]).status == 200


def test_no_secret_configured_sends_client_id_only(
    harness: Harness, kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.app.client_secret = None
    harness.build(**harness.register_kwargs(kakao_emulator.app.client_id, None))

    assert harness.login().status == 200


def test_per_call_extras_reach_kakao(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build(authorize_params={"prompt": "login"})
    user = kakao_emulator.add_user(linked=False)
    kakao_emulator.approve_as(user)

    result = harness.login(prompt="none", scope="account_email", service_terms="terms_service")

    # prompt=none (per call) beat prompt=login (registered): the unlinked user is refused.
    assert result.status == 400
    assert result.data["exception"] == "KakaoAuthError"
    assert "consent_required" in result.data["message"]


def test_scope_and_service_terms_are_sent(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    user = kakao_emulator.add_user(consents=["profile_nickname"])
    kakao_emulator.approve_as(user)

    token = harness.login(scope="account_email,gender", service_terms="terms_marketing").data

    link = user.links[kakao_emulator.app.app_id]
    assert {"account_email", "gender"} <= link.consents
    assert "terms_marketing" in link.service_terms
    assert "account_email" in token["scope"].split()


def test_expired_token_is_refreshed_and_kept_rt_reaches_update_token(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    first = harness.login().data
    expire(harness, kakao_emulator)
    kakao_emulator.clear_log()

    assert harness.get("/api").data == {"status": 200}

    assert kakao_emulator.count("/oauth/token") == 1
    (update,) = harness.store.updates
    new = update["token"]
    assert new["access_token"] != first["access_token"]
    # Kakao sent no refresh_token (more than a month left): the old one and its expiry stay.
    assert new["refresh_token"] == first["refresh_token"]
    assert new["refresh_token_expires_at"] == first["refresh_token_expires_at"]
    assert update["refresh_token"] == first["refresh_token"]


def test_rotated_refresh_token_replaces_the_old_one(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.config.refresh_rotation_window = 10**9  # every refresh rotates
    build()
    first = harness.login().data
    expire(harness, kakao_emulator)

    harness.get("/api")

    new = harness.store.updates[-1]["token"]
    assert new["refresh_token"] != first["refresh_token"]
    assert new["refresh_token_expires_in"] == 5183999
    assert new["refresh_token_expires_at"] >= first["refresh_token_expires_at"]
    assert kakao_emulator.find_refresh_token(first["refresh_token"]) is None


def test_refreshed_twice(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    first = harness.login().data
    for _ in range(2):
        expire(harness, kakao_emulator)
        assert harness.get("/api").data == {"status": 200}

    assert len(harness.store.updates) == 2
    second = harness.store.updates[1]["token"]
    assert second["refresh_token"] == first["refresh_token"]
    assert second["refresh_token_expires_at"] == first["refresh_token_expires_at"]


def test_explicit_refresh(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    first = harness.login().data

    token = harness.get("/refresh").data

    assert token["access_token"] != first["access_token"]
    assert token["refresh_token_expires_at"] == first["refresh_token_expires_at"]
    assert harness.store.updates[-1]["token"]["access_token"] == token["access_token"]
