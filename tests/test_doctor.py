"""authlib-kakao doctor: each mistake found, with the console path that fixes it."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from authlib_kakao.doctor import Configuration, check, from_environment, from_settings, render

KEY = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"

# configuration -> (level, words) findings that must be there
CASES: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {
    "no_client_id": ({}, [("error", "KOE101")]),
    "not_a_key": ({"client_id": "my-app"}, [("warning", "32 hex characters")]),
    "admin_key_as_client_id": ({"client_id": KEY, "admin_key": KEY}, [("error", "admin key")]),
    "js_key_as_client_id": ({"client_id": KEY, "javascript_key": KEY}, [("error", "KOE008")]),
    "no_secret": ({"client_id": KEY}, [("warning", "KOE010")]),
    "secret": ({"client_id": KEY, "client_secret": "s"}, [("ok", "form body")]),
    "no_redirect": ({"client_id": KEY}, [("warning", "KOE006")]),
    "relative_redirect": ({"client_id": KEY, "redirect_uris": ("/auth",)}, [("error", "absolute")]),
    "fragment": ({"client_id": KEY, "redirect_uris": ("https://a.example/auth#x",)},
                 [("error", "fragment")]),
    "public_http": ({"client_id": KEY, "redirect_uris": ("http://a.example/auth",)},
                    [("warning", "ProxyFix")]),
    "local_http": ({"client_id": KEY, "redirect_uris": ("http://localhost:8000/auth",)},
                   [("ok", "register exactly http://localhost:8000/auth")]),
    "biz_scope": ({"client_id": KEY, "scope": "account_email,phone_number"},
                  [("warning", "account_email"), ("warning", "phone_number")]),
    "open_scope": ({"client_id": KEY, "scope": "profile_nickname"}, [("ok", "no scope")]),
    "openid": ({"client_id": KEY, "openid": True}, [("ok", "[OpenID Connect]")]),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_each_mistake_is_found(case: str) -> None:
    values, expected = CASES[case]

    findings = check(Configuration(**values))

    for level, words in expected:
        assert any(f.level == level and words in f"{f.message} {f.fix}" for f in findings), (
            level,
            words,
            render(findings),
        )


def test_a_sound_configuration_has_no_errors() -> None:
    config = Configuration(client_id=KEY, client_secret="s", admin_key=OTHER,
                           redirect_uris=("https://a.example/auth",), scope="profile_nickname")  # fmt: skip

    assert [f.level for f in check(config)].count("error") == 0


def test_the_environment_is_read() -> None:
    config = from_environment({"KAKAO_CLIENT_ID": KEY, "KAKAO_REDIRECT_URI": "https://a/x, https://b/y",
                               "KAKAO_OPENID": "true", "KAKAO_SCOPE": "account_email"})  # fmt: skip

    assert (config.client_id, config.openid, config.scope) == (KEY, True, "account_email")
    assert config.redirect_uris == ("https://a/x", "https://b/y")


def test_django_settings_and_flask_config_modules_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    django_like = types.ModuleType("django_settings_for_doctor")
    django_like.AUTHLIB_OAUTH_CLIENTS = {  # type: ignore[attr-defined]
        "kakao": {"client_id": KEY, "client_secret": "s", "client_kwargs": {"scope": "gender"}}
    }
    flask_like = types.ModuleType("flask_config_for_doctor")
    flask_like.KAKAO_CLIENT_ID = OTHER  # type: ignore[attr-defined]
    flask_like.KAKAO_REDIRECT_URI = "https://a/auth"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, django_like.__name__, django_like)
    monkeypatch.setitem(sys.modules, flask_like.__name__, flask_like)

    from_django = from_settings(django_like.__name__)
    from_flask = from_settings(flask_like.__name__)

    assert (from_django.client_id, from_django.scope) == (KEY, "gender")
    assert (from_flask.client_id, from_flask.redirect_uris) == (OTHER, ("https://a/auth",))
    assert from_flask.source == flask_like.__name__


def test_the_scope_in_client_kwargs_and_django_level_keys_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    django_like = types.ModuleType("django_settings_with_keys")
    django_like.AUTHLIB_OAUTH_CLIENTS = {"kakao": {"client_id": KEY}}  # type: ignore[attr-defined]
    django_like.KAKAO_ADMIN_KEY = KEY  # type: ignore[attr-defined]
    flask_like = types.ModuleType("flask_config_with_kwargs")
    flask_like.KAKAO_CLIENT_ID = KEY  # type: ignore[attr-defined]
    flask_like.KAKAO_CLIENT_KWARGS = {"scope": "account_email"}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, django_like.__name__, django_like)
    monkeypatch.setitem(sys.modules, flask_like.__name__, flask_like)

    django_findings = render(check(from_settings(django_like.__name__)))
    flask_findings = render(check(from_settings(flask_like.__name__)))

    assert "admin key" in django_findings  # the client_id is the admin key
    assert "account_email" in flask_findings


def test_no_scope_is_reported_as_the_consoles_items() -> None:
    findings = check(Configuration(client_id=KEY))

    assert any("consent items set in its console" in f.message for f in findings)
    assert not any("no scope needs" in f.message for f in findings)


def test_the_secrets_stay_out_of_the_repr() -> None:
    config = Configuration(client_id=KEY, client_secret="s3cr3t-value", admin_key=OTHER)

    assert "s3cr3t-value" not in repr(config)
    assert OTHER not in repr(config)
    assert KEY in repr(config)
