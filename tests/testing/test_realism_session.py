"""The Kakao Account web session behind the consent page (reference §1.2, §4 /oauth/logout, §7):
bound to a cookie on the emulator's own host, 24 h (a month kept), so only the browser that
logged in gets codes without the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from kauth_client import Kauth
from test_consent_page import read_form, submit

from authlib_kakao.testing import KakaoEmulator

pytestmark = pytest.mark.kakao_emulator(consent_page=True)
LOGIN = (("login_id", "user@example.com"), ("password", "password"), ("action", "agree"))


def log_in(kauth: Kauth, *extra: tuple[str, str], **authorize: str) -> httpx.Response:
    return submit(kauth, kauth.authorize(**authorize).text, *LOGIN, *extra)


def other_browser(kauth: Kauth) -> Kauth:
    """A second client on the same emulator, with its own (empty) cookie jar."""
    return Kauth(kauth.base_url, kauth.client_id, kauth.client_secret, kauth.client._transport)


def test_ref_1_2_a_cookieless_client_sees_the_login_page(kauth: Kauth) -> None:
    log_in(kauth)
    stranger = other_browser(kauth)

    page = stranger.authorize()

    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert "code" in kauth.redirect_params(kauth.authorize())  # the browser that logged in


def test_ref_7_login_sets_a_host_only_cookie_for_24_hours(kauth: Kauth) -> None:
    response = log_in(kauth)

    cookie = response.headers["set-cookie"]
    assert cookie.startswith("_kawlt=")
    assert "Max-Age=86400" in cookie
    assert "HttpOnly" in cookie
    assert "domain" not in cookie.lower()  # the emulator's own host only


def test_ref_7_the_session_ends_after_24_hours(emu: KakaoEmulator, kauth: Kauth) -> None:
    log_in(kauth)
    emu.clock.advance(24 * 3600 - 1)
    assert "code" in kauth.redirect_params(kauth.authorize(prompt="none"))

    emu.clock.advance(1)

    assert kauth.redirect_params(kauth.authorize(prompt="none"))["error"] == "login_required"
    assert kauth.authorize().status_code == 200


def test_ref_7_stay_signed_in_keeps_it_a_month(emu: KakaoEmulator, kauth: Kauth) -> None:
    response = log_in(kauth, ("keep_signed_in", "on"))
    assert f"Max-Age={30 * 24 * 3600}" in response.headers["set-cookie"]

    emu.clock.advance(29 * 24 * 3600)

    assert "code" in kauth.redirect_params(kauth.authorize(prompt="none"))


def test_ref_1_1_prompt_none_without_a_session_is_login_required(kauth: Kauth) -> None:
    params = kauth.redirect_params(kauth.authorize(prompt="none", state="s"))

    assert (params["error"], params["state"]) == ("login_required", "s")


def test_ref_1_1_prompt_login_replaces_the_session(kauth: Kauth) -> None:
    first = log_in(kauth).headers["set-cookie"].split(";")[0].split("=", 1)[1]

    second = log_in(kauth, prompt="login").headers["set-cookie"].split(";")[0].split("=", 1)[1]

    assert first != second
    stale = other_browser(kauth)
    stale.client.cookies.set("_kawlt", first)
    assert stale.authorize().status_code == 200  # the old session died with the new login


def test_ref_4_kakao_account_logout_ends_the_session(emu: KakaoEmulator, kauth: Kauth) -> None:
    log_in(kauth)
    query = {"client_id": emu.app.client_id, "logout_redirect_uri": "http://localhost/logged-out"}

    response = kauth.client.get(f"/oauth/logout?{urlencode(query)}")

    assert "Max-Age=0" in response.headers["set-cookie"]
    assert kauth.redirect_params(kauth.authorize(prompt="none"))["error"] == "login_required"


def test_sign_in_hands_a_headless_client_the_session_cookie(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    kauth.client.cookies.update(emu.sign_in())

    assert "code" in kauth.redirect_params(kauth.authorize())


@pytest.mark.kakao_emulator(consent_page=True, app_preset="biz")
def test_ref_1_a_newcomers_choices_shape_the_token_scope(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.add_user(login_id="new@example.com", password="pw", linked=False)
    page = kauth.authorize()
    assert len(read_form(page.text).checkboxes) == len(emu.app.consent_items)

    response = submit(
        kauth, page.text, ("login_id", "new@example.com"), ("password", "pw"),
        ("item", "account_email"), ("action", "agree"),
    )  # fmt: skip

    token = kauth.exchange(kauth.redirect_params(response)["code"]).json()
    assert token["scope"].split() == ["account_email", "profile_nickname"]


@pytest.mark.kakao_emulator(consent_page=True, app_preset="biz", user_preset="default")
def test_ref_1_the_default_user_is_asked_only_for_what_they_have_not_agreed(
    kauth: Kauth,
) -> None:
    log_in(kauth)  # linked already, nothing new asked: a code straight away

    page = kauth.authorize(scope="account_email,gender,profile_nickname")

    assert set(read_form(page.text).checkboxes) == {"account_email", "gender"}
