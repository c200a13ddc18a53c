"""The only module that knows the HTTP libraries: requests (Flask, Django) and httpx/httpx2 (Starlette).

It turns their responses into the core's :class:`~authlib_kakao.core.responses.HTTPResponse`, and their
network failures and timeouts into :class:`~authlib_kakao.errors.KakaoTransportError`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import requests

from authlib_kakao.core.responses import HTTPResponse
from authlib_kakao.errors import KakaoTransportError

__all__ = [
    "DEFAULT_TIMEOUT",
    "pump",
    "pump_async",
    "replace_json",
    "to_http_response",
    "transport_errors",
]

T = TypeVar("T")
Flow = Generator[str, HTTPResponse, T]

DEFAULT_TIMEOUT = 10.0


def _httpx_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """(timeout errors, other transport errors) of whichever httpx flavours are installed."""
    timeouts: list[type[BaseException]] = []
    others: list[type[BaseException]] = []
    for module_name in ("httpx2", "httpx"):
        try:
            module: Any = __import__(module_name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        others.append(module.TransportError)
    return tuple(timeouts), tuple(others)


_HTTPX_TIMEOUTS, _HTTPX_TRANSPORT = _httpx_errors()
_TIMEOUTS: tuple[type[BaseException], ...] = (requests.Timeout, *_HTTPX_TIMEOUTS)
_TRANSPORT: tuple[type[BaseException], ...] = (
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    *_HTTPX_TRANSPORT,
)


@contextmanager
def transport_errors(what: str = "Kakao") -> Iterator[None]:
    """Re-raise network failures and timeouts inside the block as :class:`KakaoTransportError`."""
    try:
        yield
    except _TIMEOUTS as exc:
        raise KakaoTransportError(
            f"{what} did not answer in time ({type(exc).__name__})", timeout=True
        ) from None
    except _TRANSPORT as exc:
        # The exception text can carry the full URL with query parameters, so only its type is kept.
        raise KakaoTransportError(f"could not reach {what} ({type(exc).__name__})") from None


def to_http_response(resp: Any) -> HTTPResponse:
    """A requests or httpx response as the core's value (both share these three attributes)."""
    return HTTPResponse(int(resp.status_code), dict(resp.headers), bytes(resp.content))


def replace_json(resp: Any, data: dict[str, Any]) -> Any:
    """Make ``resp.json()`` return ``data`` (what Authlib reads next); works for requests and httpx."""
    resp.json = lambda **_: data
    resp._content = json.dumps(data).encode()
    return resp


def pump(flow: Flow[T], get: Callable[[str], HTTPResponse]) -> T:
    """Drive a core flow with a blocking GET."""
    try:
        url = next(flow)
        while True:
            url = flow.send(get(url))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def pump_async(flow: Flow[T], get: Callable[[str], Awaitable[HTTPResponse]]) -> T:
    """Drive a core flow with an awaited GET."""
    try:
        url = next(flow)
        while True:
            url = flow.send(await get(url))
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
