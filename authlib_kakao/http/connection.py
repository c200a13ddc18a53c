"""``KakaoConnection`` / ``AsyncKakaoConnection``: the one object that talks to Kakao.

It knows where Kakao is (``settings.endpoints``: ``kauth_url``, ``kapi_url``), sends a catalogue
call bounded in time and size through its connection pool, holds the one JWKS cache
(:class:`~authlib_kakao.http.jwks.JWKSCache`) and drives core flows. The app ``register_kakao``
returns, ``KakaoAdmin`` and the webhook receivers each hold one, and can share one:
``KakaoAdmin(key, connection=kakao.connection)``, ``KakaoWebhooks.for_app(kakao)``.

A flow's steps are answered here: a request with the user's bearer token goes to the caller's
sender (the app's Authlib session, which refreshes an expired token and calls ``update_token``);
any other request (admin key, no credential) is sent by the connection itself; a
:class:`~authlib_kakao.core.messages.KeySet` is answered from the JWKS cache, which fetches only
by its rules (concurrent callers share one fetch); a :class:`~authlib_kakao.core.messages.Sleep`
waits. Every HTTP call is observed once (``http.observe``).

The two classes differ only in how they wait: ``KakaoConnection`` blocks (requests, threads),
``AsyncKakaoConnection`` is awaited (httpx, one event loop at a time).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from authlib_kakao.core.calls import JWKS
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.flows import Flow, Step, call_flow
from authlib_kakao.core.messages import HTTPRequest, HTTPResponse
from authlib_kakao.errors import KakaoConfigError
from authlib_kakao.http.jwks import JWKSCache
from authlib_kakao.http.observe import ATTEMPT
from authlib_kakao.http.pool import ConnectionPool
from authlib_kakao.http.transport import (
    pump,
    pump_async,
    stream,
    stream_async,
    to_http_response,
    transport_errors,
)
from authlib_kakao.refresh import Refresher
from authlib_kakao.settings import DEFAULT_TIMEOUT, KakaoSettings
from authlib_kakao.singleflight import AsyncSingleFlight, SingleFlight
from authlib_kakao.validation import check_mapping, check_size, check_timeout

if TYPE_CHECKING:
    from authlib_kakao.core.id_token import ParsedJWKS

__all__ = ["AsyncKakaoConnection", "BaseConnection", "KakaoConnection", "check_kind"]

T = TypeVar("T")
C = TypeVar("C", bound="BaseConnection")
Bearer = Callable[[HTTPRequest], HTTPResponse]
AsyncBearer = Callable[[HTTPRequest], Awaitable[HTTPResponse]]

# The session's own deadline keywords: requests' and httpx's names for one setting.
_TIMEOUT_KEYS = ("timeout", "default_timeout")


class BaseConnection:
    """What both connections hold; no I/O."""

    def __init__(
        self,
        settings: KakaoSettings | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        client_kwargs: Mapping[str, Any] | None = None,
        jwks: JWKSCache | None = None,
        refresher: Refresher | None = None,
        sleep: Callable[[float], Any] | None = None,
    ) -> None:
        self.settings = settings or KakaoSettings()
        self.timeout = timeout
        self.client_kwargs: dict[str, Any] = {
            k: v for k, v in (client_kwargs or {}).items() if k not in _TIMEOUT_KEYS
        }
        self.pool = ConnectionPool(self.client_kwargs)
        self.jwks = jwks if jwks is not None else JWKSCache()
        # Only an app refreshes tokens; the admin client and the receivers hold none.
        self.refresher = refresher
        # How flows wait (rate-limit back-off): time.sleep / asyncio.sleep unless a test moves a
        # clock instead.
        self.sleep = sleep

    @property
    def endpoints(self) -> Any:
        """Every Kakao URL (``settings.endpoints``)."""
        return self.settings.endpoints

    def __repr__(self) -> str:
        endpoints = self.settings.endpoints
        return (
            f"{type(self).__name__}(kauth_url={endpoints.kauth_url!r}, "
            f"kapi_url={endpoints.kapi_url!r}, timeout={self.timeout:g})"
        )

    def session_kwargs(self) -> dict[str, Any]:
        """What each of our Authlib sessions is built with: the user's options and this
        connection (pool, limits, refresher)."""
        return {**self.client_kwargs, "kakao_shared": self}

    @classmethod
    def configured(
        cls: type[C],
        endpoints: KakaoEndpoints,
        *,
        timeout: object,
        max_response_bytes: object,
        client_kwargs: object,
        jwks: JWKSCache | None = None,
    ) -> C:
        """A connection of its own for a client given these options, each checked first (the
        admin client's and the receivers' keywords)."""
        settings = KakaoSettings(
            endpoints=endpoints,
            max_response_bytes=check_size("max_response_bytes", max_response_bytes),
        )
        return cls(
            settings,
            timeout=check_timeout(timeout),
            client_kwargs=check_mapping("client_kwargs", client_kwargs),
            jwks=jwks,
        )

    def _jwks_request(self) -> HTTPRequest:
        return JWKS.request(self.settings.endpoints)


def check_kind(connection: object, expected: type[BaseConnection], owner: object) -> None:
    """Refuse a shared connection of the wrong kind for ``owner`` (sync with sync, async with
    async): its methods would return coroutines where values are awaited, or the reverse."""
    if not isinstance(connection, expected):
        raise KakaoConfigError(
            f"{type(owner).__name__} needs a {expected.__name__} "
            f"(an app's connection of the same kind: sync with sync, async with async)"
        )


class _Attempts:
    """Numbers the attempts of one flow's calls: the same request again is the next attempt."""

    __slots__ = ("_count", "_last")

    def __init__(self) -> None:
        self._last: HTTPRequest | None = None
        self._count = 0

    def next(self, request: HTTPRequest) -> int:
        self._count = self._count + 1 if request == self._last else 1
        self._last = request
        return self._count


class KakaoConnection(BaseConnection):
    """Kakao, blocking (requests): for Flask and Django apps, ``KakaoAdmin``, ``KakaoWebhooks``.

    Args:
        settings: where Kakao is and the answer-size cap (``KakaoSettings``; Kakao's hosts by
            default).
        timeout: seconds for each call as a whole.
        client_kwargs: requests session options (``verify``, ``proxies`` …).
        jwks: the JWKS cache to use (another connection's, to share it).
        refresher: refresh coordination for the app's sessions (an app's connection only).
        sleep: how flows wait out a rate limit (``time.sleep``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._flights = SingleFlight()

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send a request that carries its own credential (or none), bounded and pooled."""
        from authlib_kakao.http.requests_session import KakaoOAuth2Session

        with (
            transport_errors(request.method, request.url),
            KakaoOAuth2Session(default_timeout=self.timeout, **self.session_kwargs()) as session,
        ):
            resp = session.request(
                request.method, request.url, withhold_token=True, headers=dict(request.headers),
                params=dict(request.query) or None, data=dict(request.form) or None,
            )  # fmt: skip
            return to_http_response(resp)

    def keys(self, kid: str) -> ParsedJWKS:
        """The key set that should hold ``kid``, fetched only when the cache's rules say so."""
        keys = self.jwks.usable_for(kid)
        if keys is not None:
            return keys
        key = ("jwks", self.settings.endpoints.kauth_url)
        return self._flights.do(key, lambda: self._fetch(kid))

    def _fetch(self, kid: str) -> ParsedJWKS:
        keys = self.jwks.usable_for(kid)  # another caller's fetch may have ended just now
        if keys is not None:
            return keys
        request = self._jwks_request()
        return self.jwks.store(pump(call_flow(JWKS, request), self.send))

    def run(
        self,
        flow: Flow[T],
        bearer: Bearer | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> T:
        """Drive ``flow``: bearer requests through ``bearer``, the rest sent here; pauses with
        ``sleep`` (else the connection's, else ``time.sleep``)."""
        nap = sleep or self.sleep or time.sleep
        return pump(flow, self._sender(bearer), nap, self.keys)

    def stream(
        self,
        flow: Generator[Step, object, None],
        bearer: Bearer | None = None,
        sleep: Callable[[float], object] | None = None,
    ) -> Iterator[Any]:
        """Drive a flow that emits its results one by one."""
        nap = sleep or self.sleep or time.sleep
        return stream(flow, self._sender(bearer), nap, self.keys)

    def _sender(self, bearer: Bearer | None) -> Bearer:
        attempts = _Attempts()

        def send(request: HTTPRequest) -> HTTPResponse:
            reset = ATTEMPT.set(attempts.next(request))
            try:
                if request.auth != "bearer":
                    return self.send(request)
                if bearer is None:
                    raise TypeError(f"{request!r} needs a user's token: call it on the app")
                return bearer(request)
            finally:
                ATTEMPT.reset(reset)

        return send

    def close(self) -> None:
        """Close the pooled connections (a later call opens new ones)."""
        self.pool.close()


class AsyncKakaoConnection(BaseConnection):
    """Kakao, awaited (httpx): for Starlette/FastAPI apps, ``AsyncKakaoAdmin``,
    ``AsyncKakaoWebhooks``; the arguments of :class:`KakaoConnection` (``sleep`` is awaited)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._flights = AsyncSingleFlight()

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        """Send a request that carries its own credential (or none), bounded and pooled."""
        from authlib_kakao.http.httpx_session import AsyncKakaoOAuth2Client

        with transport_errors(request.method, request.url):
            async with AsyncKakaoOAuth2Client(
                timeout=self.timeout, **self.session_kwargs()
            ) as client:
                resp = await client.request(
                    request.method, request.url, withhold_token=True,
                    headers=dict(request.headers), params=dict(request.query) or None,
                    data=dict(request.form) or None,
                )  # fmt: skip
                return to_http_response(resp)

    async def keys(self, kid: str) -> ParsedJWKS:
        """The key set that should hold ``kid``, fetched only when the cache's rules say so."""
        keys = self.jwks.usable_for(kid)
        if keys is not None:
            return keys
        key = ("jwks", self.settings.endpoints.kauth_url)
        return await self._flights.do(key, lambda: self._fetch(kid))

    async def _fetch(self, kid: str) -> ParsedJWKS:
        keys = self.jwks.usable_for(kid)  # another caller's fetch may have ended just now
        if keys is not None:
            return keys
        request = self._jwks_request()
        return self.jwks.store(await pump_async(call_flow(JWKS, request), self.send))

    async def run(
        self,
        flow: Flow[T],
        bearer: AsyncBearer | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> T:
        """Drive ``flow``: bearer requests through ``bearer``, the rest sent here; pauses with
        ``sleep`` (else the connection's, else ``asyncio.sleep``)."""
        return await pump_async(flow, self._sender(bearer), sleep or self.sleep, self.keys)

    def stream(
        self,
        flow: Generator[Step, object, None],
        bearer: AsyncBearer | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
    ) -> AsyncIterator[Any]:
        """Drive a flow that emits its results one by one."""
        return stream_async(flow, self._sender(bearer), sleep or self.sleep, self.keys)

    def _sender(self, bearer: AsyncBearer | None) -> AsyncBearer:
        attempts = _Attempts()

        async def send(request: HTTPRequest) -> HTTPResponse:
            reset = ATTEMPT.set(attempts.next(request))
            try:
                if request.auth != "bearer":
                    return await self.send(request)
                if bearer is None:
                    raise TypeError(f"{request!r} needs a user's token: call it on the app")
                return await bearer(request)
            finally:
                ATTEMPT.reset(reset)

        return send

    async def close(self) -> None:
        """Close this event loop's pooled connections (also done when the loop shuts down)."""
        await self.pool.aclose()
