"""Kakao → service webhooks the emulator sends: the unlink webhook (reference §6.1).

Kakao unlinks first, then calls the app's webhook URL with ``GET`` (query) or ``POST``
(form-urlencoded body, as we believe Kakao does), header ``Authorization: KakaoAK <admin key>``
and the params ``app_id``, ``user_id`` (both strings) and ``referrer_type``. It follows no
redirects, waits 3 s, and only looks at the status code. A service's own ``POST /v1/user/unlink``
never triggers it.

The call is made after the state lock is released: the receiving app may well call the emulator
back (``/v1/user/ids``, ``/v2/user/me`` with the admin key) from another thread while it handles
the hook.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.state import App, User

__all__ = [
    "REFERRER_TYPES",
    "WEBHOOK_TIMEOUT",
    "WebhookDeliveryError",
    "send_unlink_webhook",
    "unlink_from_kakao",
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
WEBHOOK_TIMEOUT = 3.0  # Kakao expects an answer within 3 seconds


class WebhookDeliveryError(RuntimeError):
    """The webhook URL could not be reached or did not answer in time."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # Kakao does not follow redirects: the 3xx status is the answer


def unlink_webhook_request(app: App, user_id: int, referrer_type: str) -> urllib.request.Request:
    """The HTTP request Kakao sends to ``app.webhook_url`` when ``user_id`` is unlinked."""
    if not app.webhook_url:
        raise ValueError(f"app {app.app_id} has no webhook_url configured")
    if urlsplit(app.webhook_url).scheme not in ("http", "https"):
        raise ValueError(f"webhook_url must be an http(s) URL, got {app.webhook_url!r}")
    method = app.webhook_method.upper()
    if method not in ("GET", "POST"):
        raise ValueError(f"webhook_method must be GET or POST, got {app.webhook_method!r}")
    params = urlencode(
        {"app_id": str(app.app_id), "user_id": str(user_id), "referrer_type": referrer_type}
    )
    headers = {"Authorization": f"KakaoAK {app.admin_key}"}
    if method == "GET":
        sep = "&" if "?" in app.webhook_url else "?"
        return urllib.request.Request(  # noqa: S310 (scheme checked above)
            f"{app.webhook_url}{sep}{params}", headers=headers, method="GET"
        )
    headers["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8"
    return urllib.request.Request(  # noqa: S310 (scheme checked above)
        app.webhook_url, data=params.encode(), headers=headers, method="POST"
    )


def send_unlink_webhook(
    request: urllib.request.Request, *, timeout: float = WEBHOOK_TIMEOUT
) -> int:
    """Send ``request`` and return the receiver's HTTP status (any status, 3xx included)."""
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
            f"unlink webhook {request.get_method()} {request.full_url} failed: {reason}"
        ) from None


def unlink_from_kakao(
    backend: KakaoBackend,
    user: User,
    app: App | None = None,
    referrer_type: str = "UNLINK_FROM_APPS",
    *,
    timeout: float = WEBHOOK_TIMEOUT,
) -> int:
    """Unlink ``user`` from ``app`` on Kakao's side, then call the app's unlink webhook.

    Returns the webhook's HTTP status. Raises ``ValueError`` for an unknown ``referrer_type``, an
    app without a webhook URL or a user who is not linked (nothing is changed then), and
    :class:`WebhookDeliveryError` when the webhook cannot be reached (the unlink has happened).
    """
    if referrer_type not in REFERRER_TYPES:
        known = ", ".join(REFERRER_TYPES)
        raise ValueError(f"unknown referrer_type {referrer_type!r}; Kakao sends one of {known}")
    target = app if app is not None else backend.app
    request = unlink_webhook_request(target, user.id, referrer_type)
    with backend.lock:
        if target.app_id not in user.links:
            raise ValueError(f"user {user.id} is not linked to app {target.app_id}")
        backend.unlink(user, target)
    return send_unlink_webhook(request, timeout=timeout)
