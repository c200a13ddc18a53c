"""One connection per app, shared: the admin client and the webhook receivers built for an app use
its connection (one pool, one JWKS cache), and the wrong kind of connection is refused."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask

from authlib_kakao import AsyncKakaoAdmin, KakaoAdmin, KakaoConfigError, register_kakao
from authlib_kakao.http.connection import AsyncKakaoConnection, KakaoConnection
from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.event_tokens import set_claims
from authlib_kakao.webhooks import AsyncKakaoWebhooks, InlineDispatcher, KakaoWebhooks


def flask_app(emulator: KakaoEmulator, **extra: Any) -> Any:
    return register_kakao(
        FlaskOAuth(Flask(__name__)),
        kauth_url=emulator.url,
        kapi_url=emulator.url,
        client_id=emulator.app.client_id,
        client_secret=emulator.app.client_secret,
        **extra,
    )


def security_event(emulator: KakaoEmulator) -> str:
    claims = set_claims(emulator.state, emulator.app, emulator.user.id, "tokens-revoked")
    return str(emulator.state.keys.sign(claims, typ="secevent+jwt"))


def test_an_app_holds_one_connection_of_its_kind(kakao_emulator: KakaoEmulator) -> None:
    flask = flask_app(kakao_emulator)
    starlette = register_kakao(
        StarletteOAuth(),
        client_id="k",
        client_secret="secret-0123456789",
        kauth_url=kakao_emulator.url,
    )

    assert type(flask.connection) is KakaoConnection
    assert type(starlette.connection) is AsyncKakaoConnection
    assert flask.connection.settings is flask.settings
    assert "secret-0123456789" not in repr(starlette.connection)


def test_the_receiver_for_an_app_verifies_with_the_key_set_its_login_fetched(
    kakao_emulator: KakaoEmulator,
) -> None:
    kakao_emulator.app.oidc = True
    kakao = flask_app(kakao_emulator, openid=True)
    events: list[Any] = []
    hooks = KakaoWebhooks.for_app(
        kakao, on_security_event=events.append, dispatcher=InlineDispatcher()
    )
    id_token = kakao_emulator.issue_tokens(openid=True)["id_token"]
    kakao.parse_id_token({"id_token": id_token}, nonce=None)

    answer = hooks.handle_security_event(security_event(kakao_emulator))

    assert hooks.connection is kakao.connection
    assert answer.status == 202
    assert len(events) == 1
    assert kakao_emulator.count("/.well-known/jwks.json") == 1


def test_an_async_receiver_for_a_blocking_app_shares_its_jwks_cache(
    kakao_emulator: KakaoEmulator,
) -> None:
    kakao = flask_app(kakao_emulator)
    events: list[Any] = []

    async def on_event(event: Any) -> None:
        events.append(event)

    hooks = AsyncKakaoWebhooks.for_app(kakao, on_security_event=on_event)

    async def twice() -> None:
        for _ in range(2):
            assert (await hooks.handle_security_event(security_event(kakao_emulator))).status == 202
        await hooks.drain()

    asyncio.run(twice())

    assert type(hooks.connection) is AsyncKakaoConnection
    assert hooks.connection.jwks is kakao.connection.jwks
    assert kakao.connection.jwks.fetches == 1
    assert len(events) == 2


def test_an_admin_client_can_share_an_apps_connection(kakao_emulator: KakaoEmulator) -> None:
    kakao = register_kakao(
        FlaskOAuth(Flask(__name__)),
        kauth_url=kakao_emulator.url,
        kapi_url=kakao_emulator.url,
        client_id=kakao_emulator.app.client_id,
    )
    kakao_emulator.link(kakao_emulator.user)
    admin = KakaoAdmin(kakao_emulator.app.admin_key, connection=kakao.connection)

    assert admin.me(kakao_emulator.user.id)["id"] == kakao_emulator.user.id
    assert admin.connection is kakao.connection
    assert admin.endpoints.kapi_url == kakao_emulator.url.rstrip("/")


def test_a_connection_of_the_other_kind_or_with_its_own_settings_is_refused(
    kakao_emulator: KakaoEmulator,
) -> None:
    kakao = flask_app(kakao_emulator)

    with pytest.raises(KakaoConfigError, match="AsyncKakaoConnection"):
        AsyncKakaoAdmin("admin-key", connection=kakao.connection)
    with pytest.raises(KakaoConfigError, match="either connection= or"):
        KakaoAdmin("admin-key", connection=kakao.connection, timeout=3)


def test_a_jwks_given_at_registration_is_the_caches_first_set(
    kakao_emulator: KakaoEmulator,
) -> None:
    kakao_emulator.app.oidc = True
    kakao = flask_app(kakao_emulator, openid=True, jwks=kakao_emulator.state.keys.jwks())
    id_token = kakao_emulator.issue_tokens(openid=True)["id_token"]

    claims = kakao.parse_id_token({"id_token": id_token}, nonce=None)

    assert claims["sub"] == str(kakao_emulator.user.id)
    assert kakao_emulator.count("/.well-known/jwks.json") == 0
