"""The HTML consent page (reference §1): a person or a browser logs in, ticks items, agrees or cancels.

Driven here by posting the page's own form over HTTP; test_browser.py clicks through it in Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest
from kauth_client import Kauth
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator


class FormReader(HTMLParser):
    """Collects the consent form's action and fields the way a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.checkboxes: dict[str, bool] = {}  # item id -> disabled

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.action = a.get("action") or ""
        if tag == "input" and a.get("type") == "hidden":
            self.fields.append((a["name"] or "", a.get("value") or ""))
        if tag == "input" and a.get("type") == "checkbox" and a.get("name") == "item":
            self.checkboxes[a.get("value") or ""] = "disabled" in a


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


@pytest.fixture
def page_mode(emu: KakaoEmulator) -> Iterator[KakaoEmulator]:
    emu.consent_page = True
    yield emu
    emu.consent_page = False


def submit(kauth: Kauth, html: str, *extra: tuple[str, str]) -> httpx.Response:
    """Post the page's form as a browser would: hidden fields plus what the person filled in."""
    form = read_form(html)
    return kauth.client.post(
        form.action,
        content=urlencode([*form.fields, *extra]),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )


def log_in_and_agree(kauth: Kauth) -> None:
    """The default user logs in on the page and agrees (starting the browser session)."""
    page = kauth.authorize()
    submit(kauth, page.text, ("login_id", "user@example.com"), ("password", "password"),
           ("action", "agree"))  # fmt: skip


def test_ref_1_consent_page_shows_login_form_and_items(
    page_mode: KakaoEmulator, kauth: Kauth
) -> None:
    page = kauth.authorize(scope="account_email,gender", login_hint="me@example.com", state="s")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    form = read_form(page.text)
    assert form.action == "/oauth/authorize/consent"
    assert dict(form.fields)["state"] == "s"
    assert 'value="me@example.com"' in page.text
    assert set(form.checkboxes) == {"account_email", "gender"}


def test_ref_1_required_items_are_pre_checked_and_disabled(
    page_mode: KakaoEmulator, kauth: Kauth
) -> None:
    form = read_form(kauth.authorize(scope="profile_nickname,gender").text)

    assert form.checkboxes == {"profile_nickname": True, "gender": False}


@BOTH_WIRES
def test_ref_1_agree_logs_in_and_redirects_with_a_code(
    page_mode: KakaoEmulator, kauth: Kauth
) -> None:
    user = page_mode.add_user(login_id="new@example.com", password="pw", linked=False)
    page = kauth.authorize(state="s")

    response = submit(
        kauth, page.text, ("login_id", "new@example.com"), ("password", "pw"),
        ("item", "account_email"), ("action", "agree"),
    )  # fmt: skip

    params = kauth.redirect_params(response)
    assert params["state"] == "s"
    assert kauth.exchange(params["code"]).status_code == 200
    # Required items are agreed even though a browser does not submit disabled checkboxes.
    assert user.links[page_mode.app.app_id].consents == {"profile_nickname", "account_email"}


def test_ref_1_2_cancel_redirects_access_denied(page_mode: KakaoEmulator, kauth: Kauth) -> None:
    page = kauth.authorize(state="s")

    response = submit(kauth, page.text, ("action", "cancel"))

    params = kauth.redirect_params(response)
    assert (params["error"], params["error_description"], params["state"]) == (
        "access_denied",
        "User denied access",
        "s",
    )


def test_wrong_password_shows_the_page_again(page_mode: KakaoEmulator, kauth: Kauth) -> None:
    page = kauth.authorize()

    response = submit(
        kauth,
        page.text,
        ("login_id", "user@example.com"),
        ("password", "nope"),
        ("action", "agree"),
    )

    assert response.status_code == 200
    assert re.search(r"incorrect", response.text)


def test_ref_1_1_after_login_prompt_none_uses_the_browser_session(
    page_mode: KakaoEmulator, kauth: Kauth
) -> None:
    assert kauth.redirect_params(kauth.authorize(prompt="none"))["error"] == "login_required"
    log_in_and_agree(kauth)

    assert "code" in kauth.redirect_params(kauth.authorize(prompt="none"))


def test_ref_1_linked_user_with_nothing_new_gets_a_code_without_the_page(
    page_mode: KakaoEmulator, kauth: Kauth
) -> None:
    log_in_and_agree(kauth)

    assert "code" in kauth.redirect_params(kauth.authorize())


def test_ref_1_1_prompt_login_always_shows_the_login_form(
    page_mode: KakaoEmulator, kauth: Kauth
) -> None:
    log_in_and_agree(kauth)

    assert kauth.authorize(prompt="login").status_code == 200


def test_the_page_escapes_what_it_echoes(page_mode: KakaoEmulator, kauth: Kauth) -> None:
    page = kauth.authorize(state='"><script>alert(1)</script>')

    assert "<script>alert(1)</script>" not in page.text
