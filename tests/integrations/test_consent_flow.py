"""Additional consent end to end in every framework: an API call answers -402 (the emulator's own,
for a user who never agreed to ``shipping_address``), the app's consent helper redirects the user
to agree, the callback stores the new token, and the same call works. Also the Kakao-account
logout redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from harness import Harness

from authlib_kakao.testing import KakaoEmulator

REQUIRED = ('{"msg":"[shipping_address] insufficient scopes.","code":-402,"api_type":'
            '"SHIPPING_ADDRESS","required_scopes":["shipping_address"],'
            '"allowed_scopes":["profile_nickname"]}')  # fmt: skip


def test_a_missing_consent_is_asked_for_and_then_the_call_works(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    kakao_emulator.user.links[kakao_emulator.app.app_id].consents.discard("shipping_address")
    first_token = harness.login().data["access_token"]

    asked = harness.get("/shipping")  # Kakao answers -402: shipping_address was never agreed

    assert asked.status in (302, 303, 307), asked.data
    consent_url = asked.headers["location"]
    assert consent_url.startswith(f"{kakao_emulator.url}/oauth/authorize?")
    assert parse_qs(urlsplit(consent_url).query)["scope"] == ["shipping_address"]
    agreed = requests.get(consent_url, allow_redirects=False, timeout=10)
    assert harness.callback(agreed.headers["location"]).status == 200
    assert harness.store.token is not None
    assert harness.store.token["access_token"] != first_token  # the token the consent gave
    answer = harness.get("/shipping")
    assert answer.status == 200
    assert answer.data["user_id"] == kakao_emulator.user.id


def test_the_kakao_account_logout_redirect(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()

    result = harness.get("/logout")

    assert result.status in (302, 303, 307)
    parts = urlsplit(result.headers["location"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{kakao_emulator.url}/oauth/logout"
    assert parse_qs(parts.query) == {
        "client_id": [kakao_emulator.app.client_id],
        "logout_redirect_uri": [f"{harness.callback_base}/logged-out"],
        "state": ["st"],
    }
    back = requests.get(result.headers["location"], allow_redirects=False, timeout=10)
    assert back.headers["location"] == f"{harness.callback_base}/logged-out?state=st"


def test_the_starlette_exception_handler_answers_any_route_with_the_consent_redirect(
    kakao_emulator: KakaoEmulator,
) -> None:
    from authlib.integrations.starlette_client import OAuth
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.requests import Request
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from authlib_kakao import ConsentRequiredError, register_kakao
    from authlib_kakao.integrations.starlette import consent_exception_handler

    app_keys = kakao_emulator.app
    kakao = register_kakao(OAuth(), kauth_url=kakao_emulator.url, kapi_url=kakao_emulator.url,
                           client_id=app_keys.client_id, client_secret=app_keys.client_secret)  # fmt: skip
    token = kakao_emulator.issue_tokens()
    kakao_emulator.inject_fault("/v1/user/shipping_address", status=403, body=REQUIRED)

    async def shipping(request: Request) -> Any:
        return await kakao.shipping_addresses(token=token)

    app = Starlette(
        routes=[Route("/shipping", shipping)],
        middleware=[Middleware(SessionMiddleware, secret_key="s")],
        exception_handlers={
            ConsentRequiredError: consent_exception_handler(kakao, "http://testserver/auth")
        },
    )

    answer = TestClient(app, follow_redirects=False).get("/shipping")

    assert answer.status_code in (302, 307)
    assert parse_qs(urlsplit(answer.headers["location"]).query)["scope"] == ["shipping_address"]
