"""The HTTP control plane covers what the Python API covers (issue #9): a test suite in another
language registers redirect URIs, switches the secret and OIDC, configures items and terms, adds
users from presets, logs a browser in, issues tokens, moves the clock and injects typed faults.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from kauth_client import Kauth

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.__main__ import build_config, build_parser


@pytest.fixture
def control(emu: KakaoEmulator) -> Iterator[httpx.Client]:
    """A plain HTTP client on the served emulator, as another language's suite would hold."""
    assert emu.url is not None
    with httpx.Client(base_url=emu.url, timeout=10) as client:
        yield client


@pytest.fixture
def browser(emu: KakaoEmulator) -> Iterator[Kauth]:
    assert emu.url is not None
    client = Kauth(emu.url, emu.app.client_id, emu.app.client_secret)
    yield client
    client.close()


def test_register_a_redirect_uri_and_log_in_with_it(
    emu: KakaoEmulator, control: httpx.Client, browser: Kauth
) -> None:
    uri = "http://127.0.0.1:4000/oauth/kakao/callback"
    assert (
        "KOE006"
        in browser.client.get(
            "/oauth/authorize",
            params={"client_id": emu.app.client_id, "redirect_uri": uri, "response_type": "code"},
        ).text
    )

    control.post("/_emulator/app/redirect_uris", json={"uri": uri})

    answer = browser.client.get(
        "/oauth/authorize",
        params={"client_id": emu.app.client_id, "redirect_uri": uri, "response_type": "code"},
    )
    assert answer.headers["location"].startswith(f"{uri}?code=")


def test_switch_the_secret_and_oidc_off(
    emu: KakaoEmulator, control: httpx.Client, browser: Kauth
) -> None:
    app = control.patch("/_emulator/app", json={"client_secret": None, "oidc": False}).json()

    browser.client_secret = None
    assert app["client_secret"] is None
    assert browser.exchange(browser.code()).status_code == 200
    assert "KOE205" in browser.authorize(scope="openid").text


def test_configure_consent_items_and_service_terms(
    emu: KakaoEmulator, control: httpx.Client
) -> None:
    app = control.patch(
        "/_emulator/app",
        json={
            "consent_items": ["profile_nickname", {"id": "account_email", "required": True}],
            "service_terms": [{"tag": "terms_service", "required": True}, "terms_sms"],
        },
    ).json()

    assert [(i["id"], i["required"]) for i in app["consent_items"]] == [
        ("profile_nickname", True),
        ("account_email", True),
    ]
    assert [(t["tag"], t["required"]) for t in app["service_terms"]] == [
        ("terms_service", True),
        ("terms_sms", False),
    ]
    assert list(emu.app.consent_items) == ["profile_nickname", "account_email"]


def test_add_apps_and_users_from_presets(emu: KakaoEmulator, control: httpx.Client) -> None:
    app = control.post("/_emulator/apps", json={"preset": "personal_oidc"}).json()
    user = control.post(
        "/_emulator/users", json={"preset": "no_email", "app_id": app["app_id"]}
    ).json()

    assert app["oidc"] is True
    assert [i["id"] for i in app["consent_items"]] == ["profile_nickname", "profile_image"]
    assert user["email"] is None
    assert user["linked_app_ids"] == [app["app_id"]]
    assert control.post("/_emulator/users", json={"preset": "nope"}).status_code == 400


def test_reset_into_other_presets_and_settings(emu: KakaoEmulator, control: httpx.Client) -> None:
    control.post(
        "/_emulator/reset",
        json={"app_preset": "personal", "user_preset": "no_email", "access_token_lifetime": 60},
    )

    state = control.get("/_emulator/state").json()
    assert state["app"]["preset"] == "personal"
    assert state["config"]["access_token_lifetime"] == 60
    assert emu.user.email is None
    assert control.post("/_emulator/reset", json={"app_preset": "nope"}).status_code == 400


def test_a_browser_session_from_the_control_plane(
    emu: KakaoEmulator, control: httpx.Client, browser: Kauth
) -> None:
    control.patch("/_emulator/config", json={"auto_approve": False})
    assert browser.authorize().status_code == 200  # the login page

    session = control.post("/_emulator/sessions", json={"user_id": emu.user.id}).json()
    browser.client.cookies.set(session["cookie"], session["value"])

    assert "code" in browser.redirect_params(browser.authorize())


def test_tokens_clock_and_typed_faults(emu: KakaoEmulator, control: httpx.Client) -> None:
    tokens = control.post("/_emulator/tokens", json={"openid": True, "key": "native"}).json()
    control.post("/_emulator/clock/freeze", json={"at": 2_000_000_000})
    control.post("/_emulator/clock/advance", json={"seconds": 10})
    control.post("/_emulator/faults", json={"path": "/v2/user/me", "kapi_error": -405})

    me = control.get("/v2/user/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})

    assert (emu.keys.verify(tokens["id_token"]) or {})["aud"] == emu.app.native_key
    assert emu.clock.now() == 2_000_000_010
    assert (me.status_code, me.json()["code"]) == (403, -405)
    assert (
        control.post("/_emulator/faults", json={"path": "/x", "kapi_error": 7}).status_code == 400
    )


def test_unknown_settings_are_refused_by_name(control: httpx.Client) -> None:
    answer = control.patch("/_emulator/app", json={"colour": "blue"})

    assert answer.status_code == 400
    assert "colour" in answer.json()["error"]


def test_the_command_line_sets_the_default_app_across_resets() -> None:
    args = build_parser().parse_args(
        ["--preset", "biz", "--redirect-uri", "http://app.test/cb", "--no-secret", "--no-oidc",
         "--consent-items", "profile_nickname,account_email", "--service-term",
         "terms_service:required", "--webhook-url", "http://app.test/unlink",
         "--no-auto-link", "--set", "access_token_lifetime=60", "--set",
         "jwks_rate_limit=[100, 60]"]
    )  # fmt: skip
    emulator = KakaoEmulator(config=build_config(args), auto_approve=True)

    emulator.reset()

    app = emulator.app
    assert "http://app.test/cb" in app.redirect_uris
    assert (app.client_secret, app.oidc, app.auto_link) == (None, False, False)
    assert list(app.consent_items) == ["profile_nickname", "account_email"]
    assert app.service_terms["terms_service"].required
    assert app.webhook_url == "http://app.test/unlink"
    assert emulator.config.access_token_lifetime == 60
    assert emulator.config.jwks_rate_limit == (100, 60)


def test_the_command_line_refuses_unknown_presets_and_settings() -> None:
    with pytest.raises(SystemExit):
        build_config(build_parser().parse_args(["--preset", "enterprise"]))
    with pytest.raises(SystemExit):
        build_config(build_parser().parse_args(["--set", "colour=1"]))
