"""The emulator's state object: its clock, its app lookups and what a reset gives back."""

from __future__ import annotations

from kapi_client import Kapi
from kauth_client import Kauth

from authlib_kakao.testing import Clock, KakaoEmulator

# --- Clock ----------------------------------------------------------------------------------------


def test_a_frozen_clock_moves_only_when_advanced() -> None:
    clock = Clock(frozen_at=1_700_000_000.0)

    assert clock.frozen
    assert clock.now() == clock.now() == 1_700_000_000.0
    clock.advance(21599)
    assert clock.now() == 1_700_021_599.0


def test_freeze_stops_at_the_current_instant_and_unfreeze_runs_on_from_it() -> None:
    clock = Clock(start=1_000.0)

    at = clock.freeze()
    assert clock.now() == at
    clock.advance(5)
    clock.unfreeze()

    assert not clock.frozen
    assert clock.now() >= at + 5


def test_the_suite_emulator_runs_on_a_frozen_clock(emu: KakaoEmulator) -> None:
    assert emu.clock.frozen
    issued = emu.issue_tokens()

    assert emu.state.access_tokens[issued["access_token"]].expires_at == emu.clock.now() + 21599


# --- app lookups ------------------------------------------------------------------------------


def test_an_app_is_found_by_its_client_id_after_the_key_is_edited(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    old = emu.app.client_id
    emu.app.client_id = "renamed-rest-api-key"

    kauth.client_id = "renamed-rest-api-key"
    assert "code" in kauth.redirect_params(kauth.authorize())
    kauth.client_id = old
    assert "KOE101" in kauth.authorize().text
    assert emu.state.app_by_client_id(old) is None


def test_an_app_is_found_by_its_admin_key_after_the_key_is_edited(
    emu: KakaoEmulator, kapi: Kapi
) -> None:
    old = emu.app.admin_key
    emu.app.admin_key = "renamed-admin-key"

    assert kapi.get("/v1/user/ids", admin="renamed-admin-key").status_code == 200
    assert kapi.get("/v1/user/ids", admin=old).json()["code"] == -401


def test_an_app_added_again_under_its_id_replaces_the_old_keys(emu: KakaoEmulator) -> None:
    first = emu.add_app(app_id=7, client_id="first-key")
    second = emu.add_app(app_id=7, client_id="second-key")

    assert emu.state.apps[7] is second
    assert emu.state.app_by_client_id("second-key") is second
    assert emu.state.app_by_client_id("first-key") is None
    first.client_id = "edited-after-replacement"  # no longer registered: moves nothing
    assert emu.state.app_by_client_id("edited-after-replacement") is None


# --- reset ------------------------------------------------------------------------------------


def test_reset_forgets_the_approval_policy(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.deny_consent()

    emu.reset()

    assert "code" in kauth.redirect_params(kauth.authorize())


def test_reset_ends_the_consent_page_session(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.consent_page = True
    page = kauth.authorize()
    assert page.status_code == 200
    kauth.client.cookies.update(emu.sign_in())  # the browser's Kakao session cookie
    assert "code" in kauth.redirect_params(kauth.authorize(prompt="none"))

    emu.reset()

    assert emu.consent_page is True  # a switch, kept like config
    assert kauth.redirect_params(kauth.authorize(prompt="none"))["error"] == "login_required"


def test_reset_is_a_new_state_that_keeps_config(emu: KakaoEmulator) -> None:
    before = emu.state
    emu.config.access_token_lifetime = 60

    emu.reset()

    assert emu.state is not before
    assert emu.issue_tokens()["expires_in"] == 60
