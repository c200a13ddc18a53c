"""Kakao → service webhooks the emulator sends, and how it sends them (reference §6).

Two kinds: the unlink webhook (§6.1, ``"unlink"``) and the account-status-change webhook that
POSTs Security Event Tokens (§6.2, ``"security_event"``, built in ``event_tokens.py``). Both go
through :func:`deliver`, which is Kakao's delivery policy:

* one attempt, waiting ``config.webhook_timeout`` (Kakao's 3 s); only the status code counts:
  200 for the unlink webhook, 202 for a SET; redirects are not followed;
* no retry, as the reference documents none (``config.webhook_retries`` re-sends a failed call
  that many more times at once, if a test wants a kinder Kakao);
* every attempt goes to the delivery log (``KakaoBackend.deliveries``) on the emulator's clock;
  once an app's failures of one kind span more than ``config.webhook_pause_after`` (a month),
  that webhook is paused: later calls are logged as ``paused`` and not sent until resumed.

The unlink webhook: ``GET`` (query) or ``POST`` (form-urlencoded body, as we believe Kakao does),
header ``Authorization: KakaoAK <admin key>``, params ``app_id``, ``user_id`` (both strings),
``referrer_type`` and, for an app in an app group, ``group_user_token``. A service's own
``POST /v1/user/unlink`` never triggers it.

Calls are made after the state lock is released: the receiving app may well call the emulator
back (``/v1/user/ids``, ``/v2/user/me`` with the admin key) from another thread while it handles
the hook.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
import weakref
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.profiles import group_user_token
from authlib_kakao.testing.state import WEBHOOK_KINDS, App, WebhookDelivery

__all__ = [
    "KINDS",
    "REFERRER_TYPES",
    "SECURITY_EVENT",
    "UNLINK",
    "WEBHOOK_TIMEOUT",
    "Outgoing",
    "WebhookDeliveryError",
    "WebhookPausedError",
    "check_url",
    "deliver",
    "deliver_all",
    "deliver_later",
    "send_unlink_webhook",
    "send_webhook",
    "unlink_webhook_request",
]

# The documented referrer_type values (§6.1); the SSF-only extras seen in third-party code are
# UNCONFIRMED and left out.
REFERRER_TYPES = (
    "ACCOUNT_DELETE",
    "FORCED_ACCOUNT_DELETE",
    "UNLINK_FROM_ADMIN",
    "UNLINK_FROM_APPS",
    "INCOMPLETE_SIGN_UP",
)
log = logging.getLogger("authlib_kakao.testing")
WEBHOOK_TIMEOUT = 3.0  # Kakao expects an answer within 3 seconds
UNLINK, SECURITY_EVENT = KINDS = WEBHOOK_KINDS
# The one status each kind of receiver must answer for Kakao to count a success.
SUCCESS_STATUS = {UNLINK: 200, SECURITY_EVENT: 202}


class WebhookDeliveryError(RuntimeError):
    """The webhook URL could not be reached or did not answer in time."""


class WebhookPausedError(WebhookDeliveryError):
    """The webhook is paused after a month of failures: Kakao did not call it."""


@dataclass(frozen=True)
class Outgoing:
    """A call Kakao is about to make: the request, and what its log entries will say."""

    kind: str
    app_id: int
    user_id: int
    request: urllib.request.Request
    referrer_type: str | None = None
    jti: str | None = None
    txn: str | None = None
    event_type: str | None = None
    token: str | None = None
    redelivery: bool = False


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # Kakao does not follow redirects: the 3xx status is the answer


def check_url(url: str | None, what: str, app: App) -> str:
    """``url`` if it is an http(s) URL, else ``ValueError`` naming the app setting."""
    if not url:
        raise ValueError(f"app {app.app_id} has no {what} configured")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"{what} must be an http(s) URL, got {url!r}")
    return url


def unlink_webhook_request(app: App, user_id: int, referrer_type: str) -> urllib.request.Request:
    """The HTTP request Kakao sends to ``app.webhook_url`` when ``user_id`` is unlinked."""
    url = check_url(app.webhook_url, "webhook_url", app)
    method = app.webhook_method.upper()
    if method not in ("GET", "POST"):
        raise ValueError(f"webhook_method must be GET or POST, got {app.webhook_method!r}")
    values = {"app_id": str(app.app_id), "user_id": str(user_id), "referrer_type": referrer_type}
    if app.app_group:
        # Apps in an app group also learn the user's token shared across the group (§6.1).
        values["group_user_token"] = group_user_token(app.app_group, user_id)
    params = urlencode(values)
    headers = {"Authorization": f"KakaoAK {app.admin_key}"}
    if method == "GET":
        sep = "&" if "?" in url else "?"
        return urllib.request.Request(  # noqa: S310 (scheme checked above)
            f"{url}{sep}{params}", headers=headers, method="GET"
        )
    headers["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8"
    return urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=params.encode(), headers=headers, method="POST"
    )


def send_webhook(request: urllib.request.Request, *, timeout: float = WEBHOOK_TIMEOUT) -> int:
    """Send ``request`` once and return the receiver's HTTP status (any status, 3xx included).

    Raises :class:`WebhookDeliveryError` when there is no answer within ``timeout``.
    """
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookDeliveryError(
            f"webhook {request.get_method()} {request.full_url} failed: {reason}"
        ) from None


send_unlink_webhook = send_webhook  # the older name


def deliver(backend: KakaoBackend, call: Outgoing) -> list[WebhookDelivery]:
    """Make ``call`` as Kakao does; returns its log entries (one per attempt, oldest first).

    Paused: one ``paused`` entry and no request. A failure (no answer, or not the kind's
    success status) is re-sent ``config.webhook_retries`` more times, unless it paused the hook.
    """
    attempts = 1 + max(0, backend.config.webhook_retries)
    timeout = backend.config.webhook_timeout
    request = call.request
    url = request.full_url.split("?", 1)[0]
    entries: list[WebhookDelivery] = []
    for attempt in range(1, attempts + 1):
        paused = (call.app_id, call.kind) in backend.paused_webhooks
        at = backend.clock.now()
        status: int | None = None
        error: str | None = "paused after long failures: not sent" if paused else None
        if not paused:
            try:
                status = send_webhook(request, timeout=timeout)
            except WebhookDeliveryError as exc:
                error = str(exc)
        entry = backend.record_delivery(
            WebhookDelivery(
                id=0, kind=call.kind, app_id=call.app_id, user_id=call.user_id, url=url,
                method=request.get_method(), at=at, status=status, error=error,
                ok=status == SUCCESS_STATUS[call.kind], paused=paused, attempt=attempt,
                redelivery=call.redelivery, referrer_type=call.referrer_type, jti=call.jti,
                txn=call.txn, event_type=call.event_type, token=call.token,
            )
        )  # fmt: skip
        entries.append(entry)
        if entry.ok or entry.paused:
            break
    return entries


def deliver_all(backend: KakaoBackend, calls: Iterable[Outgoing]) -> list[WebhookDelivery]:
    """:func:`deliver` each call in turn (from this thread); every log entry, in order."""
    return [entry for call in calls for entry in deliver(backend, call)]


@dataclass
class _Outbox:
    """Calls waiting for a backend's sender thread, which runs only while there are some."""

    calls: deque[Outgoing] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sending: bool = False


# One outbox per backend, gone with it (a reset drops the backend).
_OUTBOXES: weakref.WeakKeyDictionary[KakaoBackend, _Outbox] = weakref.WeakKeyDictionary()
_OUTBOXES_LOCK = threading.Lock()


def deliver_later(backend: KakaoBackend, calls: list[Outgoing]) -> None:
    """Deliver from a thread: the control plane answers first, since its handler runs on the
    server's event loop and the receiver may call the emulator back. One sender per backend
    sends in order, so receivers see changes in the order they happened."""
    if not calls:
        return
    with _OUTBOXES_LOCK:
        outbox = _OUTBOXES.setdefault(backend, _Outbox())
    with outbox.lock:
        outbox.calls.extend(calls)
        if outbox.sending:
            return  # the running sender takes them
        outbox.sending = True
    threading.Thread(target=_send_all, args=(backend, outbox), daemon=True).start()


def _send_all(backend: KakaoBackend, outbox: _Outbox) -> None:
    while True:
        with outbox.lock:
            if not outbox.calls:
                outbox.sending = False
                return
            call = outbox.calls.popleft()
        try:
            deliver(backend, call)
        except Exception:  # a bug must not stop the calls queued behind this one
            log.exception("emulator webhook %s to app %s failed", call.kind, call.app_id)
