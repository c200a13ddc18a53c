"""POST /oauth/token (reference §2) over real HTTP: code grant, client auth, PKCE, refresh, limits."""

from __future__ import annotations

import base64

import pytest
from kauth_client import REDIRECT_URI, Kauth, s256
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator


def error_code(response: object) -> str:
    return response.json()["error_code"]  # type: ignore[attr-defined, no-any-return]


@BOTH_WIRES
def test_ref_2_4_code_grant_response_shape(kauth: Kauth) -> None:
    response = kauth.exchange(kauth.code())
    body = response.json()

    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 21599
    assert body["refresh_token_expires_in"] == 5183999
    assert isinstance(body["access_token"], str)
    assert isinstance(body["refresh_token"], str)
    assert "id_token" not in body


def test_ref_2_4_scope_is_space_separated(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.approve_as(emu.add_user(consents=["profile_nickname"]))

    scope = kauth.login(scope="profile_nickname,account_email")["scope"]

    assert scope == "account_email profile_nickname"


def test_ref_1_2_code_is_single_use(kauth: Kauth) -> None:
    code = kauth.code()
    assert kauth.exchange(code).status_code == 200

    again = kauth.exchange(code)

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert error_code(again) == "KOE320"


def test_ref_1_2_code_expires_after_ten_minutes(emu: KakaoEmulator, kauth: Kauth) -> None:
    code = kauth.code()
    emu.clock.advance(600)

    assert error_code(kauth.exchange(code)) == "KOE320"


def test_ref_1_2_code_just_before_expiry_works(emu: KakaoEmulator, kauth: Kauth) -> None:
    code = kauth.code()
    emu.clock.advance(599)

    assert kauth.exchange(code).status_code == 200


def test_ref_2_1_redirect_uri_must_equal_the_authorize_one(kauth: Kauth) -> None:
    response = kauth.token(
        grant_type="authorization_code", code=kauth.code(), redirect_uri="http://testserver/auth"
    )

    assert error_code(response) == "KOE303"
    assert response.json()["error_description"] == "Redirect URI mismatch."


@BOTH_WIRES
def test_ref_2_3_wrong_client_secret_is_koe010_401(kauth: Kauth) -> None:
    kauth.client_secret = "wrong"

    response = kauth.exchange(kauth.code())

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Bad client credentials",
        "error_code": "KOE010",
    }


def test_ref_2_3_missing_client_secret_when_switched_on_is_koe010(kauth: Kauth) -> None:
    kauth.client_secret = None

    assert error_code(kauth.exchange(kauth.code())) == "KOE010"


def test_ref_2_3_no_secret_needed_when_switched_off(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.app.client_secret = None
    kauth.client_secret = None

    assert kauth.exchange(kauth.code()).status_code == 200


def test_ref_2_3_http_basic_is_ignored_like_kakao_does(emu: KakaoEmulator, kauth: Kauth) -> None:
    basic = base64.b64encode(f"{emu.app.client_id}:{emu.app.client_secret}".encode()).decode()
    response = kauth.client.post(
        "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": kauth.code(),
            "redirect_uri": REDIRECT_URI,
        },
        headers={"Authorization": f"Basic {basic}"},
    )

    assert response.status_code == 401
    assert error_code(response) == "KOE101"
    assert response.json()["error_description"] == "Not exist client_id [null]"


def test_ref_5_1_unknown_client_id_is_koe101(kauth: Kauth) -> None:
    code = kauth.code()
    kauth.client_id = "nope"

    response = kauth.exchange(code)

    assert error_code(response) == "KOE101"
    assert response.json()["error_description"] == "Not exist client_id [nope]"


def test_ref_1_1_pkce_s256_verifier_is_checked(kauth: Kauth) -> None:
    verifier = "v" * 50
    code = kauth.code(code_challenge=s256(verifier), code_challenge_method="S256")

    assert kauth.exchange(code, code_verifier=verifier).status_code == 200


@pytest.mark.parametrize("verifier", [None, "w" * 50])
def test_ref_1_1_pkce_wrong_or_missing_verifier_is_refused(
    kauth: Kauth, verifier: str | None
) -> None:
    code = kauth.code(code_challenge=s256("v" * 50), code_challenge_method="S256")

    response = kauth.exchange(code, code_verifier=verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_ref_2_5_refresh_keeps_old_rt_when_more_than_a_month_left(kauth: Kauth) -> None:
    first = kauth.login()

    body = kauth.refresh(first["refresh_token"]).json()

    assert "refresh_token" not in body
    assert "refresh_token_expires_in" not in body
    assert body["access_token"] != first["access_token"]
    assert body["expires_in"] == 21599
    # The old refresh token is still valid.
    assert kauth.refresh(first["refresh_token"]).status_code == 200


@BOTH_WIRES
def test_ref_2_5_refresh_rotates_when_less_than_a_month_left(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    first = kauth.login()
    emu.clock.advance(5183999 - 30 * 24 * 3600 + 1)

    body = kauth.refresh(first["refresh_token"]).json()

    assert body["refresh_token"] != first["refresh_token"]
    assert body["refresh_token_expires_in"] == 5183999
    assert error_code(kauth.refresh(first["refresh_token"])) == "KOE322"  # rotated out
    assert kauth.refresh(body["refresh_token"]).status_code == 200


def test_ref_2_5_expired_refresh_token_is_koe322(emu: KakaoEmulator, kauth: Kauth) -> None:
    first = kauth.login()
    emu.clock.advance(5183999)

    response = kauth.refresh(first["refresh_token"])

    assert response.status_code == 400
    assert response.json()["error_description"] == "expired_or_invalid_refresh_token"
    assert error_code(response) == "KOE322"


def test_ref_2_2_missing_refresh_token_is_koe319(kauth: Kauth) -> None:
    assert error_code(kauth.refresh(None)) == "KOE319"


def test_ref_2_5_refresh_without_id_token_grant_has_no_id_token(kauth: Kauth) -> None:
    assert "id_token" not in kauth.refresh(kauth.login()["refresh_token"]).json()


def test_ref_2_6_lifetimes_are_configurable(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.config.access_token_lifetime = 60
    emu.config.refresh_token_lifetime = 120

    body = kauth.login()

    assert (body["expires_in"], body["refresh_token_expires_in"]) == (60, 120)


def test_ref_7_access_token_issue_limit_is_koe237(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.config.access_token_rate_limit = (3, 600)
    for _ in range(3):
        kauth.login()

    response = kauth.exchange(kauth.code())

    assert response.status_code == 429
    assert error_code(response) == "KOE237"
    emu.clock.advance(601)
    assert kauth.exchange(kauth.code()).status_code == 200


def test_ref_7_refresh_limit_is_koe237(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.config.refresh_token_rate_limit = (2, 3600)
    refresh_token = kauth.login()["refresh_token"]
    for _ in range(2):
        assert kauth.refresh(refresh_token).status_code == 200

    assert error_code(kauth.refresh(refresh_token)) == "KOE237"


def test_ref_7_default_limit_is_twenty_per_ten_minutes(kauth: Kauth) -> None:
    for _ in range(20):
        kauth.login()

    assert error_code(kauth.exchange(kauth.code())) == "KOE237"


def test_ref_9_unsupported_grant_type(kauth: Kauth) -> None:
    assert kauth.token(grant_type="password").json()["error_code"] == "KOE001"


def test_tokens_from_a_code_work_at_kapi(kauth: Kauth) -> None:
    token = kauth.login()["access_token"]

    me = kauth.client.get("/v2/user/me", headers={"Authorization": f"Bearer {token}"})

    assert me.status_code == 200
