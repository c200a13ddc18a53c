"""``KakaoWebhooks`` / ``AsyncKakaoWebhooks``: Kakao's two webhooks verified, handed to the app's
callbacks once each, and answered at once.

One call of a webhook goes: *judge* it (the unlink webhook's key and fields; the security event
token's signature against Kakao's JWKS, fetched through the provider's own flow and pumps), *claim*
its key in the :class:`~authlib_kakao.webhooks.store.EventStore` (a redelivery finds it claimed),
*hand it over* to a dispatcher, and *answer*: 200 for an unlink, 202 for a security event (RFC 8935),
401/400 for a call that is not Kakao's or not usable, 503 when it cannot be checked or handed over
now (Kakao's JWKS unreachable, the dispatcher refusing; the claim is given up so a redelivery is
handled). Kakao waits 3 seconds at most: the default dispatchers run the callback in the
background, after the answer (``dispatch``).

``KakaoWebhooks`` blocks (Flask, Django); ``AsyncKakaoWebhooks`` is awaited (Starlette, FastAPI).
Verification is written once (``faces``); the two faces differ only in how they send, claim and
hand over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from authlib_kakao.core.endpoints import KAKAO_ISSUER, KAUTH_URL, KakaoEndpoints
from authlib_kakao.core.flows import Flow
from authlib_kakao.errors import KakaoConfigError, KakaoError, WebhookAuthError, WebhookPayloadError
from authlib_kakao.faces import Bound, awaited, blocking
from authlib_kakao.http.connection import (
    AsyncKakaoConnection,
    BaseConnection,
    KakaoConnection,
    check_kind,
)
from authlib_kakao.http.jwks import JWKS_MAX_AGE, JWKS_REFETCH_INTERVAL, JWKSCache
from authlib_kakao.settings import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, KakaoSettings
from authlib_kakao.validation import check_size, check_url
from authlib_kakao.webhooks.dispatch import (
    AsyncDispatcher,
    Callback,
    Dispatcher,
    TaskDispatcher,
    ThreadDispatcher,
)
from authlib_kakao.webhooks.security_events import (
    DEFAULT_LEEWAY,
    SecurityEvent,
    security_event_flow,
)
from authlib_kakao.webhooks.store import EventStore, MemoryEventStore
from authlib_kakao.webhooks.unlink import (
    Params,
    UnlinkEvent,
    admin_keys,
    check_authorization,
    configured_app_id,
    unlink_event,
    unlink_params,
)

__all__ = [
    "JWKS_MAX_AGE",
    "JWKS_REFETCH_INTERVAL",
    "MAX_BODY_BYTES",
    "SECURITY_EVENT_MAX_AGE",
    "UNLINK_WINDOW",
    "AsyncKakaoWebhooks",
    "KakaoWebhooks",
    "WebhookResponse",
]

log = logging.getLogger("authlib_kakao.webhooks")

UNLINK_WINDOW = 300.0
"""Seconds an unlink event is remembered: unlink events carry no id, so (app, user, referrer type)
names one, and the same user may leave again after signing up anew; a short window covers
redeliveries without swallowing a later unlink."""

SECURITY_EVENT_MAX_AGE = 7 * 86400.0
"""Seconds after which a security event token is refused as too old; its ``jti`` is remembered as
long, so a replay is either remembered or too old."""

_CONNECTION_OPTIONS = frozenset(
    {"kauth_url", "issuer", "timeout", "max_response_bytes", "client_kwargs", "clock", "jwks",
     "jwks_refetch_interval", "jwks_max_age"}
)  # fmt: skip

MAX_BODY_BYTES = 64 * 1024
"""The largest webhook body read; Kakao's are well under a kilobyte or two."""

E = TypeVar("E")
D = TypeVar("D")
W = TypeVar("W", bound="_WebhooksBase[Any]")


@dataclass(frozen=True)
class WebhookResponse:
    """What a receiver answers Kakao; each framework's endpoint sends it unchanged."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


_OK = WebhookResponse(200)
_ACCEPTED = WebhookResponse(202)


def _error(status: int, err: str, description: str) -> WebhookResponse:
    """RFC 8935's error body, ``{"err", "description"}``, for both webhooks."""
    body = json.dumps({"err": err, "description": description}).encode()
    headers = {"Content-Type": "application/json"}
    if status == 401:
        headers["WWW-Authenticate"] = "KakaoAK"
    return WebhookResponse(status, body, headers)


_UNAVAILABLE = _error(503, "temporarily_unavailable", "the event cannot be handled now; retry")


@dataclass(frozen=True)
class _Verdict:
    """A judged call: the answer, and the event to hand over (none for a refused call)."""

    response: WebhookResponse
    kind: str = ""
    event: object = None
    key: str = ""
    ttl: float = 0.0
    callback: Callback | None = None


def _digest(*parts: object) -> str:
    return hashlib.sha256("\n".join(str(p) for p in parts).encode()).hexdigest()[:40]


# -- the receiver, no I/O -----------------------------------------------------------------------


class _WebhooksBase(Generic[D]):
    """Configuration and judging shared by both receivers; no I/O."""

    _connection_cls: ClassVar[type[BaseConnection]]
    connection: BaseConnection

    def __init__(
        self,
        *,
        admin_key: str | Iterable[str] | None = None,
        app_id: int | str | None = None,
        client_id: str | None = None,
        allowed_audiences: Iterable[str] = (),
        on_unlink: Callback | None = None,
        on_security_event: Callback | None = None,
        dispatcher: D | None = None,
        store: EventStore | None = None,
        kauth_url: str = KAUTH_URL,
        issuer: str = KAKAO_ISSUER,
        leeway: float = DEFAULT_LEEWAY,
        max_age: float = SECURITY_EVENT_MAX_AGE,
        unlink_window: float = UNLINK_WINDOW,
        jwks_refetch_interval: float = JWKS_REFETCH_INTERVAL,
        jwks_max_age: float = JWKS_MAX_AGE,
        max_body_bytes: int = MAX_BODY_BYTES,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        client_kwargs: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
        connection: BaseConnection | None = None,
        jwks: JWKSCache | None = None,
    ) -> None:
        if on_unlink is None and on_security_event is None:
            raise KakaoConfigError("a webhook receiver needs on_unlink, on_security_event or both")
        if on_unlink is not None and admin_key is None:
            raise KakaoConfigError(
                "on_unlink needs admin_key: Kakao signs the unlink webhook with the app's primary "
                "admin key ([App] > [App Keys])"
            )
        if on_security_event is not None and not client_id:
            raise KakaoConfigError(
                "on_security_event needs client_id: security events name the app's REST API key "
                "as their audience"
            )
        self.on_unlink = on_unlink
        self.on_security_event = on_security_event
        self._admin_keys = admin_keys(admin_key) if admin_key is not None else ()
        self.app_id = configured_app_id(app_id)
        self.audiences: tuple[str, ...] = (
            (client_id, *allowed_audiences) if client_id else tuple(allowed_audiences)
        )
        self.endpoints = KakaoEndpoints(kauth_url=check_url("kauth_url", kauth_url), issuer=issuer)
        if connection is not None:
            self.endpoints = connection.settings.endpoints
        self.dispatcher: D = dispatcher if dispatcher is not None else self._default_dispatcher()
        self.store: EventStore = store if store is not None else MemoryEventStore()
        self.leeway = leeway
        self.max_age = max_age
        self.unlink_window = unlink_window
        self.max_body_bytes = check_size("max_body_bytes", max_body_bytes)
        if connection is None:
            connection = self._connection_cls.configured(
                self.endpoints,
                timeout=timeout,
                max_response_bytes=max_response_bytes,
                client_kwargs=client_kwargs,
                jwks=jwks
                or JWKSCache(
                    refetch_interval=jwks_refetch_interval, max_age=jwks_max_age, clock=clock
                ),
            )
        else:
            check_kind(connection, self._connection_cls, self)
        self.connection = connection

    @property
    def jwks_refetch_interval(self) -> float:
        """Seconds between two JWKS fetches for unknown ``kid`` s (the connection's cache)."""
        return self.connection.jwks.refetch_interval

    @property
    def timeout(self) -> float:
        """Seconds allowed for a JWKS request."""
        return self.connection.timeout

    @classmethod
    def for_app(cls: type[W], kakao: Any, **options: Any) -> W:
        """A receiver for the app ``register_kakao`` returned: its REST API key (``client_id``),
        ``allowed_audiences``, ``app_id`` and its connection to Kakao (one pool, one JWKS cache:
        the key set a login fetched verifies security events too); ``options`` add the rest
        (``admin_key``, the callbacks) or override them. An option that shapes the connection
        (``kauth_url``, ``timeout`` …), or an app of the other kind (a Flask app's receiver made
        async), gets a connection of its own that still shares the app's JWKS cache."""
        settings: KakaoSettings = kakao.settings
        defaults: dict[str, Any] = {
            "client_id": kakao.client_id,
            "allowed_audiences": settings.allowed_audiences,
            "app_id": settings.app_id,
        }
        connection = getattr(kakao, "connection", None)
        own = set(options) & _CONNECTION_OPTIONS
        if isinstance(connection, cls._connection_cls) and not own and "connection" not in options:
            defaults["connection"] = connection
        elif connection is not None and "connection" not in options:
            defaults.update(
                kauth_url=settings.endpoints.kauth_url,
                issuer=settings.endpoints.issuer,
                max_response_bytes=settings.max_response_bytes,
                timeout=connection.timeout,
            )
            if not own & {"kauth_url", "issuer", "jwks_refetch_interval", "jwks_max_age", "clock"}:
                defaults["jwks"] = connection.jwks
        return cls(**{**defaults, **options})

    def _default_dispatcher(self) -> D:
        raise NotImplementedError

    def __repr__(self) -> str:
        kinds = [k for k, on in (("unlink", self.on_unlink), ("security_event",
                 self.on_security_event)) if on is not None]  # fmt: skip
        return f"{type(self).__name__}(handles={kinds!r}, kauth_url={self.endpoints.kauth_url!r})"

    @property
    def handles_unlink(self) -> bool:
        """Whether unlink webhooks are received (``on_unlink`` given)."""
        return self.on_unlink is not None

    @property
    def handles_security_events(self) -> bool:
        """Whether security events are received (``on_security_event`` given)."""
        return self.on_security_event is not None

    def verify_unlink(self, *, authorization: str | None, params: Params) -> UnlinkEvent:
        """:func:`~authlib_kakao.webhooks.verify_unlink_callback` with this receiver's admin
        key and app id."""
        if not self._admin_keys:
            raise KakaoConfigError("this receiver was given no admin_key")
        check_authorization(authorization, self._admin_keys)
        return unlink_event(params, app_id=self.app_id)

    # -- judging ---------------------------------------------------------------------------

    def _refused(self, kind: str, exc: WebhookAuthError | WebhookPayloadError) -> _Verdict:
        log.warning(
            "refused a Kakao %s webhook call (%s): %s", kind, exc.status_code, exc.description
        )
        return _Verdict(_error(exc.status_code or 400, exc.err, exc.description))

    def _judge_unlink(
        self, authorization: str | None, query: str | bytes, body: bytes, content_type: str | None
    ) -> _Verdict:
        if self.on_unlink is None:
            return _Verdict(_error(404, "invalid_request", "this app receives no unlink webhook"))
        try:
            # The key first: a caller without it learns nothing about what else is wrong.
            check_authorization(authorization, self._admin_keys)
            if len(body) > self.max_body_bytes:
                raise WebhookPayloadError("the webhook call's body is too large", status_code=413)
            event = unlink_event(unlink_params(query, body, content_type), app_id=self.app_id)
        except (WebhookAuthError, WebhookPayloadError) as exc:
            return self._refused("unlink", exc)
        key = f"unlink:{_digest(event.app_id, event.user_id, event.referrer_type)}"
        return _Verdict(_OK, "unlink", event, key, self.unlink_window, self.on_unlink)

    def _judge_security_event(self, body: str | bytes) -> Bound[_Verdict]:
        return Bound(self._judging(body, self._security_event_flow(body)))

    def _judging(self, body: str | bytes, flow: Flow[SecurityEvent]) -> Flow[_Verdict]:
        if self.on_security_event is None:
            return _Verdict(_error(404, "invalid_request", "this app receives no security events"))
        try:
            if len(body) > self.max_body_bytes:
                raise WebhookPayloadError("the security event is too large", status_code=413)
            event = yield from flow
        except (WebhookAuthError, WebhookPayloadError) as exc:
            return self._refused("security event", exc)
        key = f"set:{_digest(event.iss, event.jti)}"
        ttl = self.max_age + 2 * self.leeway
        return _Verdict(_ACCEPTED, "security event", event, key, ttl, self.on_security_event)

    def _security_event_flow(self, token: str | bytes) -> Flow[SecurityEvent]:
        return security_event_flow(
            token,
            endpoints=self.endpoints,
            audience=self.audiences,
            leeway=self.leeway,
            max_age=self.max_age,
        )

    @staticmethod
    def _unverifiable(exc: KakaoError) -> WebhookResponse:
        # Kakao's JWKS could not be fetched: the caller is not at fault, and a retry may succeed.
        log.warning("could not verify a Kakao webhook call: %s", exc)
        return _UNAVAILABLE

    @staticmethod
    def _store_failed(action: str, exc: Exception) -> None:
        # Losing an event is worse than handing it over twice: carry on without the store.
        log.warning("the webhook event store failed to %s (%s)", action, type(exc).__name__)

    @staticmethod
    def _not_handed_over(verdict: _Verdict) -> WebhookResponse:
        log.error("could not hand a Kakao %s event to its callback", verdict.kind, exc_info=True)
        return _UNAVAILABLE


def security_event(hooks: _WebhooksBase[Any], /, token: str | bytes) -> Bound[SecurityEvent]:
    """Verify a security event token (the raw body) against Kakao's JWKS, from the
    connection's cache (fetched again for a ``kid`` it lacks at most once per refetch interval).

    Raises:
        WebhookAuthError: not signed by Kakao's key with RS256, or another ``iss`` / ``aud``.
        WebhookPayloadError: not a token, or ``jti``, ``iat`` or ``events`` missing or garbled.
    """
    return Bound(hooks._security_event_flow(token))


# -- the two faces ------------------------------------------------------------------------------


class KakaoWebhooks(_WebhooksBase[Dispatcher]):
    """Kakao's webhooks for a blocking app (Flask, Django): verify, hand over once, answer.

    Args:
        admin_key: the app's primary admin key (or several, during a key change); needed for
            the unlink webhook.
        app_id: the app's numeric id; unlink calls about another app are refused.
        client_id: the REST API key, the audience of security events; ``allowed_audiences``
            adds other app keys.
        on_unlink: called with each :class:`~authlib_kakao.webhooks.UnlinkEvent`, once.
        on_security_event: called with each :class:`~authlib_kakao.webhooks.SecurityEvent`, once.
        dispatcher: how a callback is run; :class:`ThreadDispatcher` (background threads) by
            default, :class:`InlineDispatcher` for a callback that only enqueues work.
        store: where handed-over events are remembered; :class:`MemoryEventStore` by default,
            :class:`RedisEventStore` for several processes.
        kauth_url, issuer: Kakao's (the emulator's) auth host, and the expected ``iss``.
        leeway, max_age: clock skew tolerated, and the oldest security event accepted (seconds).
        unlink_window: seconds an unlink event is remembered (:data:`UNLINK_WINDOW`).
        jwks_refetch_interval, jwks_max_age: see :data:`JWKS_REFETCH_INTERVAL`, :data:`JWKS_MAX_AGE`.
        max_body_bytes: the largest body read.
        timeout, max_response_bytes, client_kwargs: the JWKS request's deadline, answer-size cap
            and requests session options, as for ``register_kakao``.
        clock: monotonic seconds for the JWKS cache (a test may move its own clock).
        connection: a connection to share (``KakaoWebhooks.for_app`` passes the app's): its
            URL, timeout, limits and JWKS cache then replace the options above.
        jwks: a JWKS cache to share (another connection's) when this receiver makes its own.
    """

    _connection_cls = KakaoConnection
    connection: KakaoConnection

    def _default_dispatcher(self) -> Dispatcher:
        return ThreadDispatcher()

    verify_security_event = blocking(security_event)

    def handle_unlink(
        self,
        *,
        authorization: str | None,
        query: str | bytes = b"",
        body: bytes = b"",
        content_type: str | None = None,
    ) -> WebhookResponse:
        """Answer one unlink webhook call (GET: ``query``; POST: ``body`` too) from its raw parts:
        200 once verified (the event handed over unless already seen), else 401 or 400."""
        return self._answer(lambda: self._judge_unlink(authorization, query, body, content_type))

    def handle_security_event(self, body: str | bytes) -> WebhookResponse:
        """Answer one security event push (the raw body): 202 once verified (the event handed
        over unless its ``jti`` was already seen), 400 when refused, 503 when Kakao's JWKS is
        out of reach."""
        return self._answer(lambda: self._run(self._judge_security_event(body)))

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until the callbacks started so far have returned (``False`` on timeout)."""
        drain = getattr(self.dispatcher, "drain", None)
        return bool(drain(timeout)) if drain is not None else True

    def close(self) -> None:
        """Let running callbacks finish, and close the pooled connections."""
        close = getattr(self.dispatcher, "close", None)
        if close is not None:
            close()
        self.connection.close()

    def _answer(self, judge: Callable[[], _Verdict]) -> WebhookResponse:
        try:
            verdict = judge()
        except KakaoError as exc:
            return self._unverifiable(exc)
        if verdict.callback is None:
            return verdict.response
        try:
            first = self.store.add(verdict.key, verdict.ttl)
        except Exception as exc:
            self._store_failed("remember an event", exc)
            first = True
        if not first:
            return verdict.response  # a redelivery: answered like the first delivery
        try:
            self.dispatcher.submit(verdict.callback, verdict.event)
        except Exception:
            try:
                self.store.discard(verdict.key)
            except Exception as exc:
                self._store_failed("forget an event", exc)
            return self._not_handed_over(verdict)
        return verdict.response

    def _run(self, bound: Bound[E]) -> E:
        return self.connection.run(bound.flow)


class AsyncKakaoWebhooks(_WebhooksBase[AsyncDispatcher]):
    """Kakao's webhooks for an async app (Starlette, FastAPI); the arguments of
    :class:`KakaoWebhooks`, with :class:`TaskDispatcher` (tasks of the running loop) by default
    and httpx options in ``client_kwargs``."""

    _connection_cls = AsyncKakaoConnection
    connection: AsyncKakaoConnection

    def _default_dispatcher(self) -> AsyncDispatcher:
        return TaskDispatcher()

    verify_security_event = awaited(security_event)

    async def handle_unlink(
        self,
        *,
        authorization: str | None,
        query: str | bytes = b"",
        body: bytes = b"",
        content_type: str | None = None,
    ) -> WebhookResponse:
        """Answer one unlink webhook call (GET: ``query``; POST: ``body`` too) from its raw parts:
        200 once verified (the event handed over unless already seen), else 401 or 400."""
        verdict = self._judge_unlink(authorization, query, body, content_type)
        return await self._answer(verdict)

    async def handle_security_event(self, body: str | bytes) -> WebhookResponse:
        """Answer one security event push (the raw body): 202 once verified (the event handed
        over unless its ``jti`` was already seen), 400 when refused, 503 when Kakao's JWKS is
        out of reach."""
        try:
            verdict = await self._run(self._judge_security_event(body))
        except KakaoError as exc:
            return self._unverifiable(exc)
        return await self._answer(verdict)

    async def drain(self) -> None:
        """Wait until the callbacks this event loop started have returned."""
        drain = getattr(self.dispatcher, "drain", None)
        if drain is not None:
            await drain()

    async def close(self) -> None:
        """Let this loop's callbacks finish, and close its pooled connections."""
        await self.drain()
        await self.connection.close()

    async def _answer(self, verdict: _Verdict) -> WebhookResponse:
        if verdict.callback is None:
            return verdict.response
        try:
            first = await self.store.add_async(verdict.key, verdict.ttl)
        except Exception as exc:
            self._store_failed("remember an event", exc)
            first = True
        if not first:
            return verdict.response  # a redelivery: answered like the first delivery
        try:
            await self.dispatcher.submit(verdict.callback, verdict.event)
        except Exception:
            try:
                await self.store.discard_async(verdict.key)
            except Exception as exc:
                self._store_failed("forget an event", exc)
            return self._not_handed_over(verdict)
        return verdict.response

    async def _run(self, bound: Bound[E]) -> E:
        return await self.connection.run(bound.flow)
