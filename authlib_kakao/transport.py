"""The only code that sends: the sync and async pumps that drive core flows, and the error mapping.

The pumps turn a flow's :class:`~authlib_kakao.core.http.HTTPRequest` into a call of a sender
(the app's Authlib session, see ``integrations.mixin``) and a :class:`~authlib_kakao.core.http.Sleep`
into a real wait. :func:`transport_errors` turns the HTTP libraries' network failures and timeouts
into :class:`~authlib_kakao.errors.KakaoTransportError` and names the failed call on every error.

No HTTP library is imported here: an exception can only come from a library already loaded, so
its classes are looked up in ``sys.modules`` when one is raised (``import authlib_kakao`` stays
cheap, and a Flask app never loads httpx).
"""

from __future__ import annotations

import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

from authlib_kakao.core.flows import Flow
from authlib_kakao.core.http import HTTPRequest, HTTPResponse, Sleep
from authlib_kakao.errors import KakaoError, KakaoResponseError, KakaoTransportError

__all__ = [
    "deadline_of",
    "pump",
    "pump_async",
    "read_capped",
    "read_capped_async",
    "response_call",
    "sent_credentials",
    "timed_out",
    "to_http_response",
    "transport_errors",
]

T = TypeVar("T")


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


def deadline_of(timeout: Any) -> float | None:
    """The whole-call deadline in seconds for a requests ``timeout`` (a number or a (connect,
    read) pair) or an httpx per-request timeout dict; ``None`` for no timeout at all."""
    if isinstance(timeout, dict):  # httpx: {"connect": 10.0, "read": 10.0, ...}
        values = [v for v in timeout.values() if isinstance(v, (int, float))]
        return max(values) if values else None
    if isinstance(timeout, (tuple, list)):  # requests: (connect, read)
        values = [v for v in timeout if isinstance(v, (int, float))]
        return float(sum(values)) if values else None
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return float(timeout)
    return None


def timed_out(seconds: float | None = None) -> KakaoTransportError:
    """The error for a call that passed its deadline (of ``seconds``, when known)."""
    deadline = f"the {seconds:g} s deadline" if seconds is not None else "its deadline"
    return KakaoTransportError(f"Kakao did not answer completely within {deadline}", timeout=True)


def _too_large(limit: int) -> KakaoResponseError:
    return KakaoResponseError(
        f"Kakao's answer is larger than {limit} bytes (register_kakao(max_response_bytes=...)); "
        f"it was not read"
    )


def _check_length(headers: Any, limit: int) -> None:
    declared = str(headers.get("content-length") or "").strip()
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)


def read_capped(
    headers: Any, chunks: Iterable[bytes], limit: int, until: float | None = None
) -> bytes:
    """The body from ``chunks``, refused past ``limit`` bytes or the ``until`` deadline
    (``time.monotonic()``) without reading the rest."""
    _check_length(headers, limit)
    body = bytearray()
    for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
        if until is not None and time.monotonic() > until:
            raise timed_out()
    return bytes(body)


async def read_capped_async(
    headers: Any, chunks: AsyncIterator[bytes], limit: int, until: float | None = None
) -> bytes:
    """:func:`read_capped` for an async chunk iterator (the deadline itself is the caller's)."""
    _check_length(headers, limit)
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def to_http_response(resp: Any) -> HTTPResponse:
    """A requests or httpx response as the core's value, with what its request sent to mask."""
    try:
        request = resp.request
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError for a bare Response
        request = None
    return HTTPResponse(
        int(resp.status_code),
        dict(resp.headers),
        bytes(resp.content),
        sent_credentials=sent_credentials(request),
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
) -> T:
    """Drive ``flow`` with a blocking sender."""
    try:
        step = next(flow)
        while True:
            if isinstance(step, Sleep):
                sleep(step.seconds)
                step = flow.send(None)
            else:
                step = flow.send(send(step))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def pump_async(
    flow: Flow[T],
    send: Callable[[HTTPRequest], Awaitable[HTTPResponse]],
    sleep: Callable[[float], Awaitable[object]] | None = None,
) -> T:
    """Drive ``flow`` with an awaited sender (``sleep`` defaults to ``asyncio.sleep``)."""
    if sleep is None:
        import asyncio  # here, so that a sync app never pays for importing asyncio

        sleep = asyncio.sleep
    try:
        step = next(flow)
        while True:
            if isinstance(step, Sleep):
                await sleep(step.seconds)
                step = flow.send(None)
            else:
                step = flow.send(await send(step))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
