"""A person's login, clicked through the consent page in headless Chromium (Playwright).

Needs Debian's chromium (``apt-get install chromium``; .ci/run installs it) and the ``playwright``
package; Playwright's own browser download is never used.
"""

from __future__ import annotations

import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from kauth_client import REDIRECT_URI, Kauth

from authlib_kakao.testing import KakaoEmulator

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="apt-get install chromium"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def page(emu: KakaoEmulator):  # type: ignore[no-untyped-def]
    emu.consent_page = True
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()


def authorize_url(base: str, emu: KakaoEmulator, **extra: str) -> str:
    from urllib.parse import urlencode

    query = {"client_id": emu.app.client_id, "redirect_uri": REDIRECT_URI, "response_type": "code"}
    return f"{base}/oauth/authorize?{urlencode({**query, **extra})}"


def caught_redirect(page, base: str, emu: KakaoEmulator, **extra: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Open the page; return the query Kakao redirects to (the app itself is not running)."""
    seen: dict[str, list[str]] = {}

    def intercept(route) -> None:  # type: ignore[no-untyped-def]
        seen.update(parse_qs(urlsplit(route.request.url).query))
        route.fulfill(status=200, body="app callback")

    page.route(f"{REDIRECT_URI}*", intercept)
    page.goto(authorize_url(base, emu, **extra))
    return seen


# Playwright's sync API runs an event loop in this thread: kauth goes over real HTTP too.
@pytest.mark.parametrize("wire", ["http"], indirect=True)
def test_ref_1_a_person_logs_in_agrees_and_the_code_works(
    emu: KakaoEmulator,
    page,
    kauth: Kauth,  # type: ignore[no-untyped-def]
) -> None:
    assert emu.url is not None
    base = emu.url
    emu.add_user(login_id="new@example.com", password="s3cret", linked=False)
    seen = caught_redirect(page, base, emu, state="s1", scope="profile_nickname,account_email")
    page.fill("#login_id", "new@example.com")
    page.fill("#password", "s3cret")
    page.uncheck("input[value=account_email]")
    page.click("button[value=agree]")
    page.wait_for_url(f"{REDIRECT_URI}*")

    assert seen["state"] == ["s1"]
    response = kauth.exchange(seen["code"][0])
    assert response.status_code == 200
    # The unticked optional item was not agreed; the required one was.
    assert response.json()["scope"].split() == ["profile_nickname"]


def test_ref_1_2_a_person_cancels(
    emu: KakaoEmulator,
    page,  # type: ignore[no-untyped-def]
) -> None:
    assert emu.url is not None
    seen = caught_redirect(page, emu.url, emu, state="s2")
    page.click("button[value=cancel]")
    page.wait_for_url(f"{REDIRECT_URI}*")

    assert seen["error"] == ["access_denied"]
    assert seen["state"] == ["s2"]
