"""Kakao's user APIs on the app register_kakao returns: the same calls, the same results, through
the Flask and Django faces (blocking) and the Starlette face (awaited), against the emulator."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask

from authlib_kakao import (
    ConsentRequiredError,
    InvalidAccessTokenError,
    InvalidIDTokenError,
    KakaoAPIError,
    KakaoConfigError,
    register_kakao,
)
from authlib_kakao.testing import KakaoEmulator

Call = Callable[..., Any]


def options(emulator: KakaoEmulator, **extra: Any) -> dict[str, Any]:
    app = emulator.app
    return {"kauth_url": emulator.url, "kapi_url": emulator.url, "client_id": app.client_id,
            "client_secret": app.client_secret, **extra}  # fmt: skip


class Face:
    """One framework's Kakao app, its methods called the way that framework calls them."""

    def __init__(self, name: str, emulator: KakaoEmulator, **extra: Any) -> None:
        self.name = name
        if name == "flask":
            self.flask = Flask(__name__)
            self.kakao = register_kakao(FlaskOAuth(self.flask), **options(emulator, **extra))
        elif name == "django":
            from authlib.integrations.django_client import OAuth as DjangoOAuth
            from harness import configure_django

            configure_django()
            self.kakao = register_kakao(DjangoOAuth(), **options(emulator, **extra))
        else:
            self.kakao = register_kakao(StarletteOAuth(), **options(emulator, **extra))

    def __call__(self, method: str, *args: Any, **kwargs: Any) -> Any:
        bound = getattr(self.kakao, method)
        if inspect.iscoroutinefunction(bound):
            return asyncio.run(bound(*args, **kwargs))
        if self.name == "flask":
            with self.flask.app_context():
                return bound(*args, **kwargs)
        return bound(*args, **kwargs)


@pytest.fixture(params=["flask", "django", "starlette"])
def face(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> Face:
    return Face(request.param, kakao_emulator)


@pytest.fixture
def token(kakao_emulator: KakaoEmulator) -> dict[str, Any]:
    return kakao_emulator.issue_tokens()


def test_me_is_kakaos_raw_answer_filtered_by_property_keys(
    face: Face, token: dict[str, Any], kakao_emulator: KakaoEmulator
) -> None:
    whole = face("me", token=token)
    only_email = face("me", property_keys=["kakao_account.email"], token=token)

    assert whole["id"] == kakao_emulator.user.id
    assert whole["kakao_account"]["profile"]["nickname"] == kakao_emulator.user.nickname
    assert only_email["kakao_account"]["email"] == kakao_emulator.user.email
    assert "profile" not in only_email["kakao_account"]


def test_userinfo_serves_profile_images_over_https(face: Face, token: dict[str, Any]) -> None:
    claims = face("userinfo", token=token)
    raw = face("me", secure_resource=False, token=token)

    assert claims["picture"].startswith("https://")
    assert raw["kakao_account"]["profile"]["thumbnail_image_url"].startswith("http://")


def test_token_info(face: Face, token: dict[str, Any], kakao_emulator: KakaoEmulator) -> None:
    info = face("token_info", token=token)

    assert (info["id"], info["app_id"]) == (kakao_emulator.user.id, kakao_emulator.app.app_id)
    assert 0 < info["expires_in"] <= 21599


def test_logout_ends_the_token(
    face: Face, token: dict[str, Any], kakao_emulator: KakaoEmulator
) -> None:
    assert face("logout", token=token) == kakao_emulator.user.id

    with pytest.raises(InvalidAccessTokenError):
        face("me", token={k: v for k, v in token.items() if k != "refresh_token"})


def test_unlink_disconnects_the_user(
    face: Face, token: dict[str, Any], kakao_emulator: KakaoEmulator
) -> None:
    assert face("unlink", token=token) == kakao_emulator.user.id

    assert kakao_emulator.app.app_id not in kakao_emulator.user.links
    with pytest.raises(InvalidAccessTokenError):  # unlinking revoked every token
        face("me", token={k: v for k, v in token.items() if k != "refresh_token"})


def test_update_profile_stores_registered_properties_and_refuses_others(
    face: Face, token: dict[str, Any], kakao_emulator: KakaoEmulator
) -> None:
    assert face("update_profile", {"custom_field": "gold"}, token=token) == kakao_emulator.user.id
    assert face("me", token=token)["properties"]["custom_field"] == "gold"

    with pytest.raises(KakaoAPIError) as caught:
        face("update_profile", {"not_registered": "x"}, token=token)
    assert caught.value.code == -201
    assert "[User Properties]" in caught.value.hint


def test_scopes_and_revoking_one(face: Face, token: dict[str, Any]) -> None:
    before = {s["id"]: s for s in face("scopes", token=token)["scopes"]}
    face("revoke_scopes", ["account_email"], token=token)
    after = {s["id"]: s for s in face("scopes", ["account_email"], token=token)["scopes"]}

    assert before["account_email"]["agreed"] is True
    assert after == {"account_email": {**after["account_email"], "agreed": False}}
    with pytest.raises(KakaoAPIError) as caught:
        face("revoke_scopes", ["profile_nickname"], token=token)  # required: not revocable
    assert caught.value.code == -3


def test_service_terms_revoke_and_what_is_missing(face: Face, token: dict[str, Any]) -> None:
    agreed = {t["tag"] for t in face("service_terms", token=token)["service_terms"]}
    face("revoke_service_terms", ["terms_marketing"], token=token)

    assert agreed == {"terms_service", "terms_marketing"}
    missing = face("missing_service_terms", ["terms_service", "terms_marketing"], token=token)
    assert missing == ["terms_marketing"]


def test_shipping_addresses(
    face: Face, token: dict[str, Any], kakao_emulator: KakaoEmulator
) -> None:
    answer = face("shipping_addresses", token=token)

    assert answer["user_id"] == kakao_emulator.user.id
    assert isinstance(answer["shipping_addresses"], list)


def test_a_missing_consent_names_the_scopes_to_ask_for(
    face: Face, token: dict[str, Any], kakao_emulator: KakaoEmulator
) -> None:
    body = ('{"msg":"insufficient scopes","code":-402,"api_type":"SHIPPING_ADDRESS",'
            '"required_scopes":["shipping_address"],"allowed_scopes":["profile_nickname"]}')  # fmt: skip
    kakao_emulator.inject_fault("/v1/user/shipping_address", status=403, body=body)

    with pytest.raises(ConsentRequiredError) as caught:
        face("shipping_addresses", token=token)

    assert caught.value.required_scopes == ["shipping_address"]


def test_the_same_call_answers_the_same_in_every_framework(
    kakao_emulator: KakaoEmulator, token: dict[str, Any]
) -> None:
    answers = [
        Face(name, kakao_emulator)("me", token=token) for name in ("flask", "django", "starlette")
    ]

    assert answers[0] == answers[1] == answers[2]


# -- the Kakao-account logout ------------------------------------------------------------------


def test_logout_url_is_kakaos_account_logout(face: Face, kakao_emulator: KakaoEmulator) -> None:
    url = face.kakao.logout_url("http://localhost/logged-out", state="s1")

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{kakao_emulator.url}/oauth/logout"
    assert parse_qs(parts.query) == {"client_id": [kakao_emulator.app.client_id],
                                     "logout_redirect_uri": ["http://localhost/logged-out"],
                                     "state": ["s1"]}  # fmt: skip


def test_create_logout_url_follows_authlibs_shape(face: Face) -> None:
    result = face("create_logout_url", "http://localhost/logged-out")

    assert set(result) == {"url", "state"}
    assert f"state={result['state']}" in result["url"]
    with pytest.raises(KakaoConfigError, match="logout_redirect_uri"):
        face("create_logout_url")


# -- app-to-app login with an SDK token ---------------------------------------------------------


def test_sdk_token_login_needs_the_app_id(face: Face, token: dict[str, Any]) -> None:
    with pytest.raises(KakaoConfigError, match="app_id"):
        face("login_with_sdk_token", token["access_token"])


@pytest.fixture(params=["flask", "django", "starlette"])
def sdk_face(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> Face:
    native = "native-app-key"
    kakao_emulator.app.extra_audiences.append(native)
    return Face(request.param, kakao_emulator, app_id=kakao_emulator.app.app_id,
                allowed_audiences=[native])  # fmt: skip


def test_an_sdk_token_of_this_app_logs_the_user_in(
    sdk_face: Face, kakao_emulator: KakaoEmulator
) -> None:
    token = kakao_emulator.issue_tokens(openid=True)

    claims = sdk_face("login_with_sdk_token", token["access_token"], token["id_token"])

    assert claims["sub"] == str(kakao_emulator.user.id)
    assert claims["nickname"] == kakao_emulator.user.nickname


def test_an_sdk_token_of_another_app_is_refused(
    sdk_face: Face, kakao_emulator: KakaoEmulator
) -> None:
    other = kakao_emulator.add_app()
    kakao_emulator.link(kakao_emulator.user, other)
    token = kakao_emulator.issue_tokens(app=other)

    with pytest.raises(InvalidAccessTokenError, match="another Kakao app"):
        sdk_face("login_with_sdk_token", token["access_token"])


def test_an_sdk_id_token_for_a_foreign_audience_is_refused(
    sdk_face: Face, kakao_emulator: KakaoEmulator
) -> None:
    other = kakao_emulator.add_app()
    kakao_emulator.link(kakao_emulator.user, other)
    foreign = kakao_emulator.issue_tokens(app=other, openid=True)["id_token"]
    ours = kakao_emulator.issue_tokens()

    with pytest.raises(InvalidIDTokenError, match="aud"):
        sdk_face("login_with_sdk_token", ours["access_token"], foreign)
