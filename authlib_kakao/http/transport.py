"""The only code that sends: the sync and async pumps that drive core flows, and the error mapping.

The pumps turn a flow's :class:`~authlib_kakao.core.messages.HTTPRequest` into a call of a sender
(the app's Authlib session, see ``integrations.mixin``) and a :class:`~authlib_kakao.core.messages.Sleep`
into a real wait. :func:`transport_errors` turns the HTTP libraries' network failures and timeouts
into :class:`~authlib_kakao.errors.KakaoTransportError` and names the failed call on every error.

No HTTP library is imported here: an exception can only come from a library already loaded, so
its classes are looked up in ``sys.modules`` when one is raised (``import authlib_kakao`` stays
cheap, and a Flask app never loads httpx).
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from authlib_kakao.core.flows import Flow, Step
from authlib_kakao.core.messages import Emit, HTTPRequest, HTTPResponse, KeySet, Sleep
from authlib_kakao.errors import KakaoError, KakaoTransportError

if TYPE_CHECKING:
    from authlib_kakao.core.id_token import ParsedJWKS

__all__ = [
    "pump",
    "pump_async",
    "response_call",
    "sent_credentials",
    "stream",
    "stream_async",
    "to_http_response",
    "transport_errors",
]

T = TypeVar("T")
Keys = Callable[[str], "ParsedJWKS"]
"""How a sync pump answers a :class:`KeySet` step: the connection's JWKS cache."""
AsyncKeys = Callable[[str], Awaitable["ParsedJWKS"]]


def _classify(exc: BaseException) -> str | None:
    """``"timeout"``, ``"network"`` or ``None`` (not a transport failure) for ``exc``."""
    requests: Any = sys.modules.get("requests")
    if requests is not None:
        if isinstance(exc, requests.Timeout):
            return "timeout"
        broken = (
            requests.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        )
        if isinstance(exc, broken):
            return "network"
    urllib3: Any = sys.modules.get("urllib3")
    if urllib3 is not None:  # what requests' raw stream raises (the session reads raw bytes)
        if isinstance(exc, urllib3.exceptions.TimeoutError):
            return "timeout"
        if isinstance(exc, urllib3.exceptions.HTTPError):
            return "network"
    for name in ("httpx2", "httpx"):
        httpx: Any = sys.modules.get(name)
        if httpx is None:
            continue
        if isinstance(exc, httpx.TimeoutException):
            return "timeout"
        if isinstance(exc, httpx.TransportError):
            return "network"
    return None


@contextmanager
def transport_errors(method: str, url: str) -> Iterator[None]:
    """Inside the block: network failures and timeouts become :class:`KakaoTransportError`, and
    every :class:`KakaoError` names the call (``method`` and the path of ``url``)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    try:
        yield
    except KakaoError as exc:
        exc.at(method, path)
        raise
    except Exception as exc:
        kind = _classify(exc)
        if kind is None:
            raise
        # The library's text can carry the full URL with its query: only the type is kept.
        reason = type(exc).__name__
        host = parts.netloc or "Kakao"
        message = (
            f"{host} did not answer in time ({reason})"
            if kind == "timeout"
            else f"could not reach {host} ({reason})"
        )
        raise KakaoTransportError(message, timeout=kind == "timeout").at(method, path) from None


# Request fields that carry a credential; their values are masked in any error about the call.
_CREDENTIAL_FIELDS = frozenset(
    {"code", "code_verifier", "client_secret", "refresh_token", "access_token", "id_token", "token"}
)


def sent_credentials(request: Any) -> tuple[str, ...]:
    """The credentials a requests or httpx request carried: its Authorization value and the
    credential fields of its query and form body."""
    if request is None:
        return ()
    found: list[str] = []
    authorization = request.headers.get("Authorization")
    if authorization:
        found.append(str(authorization).partition(" ")[2] or str(authorization))
    body: Any = getattr(request, "body", None)  # requests
    if body is None:
        try:
            body = request.content  # httpx
        except Exception:  # a streamed httpx request has no content to show
            body = b""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    query = urlsplit(str(request.url)).query
    for text in (query, body if isinstance(body, str) else ""):
        found.extend(v for k, v in parse_qsl(text) if k in _CREDENTIAL_FIELDS and v)
    return tuple(found)


def to_http_response(resp: Any) -> HTTPResponse:
    """A requests or httpx response as the core's value, with what its request sent to mask."""
    try:
        request = resp.request
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError for a bare Response
        request = None
    return HTTPResponse(
        int(resp.status_code),
        resp.headers,  # the library's case-insensitive mapping, not copied
        bytes(resp.content),
        credentials_from=functools.partial(sent_credentials, request),
    )


def response_call(resp: Any) -> tuple[str, str] | None:
    """(method, path) of the request behind a requests or httpx response, when it is known."""
    try:
        request = resp.request
        return str(request.method), urlsplit(str(request.url)).path or "/"
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError for a bare Response
        return None


def pump(
    flow: Flow[T],
    send: Callable[[HTTPRequest], HTTPResponse],
    sleep: Callable[[float], object] = time.sleep,
    keys: Keys | None = None,
) -> T:
    """Drive ``flow`` with a blocking sender (and ``keys`` for its key-set lookups); returns the
    flow's result."""
    try:
        step = next(flow)
        while True:
            step = flow.send(_step(step, send, sleep, keys))
    except StopIteration as done:
        result: T = done.value  # a generator's return value: what Flow[T] says it is
        return result


def stream(
    flow: Generator[Step, object, None],
    send: Callable[[HTTPRequest], HTTPResponse],
    sleep: Callable[[float], object] = time.sleep,
    keys: Keys | None = None,
) -> Iterator[Any]:
    """Drive ``flow`` with a blocking sender, yielding each value it emits as it goes."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Emit):
                yield step.value
                step = flow.send(None)
            else:
                step = flow.send(_step(step, send, sleep, keys))
    except StopIteration:
        return


def _step(
    step: Step,
    send: Callable[[HTTPRequest], HTTPResponse],
    sleep: Callable[[float], object],
    keys: Keys | None,
) -> object:
    if isinstance(step, Sleep):
        sleep(step.seconds)
        return None
    if isinstance(step, KeySet):
        if keys is None:
            raise TypeError("this flow verifies a token: drive it with a connection's key set")
        return keys(step.kid)
    if isinstance(step, Emit):
        raise TypeError("this flow emits results one by one: drive it with stream()")
    return send(step)


def _asyncio_sleep() -> Callable[[float], Awaitable[object]]:
    import asyncio  # here, so that a sync app never pays for importing asyncio

    return asyncio.sleep


async def pump_async(
    flow: Flow[T],
    send: Callable[[HTTPRequest], Awaitable[HTTPResponse]],
    sleep: Callable[[float], Awaitable[object]] | None = None,
    keys: AsyncKeys | None = None,
) -> T:
    """Drive ``flow`` with an awaited sender (``sleep`` defaults to ``asyncio.sleep``)."""
    nap = sleep or _asyncio_sleep()
    try:
        step = next(flow)
        while True:
            step = flow.send(await _step_async(step, send, nap, keys))
    except StopIteration as done:
        result: T = done.value  # a generator's return value: what Flow[T] says it is
        return result


async def stream_async(
    flow: Generator[Step, object, None],
    send: Callable[[HTTPRequest], Awaitable[HTTPResponse]],
    sleep: Callable[[float], Awaitable[object]] | None = None,
    keys: AsyncKeys | None = None,
) -> AsyncIterator[Any]:
    """:func:`stream` with an awaited sender."""
    nap = sleep or _asyncio_sleep()
    try:
        step = next(flow)
        while True:
            if isinstance(step, Emit):
                yield step.value
                step = flow.send(None)
            else:
                step = flow.send(await _step_async(step, send, nap, keys))
    except StopIteration:
        return


async def _step_async(
    step: Step,
    send: Callable[[HTTPRequest], Awaitable[HTTPResponse]],
    sleep: Callable[[float], Awaitable[object]],
    keys: AsyncKeys | None,
) -> object:
    if isinstance(step, Sleep):
        await sleep(step.seconds)
        return None
    if isinstance(step, KeySet):
        if keys is None:
            raise TypeError("this flow verifies a token: drive it with a connection's key set")
        return await keys(step.kid)
    if isinstance(step, Emit):
        raise TypeError("this flow emits results one by one: drive it with stream_async()")
    return await send(step)
