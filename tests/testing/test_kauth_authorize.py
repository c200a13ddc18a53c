"""GET /oauth/authorize (reference §1) over real HTTP, in auto-approve mode."""

from __future__ import annotations

import pytest
from kauth_client import REDIRECT_URI, Kauth
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator


@BOTH_WIRES
def test_ref_1_2_success_redirects_with_code_and_echoes_state(kauth: Kauth) -> None:
    params = kauth.redirect_params(kauth.authorize(state="xyz 1/2"))

    assert params["state"] == "xyz 1/2"
    assert len(params["code"]) > 20


def test_ref_1_2_redirect_goes_to_the_given_redirect_uri(kauth: Kauth) -> None:
    response = kauth.authorize()

    assert response.headers["location"].startswith(f"{REDIRECT_URI}?code=")


@pytest.mark.parametrize(
    ("params", "code", "status"),
    [
        ({"client_id": "no-such-key"}, "KOE101", 401),
        ({"redirect_uri": "http://evil.example/auth"}, "KOE006", 400),
        ({"redirect_uri": "http://localhost/auth/"}, "KOE006", 400),  # exact match only
        ({"response_type": "id_token"}, "KOE201", 400),
        ({"response_type": "token"}, "KOE202", 400),
        ({"scope": "account_email,no_such_item"}, "KOE205", 400),
    ],
)
def test_ref_5_1_configuration_errors_are_an_error_page_not_a_redirect(
    kauth: Kauth, params: dict[str, str], code: str, status: int
) -> None:
    response = kauth.authorize(**params)

    assert response.status_code == status
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert code in response.text


def test_ref_1_1_openid_scope_needs_oidc_switched_on(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.app.oidc = False

    assert "KOE205" in kauth.authorize(scope="openid").text


@pytest.mark.parametrize(
    "scope", ["profile_nickname,account_email", "profile_nickname account_email"]
)
def test_ref_1_1_scope_accepts_commas_and_spaces(
    emu: KakaoEmulator, kauth: Kauth, scope: str
) -> None:
    user = emu.add_user(consents=["profile_nickname"])
    emu.approve_as(user)

    token = kauth.login(scope=scope)

    assert token["scope"].split() == ["account_email", "profile_nickname"]
    assert "account_email" in user.links[emu.app.app_id].consents


@BOTH_WIRES
def test_ref_1_2_cancel_redirects_access_denied(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.deny_consent()

    params = kauth.redirect_params(kauth.authorize(state="s"))

    assert params == {
        "error": "access_denied",
        "error_description": "User denied access",
        "state": "s",
    }


def test_ref_1_2_prompt_none_for_an_unlinked_user_is_consent_required(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    emu.approve_as(emu.add_user(linked=False))

    params = kauth.redirect_params(kauth.authorize(prompt="none", state="s"))

    assert params["error"] == "consent_required"
    assert params["error_description"] == "user consent required."
    assert params["state"] == "s"


def test_ref_1_1_prompt_none_for_a_linked_user_gives_a_code(kauth: Kauth) -> None:
    assert "code" in kauth.redirect_params(kauth.authorize(prompt="none"))


def test_ref_1_1_prompt_none_asking_a_new_item_needs_consent(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    emu.approve_as(emu.add_user(consents=["profile_nickname"]))

    params = kauth.redirect_params(kauth.authorize(prompt="none", scope="account_email"))

    assert params["error"] == "consent_required"


@pytest.mark.parametrize("prompt", ["login", "create", "select_account", "login,select_account"])
def test_ref_1_1_other_prompts_are_accepted(kauth: Kauth, prompt: str) -> None:
    assert "code" in kauth.redirect_params(kauth.authorize(prompt=prompt))


def test_ref_1_1_unknown_prompt_is_invalid_request(kauth: Kauth) -> None:
    assert kauth.redirect_params(kauth.authorize(prompt="consent"))["error"] == "invalid_request"


def test_approve_as_limits_what_the_user_agrees_to(emu: KakaoEmulator, kauth: Kauth) -> None:
    user = emu.add_user(linked=False)
    emu.approve_as(user, consents=["profile_nickname"])

    kauth.login()

    assert user.links[emu.app.app_id].consents == {"profile_nickname"}


def test_ref_1_1_first_login_without_scope_asks_every_configured_item(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    user = emu.add_user(linked=False)
    emu.approve_as(user)

    kauth.login()

    assert user.links[emu.app.app_id].consents == set(emu.app.consent_items)


def test_ref_1_1_service_terms_are_recorded(emu: KakaoEmulator, kauth: Kauth) -> None:
    user = emu.add_user(linked=False)
    emu.approve_as(user)

    kauth.login(service_terms="terms_service,terms_marketing")

    assert set(user.links[emu.app.app_id].service_terms) == {"terms_service", "terms_marketing"}


def test_the_emulators_koe006_page_lists_the_redirect_uris_it_accepts(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    page = kauth.authorize(redirect_uri="http://localhost:9999/callback").text

    assert "KOE006" in page
    assert f"this app accepts {', '.join(emu.app.redirect_uris)}" in page
    assert "--redirect-uri" in page
