"""Rules that make a test here fail the way a login fails on Kakao (issue #9, #10): one test per
documented rule, named after its reference section.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from kapi_client import JSON_CT, Kapi
from kauth_client import Kauth, s256

from authlib_kakao.testing import KakaoEmulator

ME = "/v2/user/me"
JWKS = "/.well-known/jwks.json"


# -- kauth ----------------------------------------------------------------------------------------


@pytest.mark.kakao_emulator(access_token_rate_limit=(20, 600.0))
def test_ref_7_refresh_grants_count_toward_the_access_token_limit(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    refresh = kauth.login()["refresh_token"]  # 1 access token
    statuses = [kauth.refresh(refresh).status_code for _ in range(19)]  # 20 in 10 minutes

    refused = kauth.refresh(refresh)

    assert set(statuses) == {200}
    assert (refused.status_code, refused.json()["error_code"]) == (429, "KOE237")
    emu.clock.advance(600)
    assert kauth.refresh(refresh).status_code == 200


@pytest.mark.parametrize("extra", [{"code_challenge_method": "plain"}, {}], ids=["plain", "bare"])
def test_ref_1_1_pkce_plain_is_refused(kauth: Kauth, extra: dict[str, str]) -> None:
    params = kauth.redirect_params(kauth.authorize(code_challenge="verifier-" * 6, **extra))

    assert params["error"] == "invalid_request"


def test_ref_1_1_pkce_s256_still_works(kauth: Kauth) -> None:
    verifier = "v" * 50
    code = kauth.code(code_challenge=s256(verifier), code_challenge_method="S256")

    assert kauth.exchange(code, code_verifier=verifier).status_code == 200


def test_ref_3_2_fetching_the_jwks_per_login_is_throttled(emu: KakaoEmulator, kauth: Kauth) -> None:
    answers = [kauth.client.get(JWKS) for _ in range(11)]

    assert [r.status_code for r in answers[:10]] == [200] * 10
    assert (answers[10].status_code, answers[10].json()["error_code"]) == (429, "KOE237")
    emu.clock.advance(60)
    assert kauth.client.get(JWKS).status_code == 200


def test_ref_3_4_tokeninfo_is_debug_only_and_throttled(kauth: Kauth) -> None:
    id_token = kauth.login(scope="openid")["id_token"]

    answers = [
        kauth.client.post("/oauth/tokeninfo", data={"id_token": id_token}) for _ in range(11)
    ]

    assert [r.status_code for r in answers] == [200] * 10 + [429]


def test_ref_2_1_a_token_request_without_redirect_uri_is_accepted(kauth: Kauth) -> None:
    code = kauth.code()

    response = kauth.token(grant_type="authorization_code", code=code)

    assert response.status_code == 200


@pytest.mark.kakao_emulator(require_token_redirect_uri=True)
def test_ref_2_1_the_strict_switch_refuses_a_missing_redirect_uri(kauth: Kauth) -> None:
    response = kauth.token(grant_type="authorization_code", code=kauth.code())

    assert response.json()["error_code"] == "KOE303"


def test_ref_2_1_a_different_redirect_uri_is_koe303(kauth: Kauth) -> None:
    response = kauth.token(
        grant_type="authorization_code", code=kauth.code(), redirect_uri="http://localhost/x"
    )

    assert response.json()["error_code"] == "KOE303"


@pytest.mark.parametrize(
    ("form", "status", "header"),
    [({"grant_type": "authorization_code", "code": "nope"}, 400, "Bearer error=invalid_grant"),
     ({"client_secret": "wrong", "grant_type": "refresh_token", "refresh_token": "x"}, 401,
      "Bearer error=invalid_client")],
    ids=["400", "401"],
)  # fmt: skip
def test_ref_5_1_kauth_errors_carry_www_authenticate(
    kauth: Kauth, form: dict[str, str], status: int, header: str
) -> None:
    response = kauth.token(**form)

    assert response.status_code == status
    assert response.headers["www-authenticate"] == header


def test_ref_5_2_kapi_401_carries_www_authenticate_as_kakaos_sample(kapi: Kapi) -> None:
    response = kapi.get(ME, token="expired")

    assert response.headers["www-authenticate"] == "Bearer error=invalid_token"


def test_ref_1_2_cancel_encodes_the_description_as_kakao_does(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    emu.deny_consent()

    location = kauth.authorize(state="s").headers["location"]

    assert "error=access_denied&error_description=User%20denied%20access" in location


def test_ref_5_1_koe319_missing_refresh_token_is_invalid_grant(kauth: Kauth) -> None:
    response = kauth.token(grant_type="refresh_token")

    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    assert response.json()["error_code"] == "KOE319"


def page_code(response: Any) -> str:
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_ref_5_1_koe004_kakao_login_switched_off(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.app.login_enabled = False

    assert "KOE004" in page_code(kauth.authorize())


def test_ref_5_1_koe005_a_test_app_refuses_non_members(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.app.team_member_ids = []

    response = kauth.authorize()

    assert response.status_code == 403
    assert "KOE005" in page_code(response)
    emu.app.team_member_ids = [emu.user.id]
    assert "code" in kauth.redirect_params(kauth.authorize())


def test_ref_5_1_koe008_an_sdk_key_at_the_rest_authorize(emu: KakaoEmulator, kauth: Kauth) -> None:
    kauth.client_id = emu.app.native_key or ""

    assert "KOE008" in page_code(kauth.authorize())


def test_ref_5_1_koe102_channel_consent_without_a_linked_channel(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    assert "KOE102" in page_code(kauth.authorize(channel_public_id="_ZeUTxl"))
    emu.link_talk_channel("_ZeUTxl")
    assert "code" in kauth.redirect_params(kauth.authorize(channel_public_id="_ZeUTxl"))


def test_ref_5_1_koe009_native_key_from_an_unregistered_platform(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    tokens = emu.issue_tokens(key="native")
    kauth.client_id, kauth.client_secret = emu.app.native_key or "", None

    refused = kauth.refresh(tokens["refresh_token"], android_key_hash="unknown")
    emu.app.android_key_hashes = ["hash="]
    refreshed = kauth.refresh(tokens["refresh_token"], android_key_hash="hash=")

    assert refused.json() == {
        "error": "misconfigured",
        "error_description": "invalid android_key_hash or ios_bundle_id or web_site_url",
        "error_code": "KOE009",
    }
    assert refreshed.status_code == 200
    assert refreshed.json()["expires_in"] == 43199


def test_ref_3_3_sdk_logins_carry_the_sdk_key_as_audience(emu: KakaoEmulator) -> None:
    native = emu.issue_tokens(openid=True, key="native")
    web = emu.issue_tokens(openid=True, key="javascript")

    native_claims = emu.keys.verify(native["id_token"]) or {}
    web_claims = emu.keys.verify(web["id_token"]) or {}
    assert native_claims["aud"] == emu.app.native_key
    assert web_claims["aud"] == emu.app.javascript_key
    assert (native["expires_in"], web["expires_in"]) == (43199, 7199)
    assert native_claims["exp"] - native_claims["iat"] == 43199


# -- typed faults: the error paths clients must handle -------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [(-4, 403), (-402, 403), (-405, 403), (-406, 401), (-9798, 503), (-401, 401)],
)
def test_ref_5_2_typed_kapi_faults_answer_kakaos_body(
    emu: KakaoEmulator, kapi: Kapi, code: int, status: int
) -> None:
    emu.inject_fault(ME, kapi_error=code)

    response = kapi.get(ME, token=emu.issue_tokens()["access_token"])

    assert response.status_code == status
    assert response.headers["content-type"] == JSON_CT
    assert response.json()["code"] == code
    assert ("www-authenticate" in response.headers) == (code == -401)


@pytest.mark.parametrize(("code", "status"), [("KOE004", 403), ("KOE009", 400), ("KOE237", 429)])
def test_ref_5_1_typed_kauth_faults_answer_kakaos_body(
    emu: KakaoEmulator, kauth: Kauth, code: str, status: int
) -> None:
    emu.inject_fault("/oauth/token", kauth_error=code)

    response = kauth.exchange(kauth.code())

    assert response.status_code == status
    assert response.headers["content-type"] == JSON_CT
    assert response.json()["error_code"] == code


def test_a_literal_kakao_body_fault_is_served_as_json(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.inject_fault(ME, status=400, body='{"msg":"custom","code":-2}')

    response = kapi.get(ME, token="x")

    assert response.headers["content-type"] == JSON_CT
    assert response.json() == {"msg": "custom", "code": -2}


# -- profile fields the reference documents --------------------------------------------------------


def test_ref_4_1_a_partner_app_gets_ci_and_the_legal_fields(emu: KakaoEmulator, kapi: Kapi) -> None:
    app = emu.add_app(preset="partner")
    user = emu.add_user(app=app, preset="agreed_all")

    account = kapi.get(ME, token=emu.issue_tokens(user, app)["access_token"]).json()[
        "kakao_account"
    ]

    assert account["ci"] == user.ci
    assert account["ci_authenticated_at"] == "2020-09-13T12:26:40Z"
    assert (account["legal_name"], account["legal_birth_date"]) == ("홍길동", "20021130")
    assert (account["legal_gender"], account["is_korean"]) == ("female", True)
    assert account["is_korean_needs_agreement"] is False


def test_ref_4_1_kakao_sync_shows_synched_at(emu: KakaoEmulator, kapi: Kapi) -> None:
    body = kapi.get(
        ME, token=emu.issue_tokens()["access_token"]
    ).json()  # the suite's Kakao Sync app

    assert body["synched_at"] == body["connected_at"]


def test_ref_4_1_group_apps_carry_group_user_token(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.app.app_group = "family"
    sibling = emu.add_app(preset="biz", app_group="family")
    emu.link(emu.user, sibling)

    mine = kapi.get(ME, token=emu.issue_tokens()["access_token"]).json()
    theirs = kapi.get(ME, token=emu.issue_tokens(app=sibling)["access_token"]).json()
    listed = kapi.get(
        "/v2/app/users",
        admin=emu.app.admin_key,
        params={"target_id_type": "user_id", "target_ids": f"[{emu.user.id}]"},
    ).json()

    assert mine["group_user_token"] == theirs["group_user_token"]
    assert listed[0]["group_user_token"] == mine["group_user_token"]


# -- consent-requiring calls, signup, service terms (issue #10) ----------------------------------


def test_ref_5_2_shipping_addresses_without_consent_is_minus_402(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    user = emu.add_user(consents=["profile_nickname"])

    response = kapi.get("/v1/user/shipping_address", token=emu.issue_tokens(user)["access_token"])

    assert response.status_code == 403
    assert response.json() == {
        "msg": "insufficient scopes.",
        "code": -402,
        "api_type": "USER_SHIPPING_ADDRESS",
        "required_scopes": ["shipping_address"],
        "allowed_scopes": ["profile_nickname"],
    }


@pytest.fixture
def preregistered(emu: KakaoEmulator) -> tuple[Any, str]:
    """A user preregistered on an auto-link OFF app, and their access token."""
    emu.app.auto_link = False
    user = emu.add_user(preset="agreed_all")
    return user, emu.issue_tokens(user)["access_token"]


def test_ref_4_1_a_preregistered_user_shows_has_signed_up_and_little_else(
    kapi: Kapi, preregistered: tuple[Any, str]
) -> None:
    _, token = preregistered

    body = kapi.get(ME, token=token).json()

    assert body["has_signed_up"] is False
    assert set(body["kakao_account"]) <= {
        "profile_nickname_needs_agreement", "profile_image_needs_agreement", "profile",
        "email_needs_agreement", "is_email_valid", "is_email_verified", "email",
    }  # fmt: skip
    assert "properties" not in body


def test_ref_4_signup_then_already_registered_is_minus_102(
    kapi: Kapi, preregistered: tuple[Any, str]
) -> None:
    user, token = preregistered

    first = kapi.post("/v1/user/signup", token=token, form={"properties": '{"custom_field":"x"}'})
    again = kapi.post("/v1/user/signup", token=token)

    assert first.json() == {"id": user.id}
    assert (again.status_code, again.json()["code"]) == (400, -102)
    body = kapi.get(ME, token=token).json()
    assert body["has_signed_up"] is True
    assert body["properties"]["custom_field"] == "x"


def test_ref_4_signup_on_an_auto_link_app_is_minus_102(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.post("/v1/user/signup", token=emu.issue_tokens()["access_token"])

    assert response.json()["code"] == -102
    assert "has_signed_up" not in kapi.get(ME, token=emu.issue_tokens()["access_token"]).json()


def test_ref_4_preregistered_users_are_unlinked_after_24_hours(
    emu: KakaoEmulator, kapi: Kapi, preregistered: tuple[Any, str]
) -> None:
    user, _ = preregistered
    emu.clock.advance(24 * 3600 - 1)
    assert kapi.get(ME, admin=emu.app.admin_key, target=user.id).status_code == 200
    emu.clock.advance(1)

    response = kapi.get(ME, admin=emu.app.admin_key, target=user.id)
    emu.expire_preregistrations()  # the unlink (and its webhook) is Kakao's sweep, not the call's

    assert response.json()["code"] == -101
    assert emu.app.app_id not in user.links


def test_ref_4_upgrade_service_terms_agrees_through_the_api(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = emu.issue_tokens()["access_token"]
    kapi.post("/v2/user/revoke/service_terms", token=token, form={"tags": "terms_marketing"})
    emu.clock.advance(60)

    response = kapi.post(
        "/v2/user/upgrade/service_terms", token=token, form={"tags": "terms_marketing"}
    )

    term = response.json()["agreed_service_terms"][0]
    assert (term["tag"], term["agreed"], term["agreed_by"]) == ("terms_marketing", True, "KAPI")
    listed = kapi.get("/v2/user/service_terms", token=token).json()["service_terms"]
    assert {t["tag"]: t["agreed_by"] for t in listed}["terms_marketing"] == "KAPI"


def test_authorize_url_carries_the_new_parameters(emu: KakaoEmulator) -> None:
    # channel_public_id is carried through the consent page's hidden fields like the others.
    from authlib_kakao.testing.kauth import AUTHORIZE_PARAMS

    assert "channel_public_id" in AUTHORIZE_PARAMS
    assert urlencode({"a": "b c"}) == "a=b+c"  # why redirect() quotes with %20 itself


def test_an_sdk_key_changed_in_place_is_looked_up_by_its_new_value(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    emu.app.native_key = "new-native-key"
    kauth.client_id = "new-native-key"

    assert "KOE008" in page_code(kauth.authorize())  # found, and refused as an SDK key
