"""Kakao's webhooks on Starlette and FastAPI: routes, or the two endpoints on their own.

::

    hooks = AsyncKakaoWebhooks(admin_key=..., client_id=..., on_unlink=forget_user)
    app = Starlette(routes=[..., *webhook_routes(hooks)])
    app.router.routes.extend(webhook_routes(hooks))  # FastAPI

Each endpoint reads the call's raw parts (header, query, body up to ``max_body_bytes``), lets the
receiver judge and hand over the event, and sends its answer; the callback runs as a task of the
loop (``TaskDispatcher``), after the answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from authlib_kakao.webhooks.receiver import AsyncKakaoWebhooks, WebhookResponse

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

__all__ = ["security_event_endpoint", "unlink_endpoint", "webhook_routes"]

Endpoint = Callable[["Request"], Awaitable["Response"]]


async def _body(request: Request, limit: int) -> bytes:
    # Read no further than one byte past the limit: enough to refuse a larger body.
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


def _response(answer: WebhookResponse) -> Response:
    from starlette.responses import Response

    return Response(answer.body, status_code=answer.status, headers=dict(answer.headers))


def unlink_endpoint(hooks: AsyncKakaoWebhooks) -> Endpoint:
    """The endpoint of Kakao's unlink webhook (route it for GET and POST)."""

    async def kakao_unlink_webhook(request: Request) -> Response:
        answer = await hooks.handle_unlink(
            authorization=request.headers.get("Authorization"),
            query=request.url.query,
            body=await _body(request, hooks.max_body_bytes),
            content_type=request.headers.get("Content-Type"),
        )
        return _response(answer)

    return kakao_unlink_webhook


def security_event_endpoint(hooks: AsyncKakaoWebhooks) -> Endpoint:
    """The endpoint Kakao pushes security events to (route it for POST)."""

    async def kakao_security_event_webhook(request: Request) -> Response:
        body = await _body(request, hooks.max_body_bytes)
        return _response(await hooks.handle_security_event(body))

    return kakao_security_event_webhook


def webhook_routes(
    hooks: AsyncKakaoWebhooks,
    *,
    unlink_path: str = "/kakao/unlink",
    security_event_path: str = "/kakao/security-events",
) -> list[Route]:
    """Routes for the webhooks ``hooks`` handles: the unlink webhook at ``unlink_path`` (GET and
    POST), security events at ``security_event_path`` (POST)."""
    from starlette.routing import Route

    routes = []
    if hooks.handles_unlink:
        routes.append(Route(unlink_path, unlink_endpoint(hooks), methods=["GET", "POST"]))
    if hooks.handles_security_events:
        endpoint = security_event_endpoint(hooks)
        routes.append(Route(security_event_path, endpoint, methods=["POST"]))
    return routes
