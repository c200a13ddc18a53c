"""Against a hostile server every call ends in a documented error within its deadline, unread.

The same cases run through the sync face (Flask: requests) and the async face (Starlette: httpx).
The deadline is 0.3 s while each behaviour would otherwise last a minute. No clock is read here:
a call the deadline ended says so (``timeout=True``), and a server that keeps sending is proven cut
off by how little it got to send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from authlib.integrations.flask_client import OAuth as FlaskOAuth
from authlib.integrations.starlette_client import OAuth as StarletteOAuth
from flask import Flask
from hostile import HUGE, HostileServer, gzip_bomb, hostile_server

from authlib_kakao import KakaoError, KakaoResponseError, KakaoTransportError, register_kakao

DEADLINE = 0.3
TOKEN = {"access_token": "at-hostile-123456", "token_type": "bearer", "expires_in": 3600}

# mode -> (exception, its timeout flag or None, words of the message)
CASES: dict[str, tuple[type[KakaoError], bool | None, str]] = {
    # The deadline, or the library's own read timeout when both end at once (a black hole).
    "drip_body": (KakaoTransportError, True, "did not answer"),
    "drip_headers": (KakaoTransportError, True, "did not answer"),
    "black_hole": (KakaoTransportError, True, "did not answer"),
    # An https Kakao that drips its TLS handshake: the deadline covers the handshake too.
    "drip_tls": (KakaoTransportError, True, "did not answer"),
    "endless": (KakaoResponseError, None, "larger than"),
    "huge": (KakaoResponseError, None, "larger than"),
    "gzip_bomb": (KakaoResponseError, None, "larger than"),
    "reset": (KakaoTransportError, False, "could not reach"),
}


@pytest.fixture
def server() -> Iterator[HostileServer]:
    gzip_bomb()  # built before the clock starts: the server answers at once
    with hostile_server() as running:
        yield running


def options(server: HostileServer) -> dict[str, Any]:
    url = server.url.replace("http://", "https://") if server.mode == "drip_tls" else server.url
    return {"client_id": "id", "kauth_url": url, "kapi_url": url, "timeout": DEADLINE}


def sync_userinfo(server: HostileServer) -> None:
    app = Flask(__name__)
    kakao = register_kakao(FlaskOAuth(app), **options(server))
    with app.test_request_context():
        kakao.userinfo(token=TOKEN)


def async_userinfo(server: HostileServer) -> None:
    kakao = register_kakao(StarletteOAuth(), **options(server))
    asyncio.run(kakao.userinfo(token=TOKEN))


FACES = {"sync": sync_userinfo, "async": async_userinfo}


# httpx's own deadline (asyncio's cancellation) ends a dripped TLS handshake too, but httpcore
# leaves that socket to the garbage collector (a ResourceWarning): the TLS case is the sync face's,
# whose deadline is ours (``http.deadline``).
PAIRS = [(mode, face) for mode in CASES for face in FACES if (mode, face) != ("drip_tls", "async")]


@pytest.mark.parametrize(("mode", "face"), PAIRS)
def test_every_hostile_answer_ends_in_its_documented_error(
    server: HostileServer, mode: str, face: str
) -> None:
    exception, timeout, words = CASES[mode]
    server.mode = mode

    with pytest.raises(exception) as caught:
        FACES[face](server)

    assert words in str(caught.value)
    assert str(caught.value).endswith("[GET /v2/user/me]")
    if timeout is not None:
        assert caught.value.timeout is timeout  # type: ignore[attr-defined]
    if mode in ("endless", "huge"):
        assert server.sent < HUGE // 2  # the client stopped reading long before the end
