"""Reference §4 (token info, logout, unlink, update_profile) and §3.5 (OIDC userinfo) over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from kapi_client import JSON_CT, Kapi, full_user
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator

ME = "/v2/user/me"


def token_for(emu: KakaoEmulator, **kwargs: Any) -> str:
    return str(emu.issue_tokens(**kwargs)["access_token"])


# --- /v1/user/access_token_info ---------------------------------------------------------------


@BOTH_WIRES
def test_ref_4_access_token_info_shape(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get("/v1/user/access_token_info", token=token_for(emu))

    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_CT
    body = response.json()
    assert set(body) == {"id", "expires_in", "app_id"}
    assert body["id"] == emu.user.id
    assert body["app_id"] == emu.app.app_id
    assert body["expires_in"] == 21599


def test_ref_4_access_token_info_counts_down_on_the_emulator_clock(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    token = token_for(emu)
    before = kapi.get("/v1/user/access_token_info", token=token).json()["expires_in"]

    emu.clock.advance(3600)
    after = kapi.get("/v1/user/access_token_info", token=token).json()["expires_in"]

    assert (before, after) == (21599, 21599 - 3600)


def test_ref_5_2_access_token_info_with_admin_key_is_minus_3(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    response = kapi.get("/v1/user/access_token_info", admin=emu.app.admin_key, target=emu.user.id)

    assert response.status_code == 403
    assert response.json()["code"] == -3


def test_ref_5_2_access_token_info_with_expired_token_is_minus_401(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    token = token_for(emu)
    emu.clock.advance(21598)
    assert kapi.get("/v1/user/access_token_info", token=token).json()["expires_in"] == 1
    emu.clock.advance(1)

    response = kapi.get("/v1/user/access_token_info", token=token)

    assert response.status_code == 401
    assert response.json()["code"] == -401
    assert "www-authenticate" in response.headers


# --- /v1/user/logout ----------------------------------------------------------------------------


@BOTH_WIRES
def test_ref_4_logout_with_bearer_revokes_only_that_token(emu: KakaoEmulator, kapi: Kapi) -> None:
    first, second = token_for(emu), token_for(emu)

    response = kapi.post("/v1/user/logout", token=first)

    assert response.status_code == 200
    assert response.json() == {"id": emu.user.id}
    assert kapi.get(ME, token=first).status_code == 401
    assert kapi.get(ME, token=second).status_code == 200
    assert emu.app.app_id in emu.user.links


def test_ref_4_logout_with_admin_key_revokes_every_token_of_the_user(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    first, second = token_for(emu), token_for(emu)
    other = full_user(emu)
    others = token_for(emu, user=other)

    response = kapi.post("/v1/user/logout", admin=emu.app.admin_key, target=emu.user.id)

    assert response.json() == {"id": emu.user.id}
    assert kapi.get(ME, token=first).status_code == 401
    assert kapi.get(ME, token=second).status_code == 401
    assert kapi.get(ME, token=others).status_code == 200
    assert emu.app.app_id in emu.user.links


def refresh(emu: KakaoEmulator, kapi: Kapi, refresh_token: str) -> httpx.Response:
    return kapi.client.post(
        "/oauth/token",
        data={
            "grant_type": "refresh_token",
            "client_id": emu.app.client_id,
            "client_secret": emu.app.client_secret,
            "refresh_token": refresh_token,
        },
    )


def test_ref_4_logout_with_admin_key_also_kills_refresh_tokens(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    tokens = emu.issue_tokens()
    kapi.post("/v1/user/logout", admin=emu.app.admin_key, target=emu.user.id)

    response = refresh(emu, kapi, tokens["refresh_token"])

    assert response.status_code == 400
    assert response.json()["error_code"] == "KOE322"


def test_ref_4_logout_with_bearer_also_ends_that_sessions_refresh_token(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    session, other = emu.issue_tokens(), emu.issue_tokens()

    kapi.post("/v1/user/logout", token=session["access_token"])

    assert refresh(emu, kapi, session["refresh_token"]).json()["error_code"] == "KOE322"
    assert refresh(emu, kapi, other["refresh_token"]).status_code == 200


# --- /v1/user/unlink ----------------------------------------------------------------------------


@BOTH_WIRES
def test_ref_4_unlink_with_bearer_revokes_tokens_and_drops_the_link(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    first, second = token_for(emu), token_for(emu)

    response = kapi.post("/v1/user/unlink", token=first)

    assert response.status_code == 200
    assert response.json() == {"id": emu.user.id}
    assert kapi.get(ME, token=second).status_code == 401
    admin_view = kapi.get(ME, admin=emu.app.admin_key, target=emu.user.id)
    assert admin_view.json() == {"msg": "NotRegisteredUserException", "code": -101}


def test_ref_4_unlink_with_admin_key(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = token_for(emu)

    response = kapi.post("/v1/user/unlink", admin=emu.app.admin_key, target=emu.user.id)

    assert response.json() == {"id": emu.user.id}
    assert kapi.get(ME, token=token).status_code == 401
    assert emu.app.app_id not in emu.user.links


def test_ref_5_2_unlink_twice_is_minus_101(emu: KakaoEmulator, kapi: Kapi) -> None:
    kapi.post("/v1/user/unlink", admin=emu.app.admin_key, target=emu.user.id)

    response = kapi.post("/v1/user/unlink", admin=emu.app.admin_key, target=emu.user.id)

    assert response.status_code == 400
    assert response.json()["code"] == -101


# --- /v1/user/update_profile --------------------------------------------------------------------


def test_ref_4_update_profile_stores_registered_properties(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = token_for(emu)

    response = kapi.post(
        "/v1/user/update_profile", token=token, form={"properties": '{"custom_field":"gold"}'}
    )

    assert response.json() == {"id": emu.user.id}
    assert kapi.get(ME, token=token).json()["properties"]["custom_field"] == "gold"


def test_ref_5_2_update_profile_unregistered_key_is_minus_201(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    token = token_for(emu)

    response = kapi.post(
        "/v1/user/update_profile",
        token=token,
        form={"properties": '{"gender":"f","age":"3","custom_field":"x"}'},
    )

    assert response.status_code == 400
    assert response.json() == {
        "msg": f"user property not found ([gender, age] for appId={emu.app.app_id})",
        "code": -201,
    }
    assert "custom_field" not in kapi.get(ME, token=token).json().get("properties", {})


@pytest.mark.parametrize("bad", [None, "", "{not json", '["custom_field"]', '{"custom_field":[1]}'])
def test_ref_4_update_profile_malformed_properties_is_minus_2(
    emu: KakaoEmulator, kapi: Kapi, bad: str | None
) -> None:
    form = {} if bad is None else {"properties": bad}

    response = kapi.post("/v1/user/update_profile", token=token_for(emu), form=form)

    assert response.status_code == 400
    assert response.json()["code"] == -2


# --- /v1/oidc/userinfo (§3.5) -------------------------------------------------------------------


def test_ref_3_5_oidc_userinfo_standard_claims(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get("/v1/oidc/userinfo", token=token_for(emu, openid=True))

    assert response.status_code == 200
    assert response.json() == {
        "sub": str(emu.user.id),
        "name": emu.user.name,
        "nickname": "홍길동",
        "picture": emu.user.thumbnail_image_url,
        "email": emu.user.email,
        "email_verified": True,
        "gender": "female",
        "birthdate": "2002-11-30",
        "phone_number": emu.user.phone_number,
        "phone_number_verified": True,
    }


@pytest.mark.parametrize(
    ("consents", "birthdate", "claims"),
    [(["birthday"], "0000-11-30", {"sub", "birthdate"}),
     (["birthyear"], "2002", {"sub", "birthdate"}),
     (["profile_nickname"], None, {"sub", "nickname"})],
)  # fmt: skip
def test_ref_3_5_birthdate_follows_what_was_consented(
    emu: KakaoEmulator, kapi: Kapi, consents: list[str], birthdate: str | None, claims: set[str]
) -> None:
    user = full_user(emu, consents=consents, birthday="1130", birthyear="2002")

    body = kapi.get("/v1/oidc/userinfo", token=token_for(emu, user=user, openid=True)).json()

    assert body.get("birthdate") == birthdate
    assert set(body) == claims


@pytest.mark.parametrize(("valid", "verified"), [(False, True), (True, False)])
def test_ref_3_5_email_verified_needs_valid_and_verified(
    emu: KakaoEmulator, kapi: Kapi, valid: bool, verified: bool
) -> None:
    user = full_user(emu, is_email_valid=valid, is_email_verified=verified)

    body = kapi.get("/v1/oidc/userinfo", token=token_for(emu, user=user, openid=True)).json()

    assert body["email_verified"] is False


def test_ref_3_5_gender_is_lowercase(emu: KakaoEmulator, kapi: Kapi) -> None:
    user = full_user(emu, gender="MALE")

    body = kapi.get("/v1/oidc/userinfo", token=token_for(emu, user=user, openid=True)).json()

    assert body["gender"] == "male"


def test_ref_3_5_oidc_userinfo_needs_oidc_switched_on(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.app.oidc = False

    response = kapi.get("/v1/oidc/userinfo", token=token_for(emu))

    assert response.status_code == 403
    assert response.json()["code"] == -3


def test_ref_5_2_oidc_userinfo_without_token_is_minus_401(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get("/v1/oidc/userinfo")

    assert response.status_code == 401
    assert response.json()["code"] == -401
