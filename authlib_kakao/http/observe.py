"""One structured log record, and one OpenTelemetry span when ``opentelemetry-api`` is installed,
per HTTP call to Kakao.

Every call goes through one of our two session classes (the app's Authlib calls, and the
connection's own: admin key, JWKS), and their ``send`` is where a call is observed: the token
exchange and refreshes as much as the user APIs. A record carries, as attributes of the
``logging.LogRecord`` (``extra``):

=====================  ===============================================================
``kakao_call``         the catalogue name (``user_me``, ``token``, ``jwks`` …) or the path
``kakao_method``       ``GET`` / ``POST``
``kakao_path``         the URL's path (never its query: it may carry credentials)
``kakao_status``       the HTTP status, ``None`` when no answer came (network, deadline)
``kakao_code``         Kakao's code for a refusal (``-401``, ``KOE320``), else ``None``
``kakao_duration_ms``  wall time of the call, body included
``kakao_attempt``      1, or 2+ when the same call is made again (after a refresh, a 429 wait)
``kakao_error``        the exception's class name when the call failed without an answer
=====================  ===============================================================

Records go to the ``authlib_kakao.calls`` logger: DEBUG for an answer of 2xx, INFO otherwise.
Nothing is formatted or decoded unless the logger (or a tracer) would use it. No token, secret,
code or user data is ever part of a record or a span: only what the table above lists.
"""

from __future__ import annotations

import json
import logging
import time
from contextvars import ContextVar
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ATTEMPT", "LOGGER_NAME", "Observation", "call_name", "kakao_code"]

LOGGER_NAME = "authlib_kakao.calls"
log = logging.getLogger(LOGGER_NAME)

ATTEMPT: ContextVar[int] = ContextVar("kakao_attempt", default=1)
"""Which attempt of one call is being sent; the connection raises it when a flow repeats a call."""

_UNSET: Any = object()
_trace: Any = _UNSET  # opentelemetry.trace, None when not installed
_tracer: tuple[Any, Any] = (None, None)  # (provider, its tracer for this package)


def _get_tracer() -> Any:
    """OpenTelemetry's tracer for this package, or ``None`` when ``opentelemetry-api`` is absent
    or no tracer provider is set (its spans would record nothing): observing then costs two
    clock reads and a level check."""
    global _trace, _tracer
    if _trace is _UNSET:
        try:
            from opentelemetry import trace as _trace
        except ImportError:
            _trace = None
    if _trace is None:
        return None
    provider = _trace.get_tracer_provider()
    if isinstance(provider, (_trace.ProxyTracerProvider, _trace.NoOpTracerProvider)):
        return None
    if _tracer[0] is not provider:
        _tracer = (provider, provider.get_tracer("authlib_kakao"))
    return _tracer[1]


@lru_cache(maxsize=256)
def call_name(path: str) -> str:
    """The catalogue name of the Kakao call at ``path`` (a proxy's prefix allowed), else the path."""
    from authlib_kakao.core.calls import CALLS

    names = {call.path: call.name for call in CALLS.values()}
    names["/oauth/token"] = "token"
    for known, name in names.items():
        if path == known or path.endswith(known):
            return name
    return path


def kakao_code(status: int, content: bytes) -> str | None:
    """Kakao's code in a refusal's body: kapi's ``code`` (``-401``) or kauth's ``error_code``
    (``KOE320``), or its ``error`` when it has no code; ``None`` for a success or another body."""
    if 200 <= status < 300 or not content or content[:1] != b"{":
        return None
    try:
        body = json.loads(content)
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    for key in ("error_code", "code", "error"):
        value = body.get(key)
        if isinstance(value, (int, str)) and not isinstance(value, bool):
            return str(value)[:40]
    return None


class Observation:
    """One call being observed: made when it starts, finished exactly once."""

    __slots__ = ("_attempt", "_method", "_path", "_span", "_started")

    def __init__(self, method: str, url: str, attempt: int | None = None) -> None:
        self._method = method
        self._path = urlsplit(url).path or "/"
        self._attempt = ATTEMPT.get() if attempt is None else attempt
        self._started = time.perf_counter()
        tracer = _get_tracer()
        self._span = None
        if tracer is not None:
            self._span = tracer.start_span(
                f"Kakao {call_name(self._path)}",
                kind=_trace.SpanKind.CLIENT,
                attributes={
                    "kakao.call": call_name(self._path),
                    "http.request.method": method,
                    "url.path": self._path,
                    "kakao.attempt": self._attempt,
                },
            )

    def answered(self, status: int, content: bytes) -> None:
        """The call got an answer (any status)."""
        self._finish(status, content, None)

    def failed(self, exc: BaseException) -> None:
        """The call ended without an answer (network, deadline, size cap)."""
        self._finish(None, b"", exc)

    def _finish(self, status: int | None, content: bytes, exc: BaseException | None) -> None:
        level = logging.DEBUG if status is not None and 200 <= status < 300 else logging.INFO
        span = self._span
        if span is None and not log.isEnabledFor(level):
            return
        duration_ms = (time.perf_counter() - self._started) * 1000
        code = kakao_code(status, content) if status is not None else None
        name = call_name(self._path)
        error = type(exc).__name__ if exc is not None else None
        if span is not None:
            if status is not None:
                span.set_attribute("http.response.status_code", status)
            if code is not None:
                span.set_attribute("kakao.code", code)
            if error is not None or (status is not None and status >= 400):
                span.set_attribute("error.type", error or str(status))
                span.set_status(_trace.Status(_trace.StatusCode.ERROR))
            span.end()
        if log.isEnabledFor(level):
            log.log(
                level,
                "Kakao %s %s %s -> %s%s in %.1f ms (attempt %d)",
                name,
                self._method,
                self._path,
                status if status is not None else error,
                f" {code}" if code else "",
                duration_ms,
                self._attempt,
                extra={
                    "kakao_call": name,
                    "kakao_method": self._method,
                    "kakao_path": self._path,
                    "kakao_status": status,
                    "kakao_code": code,
                    "kakao_duration_ms": round(duration_ms, 3),
                    "kakao_attempt": self._attempt,
                    "kakao_error": error,
                },
            )
