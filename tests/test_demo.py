"""authlib-kakao demo: the whole tour over real HTTP (the browser test clicks through it too)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from authlib_kakao.demo import Demo, demo_server


@pytest.fixture
def demo() -> Iterator[Demo]:
    with demo_server(port=0, environ={}) as running, running.in_background():
        emulator = running.emulator
        emulator.auto_approve = True  # headless: the browser test shows Kakao's pages
        emulator.approve_as(consents=list(emulator.app.consent_items))  # agrees to every item
        yield running


def csrf(page: requests.Response) -> dict[str, str]:
    """The form token the demo's own page carries, as its forms post it."""
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return {"csrf": found.group(1)}


def test_the_home_page_shows_the_kakao_button_and_says_which_kakao(demo: Demo) -> None:
    page = requests.get(f"{demo.url}/", timeout=10).text

    assert 'class="kakao-login-button"' in page
    assert "background:#FEE500" in page
    assert "built-in emulator" in page


def test_the_tour(demo: Demo) -> None:
    browser = requests.Session()

    profile = browser.get(f"{demo.url}/login", timeout=10)  # through the emulator and back

    assert profile.url == f"{demo.url}/profile"
    assert demo.emulator.user.nickname in profile.text
    assert f'id="claim-email">{demo.emulator.user.email}<' in profile.text
    refreshed = browser.post(f"{demo.url}/refresh", data=csrf(profile), timeout=10)
    assert "a new access token" in refreshed.text
    info = browser.post(f"{demo.url}/token-info", data=csrf(refreshed), timeout=10)
    assert f'"app_id": {demo.emulator.app.app_id}' in info.text
    shipping = browser.get(f"{demo.url}/shipping", timeout=10)
    assert '"shipping_addresses"' in shipping.text
    logged_out = browser.post(f"{demo.url}/logout/kakao", data=csrf(shipping), timeout=10)
    assert logged_out.url.startswith(f"{demo.url}/logged-out")
    assert "logged out of this app and of your Kakao account" in logged_out.text


def test_additional_consent_when_the_user_held_an_item_back(demo: Demo) -> None:
    demo.emulator.approve_as(consents=["profile_nickname", "profile_image", "openid"])
    browser = requests.Session()
    browser.get(f"{demo.url}/login", timeout=10)
    demo.emulator.approve_as(consents=["shipping_address"])  # the second visit agrees to it

    back = browser.get(f"{demo.url}/shipping", timeout=10)  # -402 → consent → the callback

    assert back.url == f"{demo.url}/profile"
    assert "shipping_address" in re.search(r'id="scope">([^<]*)', back.text).group(1)  # type: ignore[union-attr]
    assert '"shipping_addresses"' in browser.get(f"{demo.url}/shipping", timeout=10).text


@pytest.mark.parametrize(("button", "words"), [
    ("logout/token", "revoked at Kakao"), ("logout/local", "forgot you"), ("unlink", "unlinked"),
])  # fmt: skip
def test_the_other_ways_out(demo: Demo, button: str, words: str) -> None:
    browser = requests.Session()
    profile = browser.get(f"{demo.url}/login", timeout=10)

    page = browser.post(f"{demo.url}/{button}", data=csrf(profile), timeout=10)

    assert words in page.text
    assert browser.get(f"{demo.url}/", timeout=10).url == f"{demo.url}/"  # logged out here


def test_an_unlink_from_kakaos_side_reaches_the_demos_webhook(demo: Demo) -> None:
    browser = requests.Session()
    profile = browser.get(f"{demo.url}/login", timeout=10)

    home = browser.post(f"{demo.url}/emulator/unlink", data=csrf(profile), timeout=10)

    assert re.search(rf"user {demo.emulator.user.id}</td><td>UNLINK_FROM_APPS", home.text)


def test_a_cross_site_post_without_the_pages_token_changes_nothing(demo: Demo) -> None:
    browser = requests.Session()
    browser.get(f"{demo.url}/login", timeout=10)

    # What another site's hidden form would send with the user's cookie (if SameSite let it).
    forged = browser.post(f"{demo.url}/unlink", data={"csrf": "guessed"}, timeout=10)
    bare = browser.post(f"{demo.url}/unlink", timeout=10)

    assert (forged.status_code, bare.status_code) == (400, 400)
    assert demo.emulator.user.links  # still linked to the app
    assert browser.get(f"{demo.url}/", timeout=10).url == f"{demo.url}/profile"  # still logged in


def test_the_session_cookie_is_same_site_and_dies_with_the_logout(demo: Demo) -> None:
    browser = requests.Session()
    profile = browser.get(f"{demo.url}/login", timeout=10)
    cookie = next(c for c in profile.history[-1].headers.get("set-cookie", "").split(",") if c)
    saved = browser.cookies.get_dict()

    browser.post(f"{demo.url}/logout/local", data=csrf(profile), timeout=10)
    replayed = requests.get(f"{demo.url}/profile", cookies=saved, timeout=10)

    assert "SameSite=Lax" in cookie
    assert "HttpOnly" in cookie
    assert replayed.url == f"{demo.url}/"  # the old cookie opens nothing


def test_a_kakao_error_is_shown_not_crashed_on(demo: Demo) -> None:
    demo.emulator.deny_consent()

    page = requests.get(f"{demo.url}/login", timeout=10)

    assert page.status_code == 400
    assert "access_denied" in page.text


def test_without_an_admin_key_the_real_kakao_demo_has_no_webhook_not_a_crash() -> None:
    environ = {"KAKAO_CLIENT_ID": "0123456789abcdef0123456789abcdef"}
    with demo_server(port=0, environ=environ) as running, running.in_background():
        answer = requests.get(f"{running.url}/webhooks/unlink", timeout=10)

    assert running.emulator is None
    assert answer.status_code == 404
