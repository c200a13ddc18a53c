"""A person tries the demo in headless Chromium: the Kakao button, Kakao's login and consent pages
(the emulator's), the profile, refresh, additional consent, the Kakao-account logout, and Cancel.

Needs Debian's chromium and its CJK fonts (``apt-get install chromium fonts-noto-cjk``; .ci/run
installs both). With ``SCREENSHOTS=<dir>`` the pages are also saved there (the docs' pictures).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from authlib_kakao.demo import Demo, demo_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="apt-get install chromium"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def demo() -> Iterator[Demo]:
    with demo_server(port=0, environ={}) as running, running.in_background():
        yield running


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def shoot(page: Any, name: str, tmp_path: Path) -> None:
    for folder in filter(None, [tmp_path, os.environ.get("SCREENSHOTS")]):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def log_in_at_kakao(page: Any) -> None:
    page.fill("#login_id", "user@example.com")
    page.fill("#password", "password")


def test_a_person_logs_in_agrees_and_tours_the_demo(
    demo: Demo, browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.goto(f"{demo.url}/")
    button = page.locator("a.kakao-login-button").first
    style = button.evaluate(
        "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).borderRadius]"
    )
    assert style == ["rgb(254, 229, 0)", "12px"]
    assert button.locator("span").bounding_box()["width"] > 40  # the Hangul label rendered
    shoot(page, "home", tmp_path)

    button.click()  # to Kakao's (the emulator's) login and consent page
    log_in_at_kakao(page)
    page.uncheck("input[value=shipping_address]")  # held back, asked for later
    shoot(page, "kakao-consent", tmp_path)
    page.click("button[value=agree]")
    page.wait_for_url(f"{demo.url}/profile")
    assert page.inner_text("#nickname") == demo.emulator.user.nickname
    assert page.inner_text("#claim-email") == demo.emulator.user.email
    shoot(page, "profile", tmp_path)

    page.click("#refresh")
    assert "a new access token" in page.inner_text("#result")

    page.click("#shipping")  # -402: Kakao asks for the held-back item, the user agrees
    page.click("button[value=agree]")
    page.wait_for_url(f"{demo.url}/profile")
    assert "shipping_address" in page.inner_text("#scope")
    page.click("#shipping")
    assert "shipping_addresses" in page.inner_text("#result")

    page.click("#logout-kakao")
    page.wait_for_url(f"{demo.url}/logged-out*")
    assert "Kakao account" in page.inner_text("#logged-out")
    shoot(page, "logged-out", tmp_path)


def test_a_person_who_presses_cancel_sees_why(demo: Demo, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(f"{demo.url}/login")
    log_in_at_kakao(page)

    page.click("button[value=cancel]")

    page.wait_for_selector("#error")
    assert "access_denied" in page.inner_text("#error")
    shoot(page, "cancelled", tmp_path)
