"""Reference §4: scopes, service terms and shipping addresses over plain HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from kapi_client import Kapi, arr, full_user
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.profiles import rfc3339

SCOPES = "/v2/user/scopes"
REVOKE = "/v2/user/revoke/scopes"
TERMS = "/v2/user/service_terms"
REVOKE_TERMS = "/v2/user/revoke/service_terms"
SHIPPING = "/v1/user/shipping_address"


def token_for(emu: KakaoEmulator, **kwargs: Any) -> str:
    return str(emu.issue_tokens(**kwargs)["access_token"])


# --- /v2/user/scopes ----------------------------------------------------------------------------


@BOTH_WIRES
def test_ref_4_scopes_lists_every_configured_item(emu: KakaoEmulator, kapi: Kapi) -> None:
    body = kapi.get(SCOPES, token=token_for(emu)).json()

    assert body["id"] == emu.user.id
    assert [s["id"] for s in body["scopes"]] == list(emu.app.consent_items)
    nickname = next(s for s in body["scopes"] if s["id"] == "profile_nickname")
    assert nickname == {
        "id": "profile_nickname",
        "display_name": "닉네임",
        "type": "PRIVACY",
        "using": True,
        "agreed": True,
        "revocable": False,
    }
    email = next(s for s in body["scopes"] if s["id"] == "account_email")
    assert email["revocable"] is True


def test_ref_4_scopes_revocable_only_when_agreed(emu: KakaoEmulator, kapi: Kapi) -> None:
    user = full_user(emu, consents=["profile_nickname"])

    body = kapi.get(SCOPES, token=token_for(emu, user=user)).json()

    email = next(s for s in body["scopes"] if s["id"] == "account_email")
    assert email["agreed"] is False
    assert "revocable" not in email


def test_ref_4_scopes_filter(emu: KakaoEmulator, kapi: Kapi) -> None:
    body = kapi.get(
        SCOPES, token=token_for(emu), params={"scopes": arr("account_email", "gender")}
    ).json()

    assert [s["id"] for s in body["scopes"]] == ["account_email", "gender"]


def test_ref_4_scopes_with_admin_key_and_target(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get(SCOPES, admin=emu.app.admin_key, target=emu.user.id)

    assert response.status_code == 200
    assert response.json()["id"] == emu.user.id


def test_ref_4_scopes_malformed_filter_is_minus_2(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.get(SCOPES, token=token_for(emu), params={"scopes": "account_email"})

    assert response.status_code == 400
    assert response.json()["code"] == -2


# --- /v2/user/revoke/scopes ---------------------------------------------------------------------


@BOTH_WIRES
def test_ref_4_revoke_scopes_withdraws_consent(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = token_for(emu)

    response = kapi.post(REVOKE, token=token, form={"scopes": arr("account_email")})

    assert response.status_code == 200
    email = next(s for s in response.json()["scopes"] if s["id"] == "account_email")
    assert email["agreed"] is False
    account = kapi.get("/v2/user/me", token=token).json()["kakao_account"]
    assert account["email_needs_agreement"] is True
    assert "email" not in account


def test_ref_4_revoke_required_scope_is_403_minus_3(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.app.consent_items["profile_image"].required = True

    response = kapi.post(REVOKE, token=token_for(emu), form={"scopes": arr("profile_image")})

    assert response.status_code == 403
    assert response.json() == {
        "msg": "[profile_image] is not revocable. "
        "check out if it's set as required on developers.kakao.com",
        "code": -3,
    }
    assert "profile_image" in emu.user.links[emu.app.app_id].consents


def test_ref_4_revoke_unknown_scope_is_400_minus_2(emu: KakaoEmulator, kapi: Kapi) -> None:
    response = kapi.post(REVOKE, token=token_for(emu), form={"scopes": arr("email")})

    assert response.status_code == 400
    assert response.json() == {
        "msg": "There is no scopes to revoke. "
        "check out if given scope id([email]) is correct again.",
        "code": -2,
    }


@pytest.mark.parametrize("form", [{}, {"scopes": "[account_email]"}, {"scopes": "[1]"}])
def test_ref_4_revoke_scopes_malformed_is_minus_2(
    emu: KakaoEmulator, kapi: Kapi, form: dict[str, str]
) -> None:
    response = kapi.post(REVOKE, token=token_for(emu), form=form)

    assert response.status_code == 400
    assert response.json()["code"] == -2


# --- /v2/user/service_terms and revoke ----------------------------------------------------------


def agree_all_terms(emu: KakaoEmulator) -> None:
    link = emu.user.links[emu.app.app_id]
    for tag in emu.app.service_terms:
        link.service_terms[tag] = emu.clock.now()


def test_ref_4_service_terms_agreed_by_default(emu: KakaoEmulator, kapi: Kapi) -> None:
    link = emu.user.links[emu.app.app_id]
    link.service_terms = {"terms_service": emu.clock.now()}

    body = kapi.get(TERMS, token=token_for(emu)).json()

    assert body["id"] == emu.user.id
    [term] = body["service_terms"]
    assert term["tag"] == "terms_service"
    assert (term["required"], term["agreed"], term["revocable"]) == (True, True, False)
    assert term["agreed_by"] == "KAUTH"
    assert term["agreed_at"] == rfc3339(emu.clock.now())


def test_ref_4_service_terms_app_result_lists_all(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.user.links[emu.app.app_id].service_terms = {}

    body = kapi.get(TERMS, token=token_for(emu), params={"result": "app_service_terms"}).json()

    assert [t["tag"] for t in body["service_terms"]] == ["terms_service", "terms_marketing"]
    assert all(t["agreed"] is False and "agreed_at" not in t for t in body["service_terms"])


def test_ref_4_service_terms_tags_filter(emu: KakaoEmulator, kapi: Kapi) -> None:
    agree_all_terms(emu)

    body = kapi.get(TERMS, token=token_for(emu), params={"tags": "terms_marketing"}).json()

    assert [t["tag"] for t in body["service_terms"]] == ["terms_marketing"]


@pytest.mark.parametrize("params", [{"tags": "terms_service,nope"}, {"result": "everything"}])
def test_ref_4_service_terms_unknown_tag_or_result_is_minus_2(
    emu: KakaoEmulator, kapi: Kapi, params: dict[str, str]
) -> None:
    response = kapi.get(TERMS, token=token_for(emu), params=params)

    assert response.status_code == 400
    assert response.json()["code"] == -2


def test_ref_4_revoke_service_terms(emu: KakaoEmulator, kapi: Kapi) -> None:
    agree_all_terms(emu)
    token = token_for(emu)

    response = kapi.post(REVOKE_TERMS, token=token, form={"tags": "terms_marketing"})

    assert response.json() == {
        "id": emu.user.id,
        "revoked_service_terms": [{"tag": "terms_marketing", "agreed": False}],
    }
    left = kapi.get(TERMS, token=token).json()["service_terms"]
    assert [t["tag"] for t in left] == ["terms_service"]


@pytest.mark.parametrize(
    ("tags", "status", "code"), [("nope", 400, -2), ("", 400, -2), ("terms_service", 403, -3)]
)
def test_ref_4_revoke_service_terms_refusals(
    emu: KakaoEmulator, kapi: Kapi, tags: str, status: int, code: int
) -> None:
    agree_all_terms(emu)

    response = kapi.post(REVOKE_TERMS, token=token_for(emu), form={"tags": tags})

    assert response.status_code == status
    assert response.json()["code"] == code


# --- /v1/user/shipping_address ------------------------------------------------------------------


def address(n: int, updated_at: int, *, default: bool = False) -> dict[str, Any]:
    return {
        "id": n,
        "name": f"address {n}",
        "is_default": default,
        "updated_at": updated_at,
        "type": "NEW",
        "base_address": "경기 성남시 분당구 판교역로 166",
        "detail_address": f"{n}층",
        "receiver_name": "홍길동",
        "receiver_phone_number1": "010-1234-5678",
        "zone_number": "13529",
    }


@pytest.fixture
def addresses(emu: KakaoEmulator) -> list[dict[str, Any]]:
    emu.user.shipping_addresses = [
        address(1, 1000),
        address(2, 4000),
        address(3, 3000, default=True),
        address(4, 2000),
    ]
    return emu.user.shipping_addresses


def test_ref_4_shipping_address_default_first_then_newest(
    emu: KakaoEmulator, kapi: Kapi, addresses: list[dict[str, Any]]
) -> None:
    body = kapi.get(SHIPPING, token=token_for(emu)).json()

    assert body["user_id"] == emu.user.id
    assert body["shipping_addresses_needs_agreement"] is False
    assert [a["id"] for a in body["shipping_addresses"]] == [3, 2, 4, 1]
    assert body["shipping_addresses"][0] == addresses[2]


def test_ref_4_shipping_address_paging(
    emu: KakaoEmulator, kapi: Kapi, addresses: list[dict[str, Any]]
) -> None:
    token = token_for(emu)

    first = kapi.get(SHIPPING, token=token, params={"page_size": "2"}).json()
    last_updated = first["shipping_addresses"][-1]["updated_at"]
    second = kapi.get(
        SHIPPING, token=token, params={"page_size": "2", "from_updated_at": str(last_updated)}
    ).json()

    assert [a["id"] for a in first["shipping_addresses"]] == [3, 2]
    assert [a["id"] for a in second["shipping_addresses"]] == [4, 1]


def test_ref_4_shipping_address_by_id(
    emu: KakaoEmulator, kapi: Kapi, addresses: list[dict[str, Any]]
) -> None:
    body = kapi.get(SHIPPING, token=token_for(emu), params={"address_id": "4"}).json()

    assert [a["id"] for a in body["shipping_addresses"]] == [4]


@pytest.mark.parametrize(
    "params", [{"page_size": "1"}, {"address_id": "x"}, {"from_updated_at": "-1"}]
)
def test_ref_4_shipping_address_bad_params_are_minus_2(
    emu: KakaoEmulator, kapi: Kapi, params: dict[str, str]
) -> None:
    response = kapi.get(SHIPPING, token=token_for(emu), params=params)

    assert response.status_code == 400
    assert response.json()["code"] == -2


@pytest.mark.kakao_emulator(shipping_address_without_consent="needs_agreement")
def test_ref_4_shipping_address_without_consent_only_flags_it(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    user = full_user(emu, consents=["profile_nickname"])
    user.shipping_addresses = [address(1, 1000, default=True)]

    body = kapi.get(SHIPPING, token=token_for(emu, user=user)).json()

    assert body == {"user_id": user.id, "shipping_addresses_needs_agreement": True}


def test_ref_4_shipping_address_with_admin_key(
    emu: KakaoEmulator, kapi: Kapi, addresses: list[dict[str, Any]]
) -> None:
    body = kapi.get(SHIPPING, admin=emu.app.admin_key, target=emu.user.id).json()

    assert len(body["shipping_addresses"]) == 4
