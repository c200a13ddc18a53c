"""The httpx (or httpx2, as Authlib prefers) client behind Kakao's Starlette/FastAPI app: bounded
in time and in size.

httpx's ``timeout`` bounds each phase (connect, each read), not the call; here it is a deadline for
the whole call, body included, enforced by cancelling the call. The body is streamed and refused
past ``max_response_bytes`` (decoded, so a compressed bomb is caught too).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client

from authlib_kakao.integrations.mixin import KakaoSessionMixin
from authlib_kakao.transport import deadline_of, read_capped_async, timed_out

__all__ = ["AsyncKakaoOAuth2Client"]

# Headers that describe the body as it came over the wire, not the decoded body handed on.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class AsyncKakaoOAuth2Client(KakaoSessionMixin, AsyncOAuth2Client):  # type: ignore[misc]
    """Authlib's ``AsyncOAuth2Client`` reading Kakao's token responses, every call bounded."""

    async def send(self, request: Any, **kwargs: Any) -> Any:
        if kwargs.get("stream"):
            return await super().send(request, **kwargs)
        seconds = deadline_of(request.extensions.get("timeout"))
        if seconds is None:
            return await self._send_capped(request, kwargs, None)
        until = time.monotonic() + seconds
        try:
            return await asyncio.wait_for(self._send_capped(request, kwargs, until), seconds)
        except asyncio.TimeoutError:
            raise timed_out(seconds) from None

    async def _send_capped(self, request: Any, kwargs: dict[str, Any], until: float | None) -> Any:
        resp = await super().send(request, **{**kwargs, "stream": True})
        try:
            body = await read_capped_async(
                resp.headers, resp.aiter_bytes(), self.max_response_bytes, until
            )
        finally:
            await resp.aclose()
        headers = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
        return type(resp)(
            resp.status_code,
            headers=headers,
            content=body,
            request=request,
            extensions=resp.extensions,
        )
