"""Reference §4 / §4.1 (and §5.2 auth failures): ``/v2/user/me`` on the raw wire."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from kapi_client import JSON_CT, Kapi, arr, full_user
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.state import ConsentItem

# From Kakao's documented samples (samples.json: user_me_full, user_me_minimal, kapi_invalid_token).
FULL_ACCOUNT_KEYS = [
    "profile_nickname_needs_agreement",
    "profile_image_needs_agreement",
    "profile",
    "name_needs_agreement",
    "name",
    "email_needs_agreement",
    "is_email_valid",
    "is_email_verified",
    "email",
    "age_range_needs_agreement",
    "age_range",
    "birthyear_needs_agreement",
    "birthyear",
    "birthday_needs_agreement",
    "birthday",
    "birthday_type",
    "is_leap_month",
    "gender_needs_agreement",
    "gender",
    "phone_number_needs_agreement",
    "phone_number",
]  # the sample's ci_* fields are a partner-only item the emulator does not model
FULL_PROFILE_KEYS = {
    "nickname",
    "thumbnail_image_url",
    "profile_image_url",
    "is_default_image",
    "is_default_nickname",
}
MINIMAL_TOP_KEYS = {"id", "connected_at", "kakao_account", "properties"}
INVALID_TOKEN = {"msg": "this access token does not exist", "code": -401}
ME = "/v2/user/me"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def token_for(emu: KakaoEmulator, **kwargs: Any) -> str:
    return str(emu.issue_tokens(**kwargs)["access_token"])


@BOTH_WIRES
def test_ref_4_1_full_profile_has_the_docs_sample_shape(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get(ME, token=token_for(emu))

    assert response.status_code == 200
    assert response.headers["content-type"] == JSON_CT
    body = response.json()
    assert list(body["kakao_account"]) == FULL_ACCOUNT_KEYS
    assert set(body["kakao_account"]["profile"]) == FULL_PROFILE_KEYS
    assert body["id"] == emu.user.id > 2**53
    assert RFC3339.match(body["connected_at"])
    account = body["kakao_account"]
    assert account["profile"]["nickname"] == "홍길동"
    assert account["email"] == emu.user.email
    assert account["gender"] == "female"
    assert account["birthday"] == "1130"
    assert not any(v for k, v in account.items() if k.endswith("_needs_agreement"))


def test_ref_4_1_id_survives_as_a_64_bit_integer(emu: KakaoEmulator, kapi: Kapi) -> None:
    raw = kapi.get(ME, token=token_for(emu)).text

    assert f'"id":{emu.user.id}' in raw


@BOTH_WIRES
def test_ref_4_post_with_form_params_equals_get_with_query(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = token_for(emu)
    keys = arr("kakao_account.email")

    got = kapi.get(ME, token=token, params={"property_keys": keys}).json()
    posted = kapi.post(ME, token=token, form={"property_keys": keys}).json()

    assert got == posted
    assert set(posted["kakao_account"]) == {
        "email_needs_agreement",
        "is_email_valid",
        "is_email_verified",
        "email",
    }


def test_ref_4_1_unagreed_items_show_needs_agreement_and_no_value(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    user = full_user(emu, consents=["profile_nickname"])

    account = kapi.get(ME, token=token_for(emu, user=user)).json()["kakao_account"]

    assert account["profile_nickname_needs_agreement"] is False
    assert account["profile"] == {"nickname": user.nickname, "is_default_nickname": False}
    assert account["profile_image_needs_agreement"] is True
    for group in ("email", "name", "gender", "age_range", "birthday", "birthyear", "phone_number"):
        assert account[f"{group}_needs_agreement"] is True
        assert group not in account
    assert "is_email_valid" not in account


def test_ref_4_1_items_the_app_does_not_configure_leave_no_trace(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    app = emu.add_app(
        preset="biz",  # not Kakao Sync: no synched_at either
        consent_items={
            "profile_nickname": ConsentItem("profile_nickname", "닉네임", required=True)
        },
    )
    user = full_user(emu, app=app)

    body = kapi.get(ME, token=token_for(emu, user=user, app=app)).json()

    assert body["kakao_account"] == {
        "profile_nickname_needs_agreement": False,
        "profile": {"nickname": user.nickname, "is_default_nickname": False},
    }
    assert set(body) - {"properties"} == MINIMAL_TOP_KEYS - {"properties"}


def test_ref_4_1_agreed_but_empty_value_is_false_without_value(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    user = full_user(emu, gender=None)

    account = kapi.get(ME, token=token_for(emu, user=user)).json()["kakao_account"]

    assert account["gender_needs_agreement"] is False
    assert "gender" not in account


@pytest.mark.parametrize(
    ("keys", "account_keys"),
    [
        (
            ["kakao_account.profile"],
            {"profile_nickname_needs_agreement", "profile_image_needs_agreement", "profile"},
        ),
        (
            ["kakao_account.name", "kakao_account.gender"],
            {"name_needs_agreement", "name", "gender_needs_agreement", "gender"},
        ),
        (["kakao_account.age_range"], {"age_range_needs_agreement", "age_range"}),
        (
            ["kakao_account.birthday"],
            {"birthday_needs_agreement", "birthday", "birthday_type", "is_leap_month"},
        ),
    ],
)
def test_ref_4_1_property_keys_select_account_groups(
    emu: KakaoEmulator, kapi: Kapi, keys: list[str], account_keys: set[str]
) -> None:
    body = kapi.get(ME, token=token_for(emu), params={"property_keys": json.dumps(keys)}).json()

    assert set(body["kakao_account"]) == account_keys
    assert "properties" not in body


def test_ref_4_1_property_keys_prefix_forms_select_everything_below(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    token = token_for(emu)
    full = kapi.get(ME, token=token).json()

    account_only = kapi.get(ME, token=token, params={"property_keys": arr("kakao_account.")})
    props_only = kapi.get(ME, token=token, params={"property_keys": arr("properties.")})

    assert account_only.json()["kakao_account"] == full["kakao_account"]
    assert "properties" not in account_only.json()
    assert props_only.json()["properties"] == full["properties"]
    assert "kakao_account" not in props_only.json()


def test_ref_4_1_properties_key_selection(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = token_for(emu)
    kapi.post("/v1/user/update_profile", token=token, form={"properties": '{"custom_field":"vip"}'})

    body = kapi.get(ME, token=token, params={"property_keys": arr("properties.custom_field")})

    assert body.json()["properties"] == {"custom_field": "vip"}


@pytest.mark.parametrize(
    "bad", ['["kakao_account.email"', '"kakao_account.email"', '["nope"]', "[1]"]
)
def test_ref_4_malformed_property_keys_is_minus_2(emu: KakaoEmulator, kapi: Kapi, bad: str) -> None:
    response = kapi.get(ME, token=token_for(emu), params={"property_keys": bad})

    assert response.status_code == 400
    assert response.json()["code"] == -2


@pytest.mark.parametrize(("secure", "scheme"), [("true", "https://"), ("false", "http://")])
def test_ref_4_secure_resource_picks_the_image_scheme(
    emu: KakaoEmulator, kapi: Kapi, secure: str, scheme: str
) -> None:
    body = kapi.get(ME, token=token_for(emu), params={"secure_resource": secure}).json()

    profile = body["kakao_account"]["profile"]
    assert profile["profile_image_url"].startswith(scheme)
    assert profile["thumbnail_image_url"].startswith(scheme)


@BOTH_WIRES
def test_ref_4_admin_key_with_target_id_reads_any_linked_user(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    user = full_user(emu, consents=["profile_nickname"])

    response = kapi.get(ME, admin=emu.app.admin_key, target=user.id)

    assert response.status_code == 200
    assert response.json()["id"] == user.id
    assert response.json()["kakao_account"]["email_needs_agreement"] is True


def test_ref_5_2_admin_key_for_an_unlinked_user_is_minus_101(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    user = full_user(emu, linked=False)

    response = kapi.get(ME, admin=emu.app.admin_key, target=user.id)

    assert response.status_code == 400
    assert response.json() == {"msg": "NotRegisteredUserException", "code": -101}


@pytest.mark.parametrize(
    "params",
    [
        {"target_id_type": "user_id", "target_id": "12ab"},
        {"target_id_type": "user_id"},
        {"target_id_type": "app_user_id", "target_id": "1"},
        {},
    ],
)
def test_ref_4_admin_key_with_a_bad_target_is_minus_2(
    emu: KakaoEmulator, kapi: Kapi, params: dict[str, str]
) -> None:
    response = kapi.get(ME, admin=emu.app.admin_key, params=params)

    assert response.status_code == 400
    assert response.json()["code"] == -2


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}],
    ids=["missing", "unknown", "wrong-scheme"],
)
def test_ref_5_2_bad_bearer_is_401_minus_401_with_www_authenticate(
    emu: KakaoEmulator, kapi: Kapi, headers: dict[str, str]
) -> None:
    response = kapi.get(ME, headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == JSON_CT
    assert response.headers["www-authenticate"] == "Bearer error=invalid_token"
    assert response.json() == INVALID_TOKEN


def test_ref_5_2_expired_bearer_is_minus_401(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = token_for(emu)
    emu.clock.advance(21600)

    response = kapi.get(ME, token=token)

    assert response.status_code == 401
    assert response.json()["code"] == -401


def test_ref_5_2_wrong_admin_key_is_minus_401(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get(ME, admin="not-the-admin-key", target=emu.user.id)

    assert response.status_code == 401
    assert response.json()["code"] == -401
    assert "not-the-admin-key" not in response.text


def test_ref_4_1_for_partner_uuid_needs_talk_message(emu: KakaoEmulator, kapi: Kapi) -> None:
    with_talk = kapi.get(ME, token=token_for(emu)).json()
    user = full_user(emu, consents=["profile_nickname"])
    without = kapi.get(ME, token=token_for(emu, user=user)).json()

    assert re.fullmatch(r"[0-9a-f-]{36}", with_talk["for_partner"]["uuid"])
    assert "for_partner" not in without
