"""Kakao → app webhooks: the unlink webhook and security events (SSF), verified and received.

* :func:`verify_unlink_callback` and :func:`verify_security_event` check one call, with no I/O.
* :class:`KakaoWebhooks` / :class:`AsyncKakaoWebhooks` receive both webhooks: Kakao's JWKS fetched
  and cached, each event handed to the app's callback once (:class:`MemoryEventStore`,
  :class:`RedisEventStore`), Kakao answered at once.
* Ready-made endpoints: ``authlib_kakao.webhooks.flask`` (a blueprint), ``.django`` (URL
  patterns), ``.starlette`` (routes, for FastAPI too).

Every refusal is a :class:`~authlib_kakao.WebhookAuthError` or
:class:`~authlib_kakao.WebhookPayloadError`. See ``docs/webhooks.md``.
"""

from authlib_kakao.errors import WebhookAuthError, WebhookPayloadError
from authlib_kakao.webhooks.dispatch import (
    AsyncDispatcher,
    AsyncInlineDispatcher,
    Dispatcher,
    InlineDispatcher,
    TaskDispatcher,
    ThreadDispatcher,
)
from authlib_kakao.webhooks.receiver import (
    JWKS_MAX_AGE,
    JWKS_REFETCH_INTERVAL,
    MAX_BODY_BYTES,
    SECURITY_EVENT_MAX_AGE,
    UNLINK_WINDOW,
    AsyncKakaoWebhooks,
    KakaoWebhooks,
    WebhookResponse,
)
from authlib_kakao.webhooks.security_events import (
    DEFAULT_LEEWAY,
    EVENT_TYPES,
    EventType,
    SecurityEvent,
    verify_security_event,
)
from authlib_kakao.webhooks.store import EventStore, MemoryEventStore, RedisEventStore
from authlib_kakao.webhooks.unlink import (
    REFERRER_TYPES,
    ReferrerType,
    UnlinkEvent,
    unlink_params,
    verify_unlink_callback,
)

__all__ = [
    "DEFAULT_LEEWAY",
    "EVENT_TYPES",
    "JWKS_MAX_AGE",
    "JWKS_REFETCH_INTERVAL",
    "MAX_BODY_BYTES",
    "REFERRER_TYPES",
    "SECURITY_EVENT_MAX_AGE",
    "UNLINK_WINDOW",
    "AsyncDispatcher",
    "AsyncInlineDispatcher",
    "AsyncKakaoWebhooks",
    "Dispatcher",
    "EventStore",
    "EventType",
    "InlineDispatcher",
    "KakaoWebhooks",
    "MemoryEventStore",
    "RedisEventStore",
    "ReferrerType",
    "SecurityEvent",
    "TaskDispatcher",
    "ThreadDispatcher",
    "UnlinkEvent",
    "WebhookAuthError",
    "WebhookPayloadError",
    "WebhookResponse",
    "unlink_params",
    "verify_security_event",
    "verify_unlink_callback",
]
