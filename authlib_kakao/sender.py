"""Sending a core request outside any user's login, through the app's bounded, pooled sessions.

The admin client (``KakaoAdmin``: the admin key is in the request already) and the webhook
receivers (Kakao's JWKS: no credential at all) send this way. Like Authlib's own calls, each is
made on a fresh session of our class, which takes its connections from the app's pool and enforces
the deadline and the answer-size cap; network failures become ``KakaoTransportError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from authlib_kakao.core.messages import HTTPRequest, HTTPResponse
from authlib_kakao.http.transport import to_http_response, transport_errors

__all__ = ["send_awaited", "send_blocking"]


def send_blocking(
    request: HTTPRequest, *, timeout: float, session_kwargs: Mapping[str, Any]
) -> HTTPResponse:
    """Send ``request`` with requests; ``session_kwargs`` carry ``kakao_shared`` (pool, limits)."""
    from authlib_kakao.http.requests_session import KakaoOAuth2Session

    with (
        transport_errors(request.method, request.url),
        KakaoOAuth2Session(default_timeout=timeout, **session_kwargs) as session,
    ):
        resp = session.request(
            request.method, request.url, withhold_token=True, headers=dict(request.headers),
            params=dict(request.query) or None, data=dict(request.form) or None,
        )  # fmt: skip
        return to_http_response(resp)


async def send_awaited(
    request: HTTPRequest, *, timeout: float, session_kwargs: Mapping[str, Any]
) -> HTTPResponse:
    """:func:`send_blocking` with httpx, awaited."""
    from authlib_kakao.http.httpx_session import AsyncKakaoOAuth2Client

    with transport_errors(request.method, request.url):
        async with AsyncKakaoOAuth2Client(timeout=timeout, **session_kwargs) as client:
            resp = await client.request(
                request.method, request.url, withhold_token=True,
                headers=dict(request.headers), params=dict(request.query) or None,
                data=dict(request.form) or None,
            )  # fmt: skip
            return to_http_response(resp)
