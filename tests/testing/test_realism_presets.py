"""Realistic defaults and presets (issue #9): the default app is a personal app, users come in the
shapes that break apps in the wild. Each test runs on the emulator's own defaults unless it says.
"""

from __future__ import annotations

import json

import pytest
from kapi_client import Kapi
from kauth_client import Kauth

from authlib_kakao.core.consent_items import CONSENT_ITEMS, items_needing_review
from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.presets import APP_PRESETS, USER_PRESETS

# The emulator's own defaults, logging in headless: a personal app and its default user.
pytestmark = pytest.mark.kakao_emulator(
    app_preset="personal", user_preset="default", auto_approve=True
)
ME = "/v2/user/me"


def test_ref_7_default_app_is_a_personal_app(emu: KakaoEmulator) -> None:
    app = emu.app

    assert list(app.consent_items) == ["profile_nickname", "profile_image"]
    assert app.consent_items["profile_nickname"].required
    assert (app.oidc, app.biz, app.kakao_sync, app.service_terms) == (False, False, False, {})
    assert items_needing_review(app.consent_items) == []


@pytest.mark.parametrize("scope", ["account_email", "phone_number", "openid"])
def test_ref_7_an_item_the_personal_app_has_not_configured_is_koe205(
    kauth: Kauth, scope: str
) -> None:
    page = kauth.authorize(scope=scope)

    assert page.status_code == 400
    assert "KOE205" in page.text


def test_ref_2_4_a_login_that_asks_for_nothing_gets_only_what_the_app_configures(
    kauth: Kauth, kapi: Kapi
) -> None:
    token = kauth.login()

    assert token["scope"].split() == ["profile_image", "profile_nickname"]
    assert "id_token" not in token
    account = kapi.get(ME, token=token["access_token"]).json()["kakao_account"]
    assert "email" not in account
    assert "email_needs_agreement" not in account  # not configured: no trace


def test_ref_4_1_default_user_agreed_only_to_personal_items_on_a_biz_app(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    app = emu.add_app(preset="biz")
    user = emu.add_user(app=app, preset="default")

    account = kapi.get(ME, token=emu.issue_tokens(user, app)["access_token"]).json()

    assert user.links[app.app_id].consents == {"profile_nickname", "profile_image"}
    assert account["kakao_account"]["email_needs_agreement"] is True
    assert "email" not in account["kakao_account"]


@pytest.mark.parametrize("name", sorted(APP_PRESETS))
def test_ref_7_app_presets_configure_only_items_they_may_have(
    emu: KakaoEmulator, name: str
) -> None:
    app = emu.add_app(preset=name)

    gated = {i.access for i in items_needing_review(app.consent_items)}
    assert app.preset == name
    assert gated <= ({"biz", "review", "partner"} if app.biz else set())
    assert all(i in CONSENT_ITEMS for i in app.consent_items)
    assert not app.kakao_sync or app.service_terms


def account_of(emu: KakaoEmulator, kapi: Kapi, preset: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    app = emu.add_app(preset="biz")
    user = emu.add_user(app=app, preset=preset)
    tokens = emu.issue_tokens(user, app, openid=True)
    response = kapi.get(ME, token=tokens["access_token"])
    return response.json(), response.text


def id_token_claims(emu: KakaoEmulator, preset: str) -> dict:  # type: ignore[type-arg]
    app = emu.add_app(preset="biz")
    user = emu.add_user(app=app, preset=preset)
    claims = emu.keys.verify(emu.issue_tokens(user, app, openid=True)["id_token"])
    assert claims is not None
    return claims


def test_ref_4_1_user_who_did_not_consent_to_email(emu: KakaoEmulator, kapi: Kapi) -> None:
    body, _ = account_of(emu, kapi, "no_email_consent")

    assert body["kakao_account"]["email_needs_agreement"] is True
    assert "email" not in body["kakao_account"]
    assert "email" not in id_token_claims(emu, "no_email_consent")


def test_ref_4_1_account_without_email(emu: KakaoEmulator, kapi: Kapi) -> None:
    body, _ = account_of(emu, kapi, "no_email")

    # Agreed, but there is nothing to give: false without a value (§4.1 needs_agreement).
    assert body["kakao_account"]["email_needs_agreement"] is False
    assert "email" not in body["kakao_account"]


@pytest.mark.parametrize(
    ("preset", "flag"),
    [("email_unverified", "is_email_verified"), ("email_invalid", "is_email_valid")],
)
def test_ref_3_3_email_not_valid_or_not_verified_stays_out_of_the_id_token(
    emu: KakaoEmulator, kapi: Kapi, preset: str, flag: str
) -> None:
    body, _ = account_of(emu, kapi, preset)

    assert body["kakao_account"][flag] is False
    assert body["kakao_account"]["email"]  # /v2/user/me still shows it, flagged
    assert "email" not in id_token_claims(emu, preset)


def test_ref_4_1_id_only_user(emu: KakaoEmulator, kapi: Kapi) -> None:
    body, _ = account_of(emu, kapi, "id_only")

    assert "properties" not in body
    assert "profile" not in body["kakao_account"]
    assert all(k.endswith("_needs_agreement") for k in body["kakao_account"])


def test_ref_4_1_default_nickname_and_image(emu: KakaoEmulator, kapi: Kapi) -> None:
    body, _ = account_of(emu, kapi, "default_profile")

    profile = body["kakao_account"]["profile"]
    assert (profile["is_default_nickname"], profile["is_default_image"]) == (True, True)
    assert "nickname" not in profile


def test_ref_4_1_ids_above_2_53_survive_as_exact_integers(emu: KakaoEmulator, kapi: Kapi) -> None:
    body, text = account_of(emu, kapi, "huge_id")

    assert f'"id":{2**63 - 1}' in text
    assert body["id"] == 2**63 - 1
    assert json.loads(text, parse_int=float)["id"] != 2**63 - 1  # what a double-based client sees


@pytest.mark.parametrize("name", sorted(USER_PRESETS))
def test_every_user_preset_links_and_answers_user_me(
    emu: KakaoEmulator, kapi: Kapi, name: str
) -> None:
    app = emu.add_app(preset="biz", allow_under_14=True)
    user = emu.add_user(app=app, preset=name, sanctioned=False)

    response = kapi.get(ME, token=emu.issue_tokens(user, app)["access_token"])

    assert response.status_code == 200
    assert response.json()["id"] == user.id


def test_ref_5_2_a_restricted_account_is_minus_4(emu: KakaoEmulator, kapi: Kapi) -> None:
    user = emu.add_user(preset="sanctioned")

    response = kapi.get(ME, token=emu.issue_tokens(user)["access_token"])

    assert (response.status_code, response.json()["code"]) == (403, -4)


def test_ref_5_2_under_14_user_on_an_app_that_refuses_them_is_minus_406(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    emu.app.allow_under_14 = False
    user = emu.add_user(preset="under_14")

    response = kapi.get(ME, token=emu.issue_tokens(user)["access_token"])

    assert (response.status_code, response.json()["code"]) == (401, -406)
