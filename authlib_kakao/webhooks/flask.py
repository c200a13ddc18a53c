"""Kakao's webhooks on Flask: a blueprint, or the two views on their own.

::

    hooks = KakaoWebhooks(admin_key=..., client_id=..., on_unlink=forget_user)
    app.register_blueprint(webhooks_blueprint(hooks))  # POST/GET /kakao/unlink, POST /kakao/security-events

Each view reads the call's raw parts (header, query, body up to ``max_body_bytes``), lets the
receiver judge and hand over the event, and sends its answer; nothing else runs in the request.
With Flask-WTF's CSRF protection on, exempt the blueprint (``csrf.exempt(blueprint)``): Kakao
signs its calls with the admin key or a JWS instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from authlib_kakao.webhooks.receiver import KakaoWebhooks, WebhookResponse

if TYPE_CHECKING:
    from flask import Blueprint, Response

__all__ = ["security_event_view", "unlink_view", "webhooks_blueprint"]


def _body(request: Any, limit: int) -> bytes:
    # One byte past the limit is enough to refuse; a larger body is never read whole.
    return bytes(request.stream.read(limit + 1))


def _response(answer: WebhookResponse) -> Response:
    from flask import Response

    return Response(answer.body, status=answer.status, headers=dict(answer.headers))


def unlink_view(hooks: KakaoWebhooks) -> Callable[[], Response]:
    """The view of Kakao's unlink webhook (route it for GET and POST)."""

    def kakao_unlink_webhook() -> Response:
        from flask import request

        answer = hooks.handle_unlink(
            authorization=request.headers.get("Authorization"),
            query=request.query_string,
            body=_body(request, hooks.max_body_bytes),
            content_type=request.content_type,
        )
        return _response(answer)

    return kakao_unlink_webhook


def security_event_view(hooks: KakaoWebhooks) -> Callable[[], Response]:
    """The view Kakao pushes security events to (route it for POST)."""

    def kakao_security_event_webhook() -> Response:
        from flask import request

        return _response(hooks.handle_security_event(_body(request, hooks.max_body_bytes)))

    return kakao_security_event_webhook


def webhooks_blueprint(
    hooks: KakaoWebhooks,
    *,
    name: str = "kakao_webhooks",
    unlink_path: str = "/kakao/unlink",
    security_event_path: str = "/kakao/security-events",
) -> Blueprint:
    """A blueprint with the webhooks ``hooks`` handles: the unlink webhook at ``unlink_path``
    (GET and POST, as chosen in Kakao's console), security events at ``security_event_path``."""
    from flask import Blueprint

    blueprint = Blueprint(name, __name__)
    if hooks.handles_unlink:
        blueprint.add_url_rule(unlink_path, view_func=unlink_view(hooks), methods=["GET", "POST"])
    if hooks.handles_security_events:
        blueprint.add_url_rule(
            security_event_path, view_func=security_event_view(hooks), methods=["POST"]
        )
    return blueprint
