"""Connections to Kakao are pooled per app: reused across calls, closed on shutdown.

A TCP forwarder in front of the emulator counts the connections the client really opens.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask
from tcp_counter import TCPCounter, tcp_counter

from authlib_kakao import register_kakao
from authlib_kakao.testing import KakaoEmulator

CALLS = 5


@pytest.fixture
def counter(kakao_emulator: KakaoEmulator) -> Iterator[TCPCounter]:
    assert kakao_emulator.url
    with tcp_counter(kakao_emulator.url) as running:
        yield running


def register(oauth: Any, emulator: KakaoEmulator, url: str, **extra: Any) -> Any:
    app = emulator.app
    return register_kakao(oauth, kauth_url=url, kapi_url=url, client_id=app.client_id,
                          client_secret=app.client_secret, **extra)  # fmt: skip


def test_a_flask_app_reuses_one_connection_and_closes_it_on_close(
    kakao_emulator: KakaoEmulator, counter: TCPCounter
) -> None:
    kakao = register(FlaskOAuth(Flask(__name__)), kakao_emulator, counter.url)
    token = kakao_emulator.issue_tokens()

    for _ in range(CALLS):
        assert kakao.userinfo(token=token)["sub"] == str(kakao_emulator.user.id)
    assert (counter.opened, counter.closed) == (1, 0)

    kakao.close()
    assert counter.wait_closed(1)


def test_a_starlette_app_reuses_one_connection_per_loop_and_closes_it_when_the_loop_ends(
    kakao_emulator: KakaoEmulator, counter: TCPCounter
) -> None:
    kakao = register(StarletteOAuth(), kakao_emulator, counter.url)
    token = kakao_emulator.issue_tokens()

    async def calls() -> None:
        for _ in range(CALLS):
            assert (await kakao.userinfo(token=token))["sub"] == str(kakao_emulator.user.id)
        assert (counter.opened, counter.closed) == (1, 0)

    asyncio.run(calls())  # no explicit close: the loop's shutdown closes the pool

    assert counter.wait_closed(1)


def test_an_explicit_async_close_ends_the_connection_and_a_later_call_reconnects(
    kakao_emulator: KakaoEmulator, counter: TCPCounter
) -> None:
    kakao = register(StarletteOAuth(), kakao_emulator, counter.url)
    token = kakao_emulator.issue_tokens()

    async def calls() -> None:
        await kakao.userinfo(token=token)
        await kakao.close()
        assert counter.wait_closed(1)
        await kakao.userinfo(token=token)
        assert counter.opened == 2

    asyncio.run(calls())


def test_concurrent_async_calls_share_the_pool(
    kakao_emulator: KakaoEmulator, counter: TCPCounter
) -> None:
    kakao = register(StarletteOAuth(), kakao_emulator, counter.url)
    token = kakao_emulator.issue_tokens()

    async def calls() -> list[Any]:
        first = await asyncio.gather(*(kakao.userinfo(token=token) for _ in range(20)))
        second = await asyncio.gather(*(kakao.userinfo(token=token) for _ in range(20)))
        return [*first, *second]

    assert len(asyncio.run(calls())) == 40
    assert counter.opened <= 20  # the second wave reused the first wave's connections


def authlibs_httpx() -> Any:
    """httpx2 or httpx: whichever Authlib's client is built on here."""
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    base = next(b for b in AsyncOAuth2Client.__mro__ if b.__name__ == "AsyncClient")
    return sys.modules[base.__module__.split(".")[0]]


def test_a_users_own_transport_is_kept(kakao_emulator: KakaoEmulator, counter: TCPCounter) -> None:
    transport = authlibs_httpx().ASGITransport(app=kakao_emulator.asgi)  # in process: no TCP
    kakao = register(StarletteOAuth(), kakao_emulator, counter.url,
                     client_kwargs={"transport": transport})  # fmt: skip
    token = kakao_emulator.issue_tokens()

    claims = asyncio.run(kakao.userinfo(token=token))

    assert claims["sub"] == str(kakao_emulator.user.id)
    assert counter.opened == 0


def test_a_proxy_in_client_kwargs_goes_through_the_pool(kakao_emulator: KakaoEmulator) -> None:
    # The proxy is never contacted: only where each call's client would send its requests.
    kakao = register(StarletteOAuth(), kakao_emulator, "http://127.0.0.1:9",
                     client_kwargs={"proxy": "http://127.0.0.1:9"})  # fmt: skip

    async def transports() -> tuple[Any, Any]:
        first, second = kakao._get_oauth_client(), kakao._get_oauth_client()
        url = first._merge_url("http://127.0.0.1:9/v2/user/me")
        return first._transport_for_url(url), second._transport_for_url(url)

    first, second = asyncio.run(transports())

    assert first is second  # both calls share one transport: the pool's
    assert type(first).__module__ == "authlib_kakao.http.pool"
