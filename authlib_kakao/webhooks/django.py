"""Kakao's webhooks on Django: URL patterns, or the two views on their own.

::

    hooks = KakaoWebhooks(admin_key=..., client_id=..., on_unlink=forget_user)
    urlpatterns = [..., *webhook_urls(hooks)]  # kakao/unlink, kakao/security-events

The views are exempt from CSRF protection (Kakao signs its calls with the admin key or a JWS
instead), read the call's raw parts (header, query, body up to ``max_body_bytes``), let the
receiver judge and hand over the event, and send its answer; nothing else runs in the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from authlib_kakao.webhooks.receiver import KakaoWebhooks, WebhookResponse

__all__ = ["security_event_view", "unlink_view", "webhook_urls"]

View = Callable[[Any], Any]


def _response(answer: WebhookResponse) -> Any:
    from django.http import HttpResponse

    return HttpResponse(answer.body, status=answer.status, headers=dict(answer.headers))


def _exempt(view: View, methods: list[str]) -> View:
    from django.views.decorators.csrf import csrf_exempt
    from django.views.decorators.http import require_http_methods

    return csrf_exempt(require_http_methods(methods)(view))  # type: ignore[no-any-return]  # Django: untyped


def _body(request: Any, limit: int) -> bytes:
    # One byte past the limit is enough to refuse; a larger body is never read whole.
    return bytes(request.read(limit + 1))


def unlink_view(hooks: KakaoWebhooks) -> View:
    """The view of Kakao's unlink webhook (GET and POST)."""

    def kakao_unlink_webhook(request: Any) -> Any:
        answer = hooks.handle_unlink(
            authorization=request.headers.get("Authorization"),
            query=request.META.get("QUERY_STRING", ""),
            body=_body(request, hooks.max_body_bytes),
            content_type=request.content_type,
        )
        return _response(answer)

    return _exempt(kakao_unlink_webhook, ["GET", "POST"])


def security_event_view(hooks: KakaoWebhooks) -> View:
    """The view Kakao pushes security events to (POST)."""

    def kakao_security_event_webhook(request: Any) -> Any:
        return _response(hooks.handle_security_event(_body(request, hooks.max_body_bytes)))

    return _exempt(kakao_security_event_webhook, ["POST"])


def webhook_urls(
    hooks: KakaoWebhooks,
    *,
    unlink_path: str = "kakao/unlink",
    security_event_path: str = "kakao/security-events",
) -> list[Any]:
    """URL patterns for the webhooks ``hooks`` handles, named ``kakao_unlink_webhook`` and
    ``kakao_security_event_webhook``."""
    from django.urls import path

    patterns = []
    if hooks.handles_unlink:
        patterns.append(path(unlink_path, unlink_view(hooks), name="kakao_unlink_webhook"))
    if hooks.handles_security_events:
        view = security_event_view(hooks)
        patterns.append(path(security_event_path, view, name="kakao_security_event_webhook"))
    return patterns
