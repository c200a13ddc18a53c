"""The httpx (or httpx2, as Authlib prefers) client behind Kakao's Starlette/FastAPI app: bounded
in time and in size.

httpx's ``timeout`` bounds each phase (connect, each read), not the call; here it is a deadline for
the whole call, body included, enforced by cancelling the call. The body is read raw and decoded by
:class:`~authlib_kakao.limits.BodyReader`, refused past ``max_response_bytes``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client

from authlib_kakao.integrations.mixin import KakaoSessionMixin
from authlib_kakao.limits import ACCEPT_ENCODING, BodyReader, deadline_of, timed_out

__all__ = ["AsyncKakaoOAuth2Client"]

# Headers that describe the body as it came over the wire, not the decoded body handed on.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class AsyncKakaoOAuth2Client(KakaoSessionMixin, AsyncOAuth2Client):  # type: ignore[misc]
    """Authlib's ``AsyncOAuth2Client`` reading Kakao's token responses, every call bounded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.headers["Accept-Encoding"] = ACCEPT_ENCODING

    async def send(self, request: Any, **kwargs: Any) -> Any:
        if kwargs.get("stream"):
            return await super().send(request, **kwargs)
        seconds = deadline_of(request.extensions.get("timeout"))
        if seconds is None:
            return await self._send_capped(request, kwargs)
        try:
            return await asyncio.wait_for(self._send_capped(request, kwargs), seconds)
        except asyncio.TimeoutError:
            raise timed_out(seconds) from None

    async def _send_capped(self, request: Any, kwargs: dict[str, Any]) -> Any:
        resp = await super().send(request, **{**kwargs, "stream": True})
        try:
            reader = BodyReader(resp.headers, self.max_response_bytes)
            async for chunk in resp.aiter_raw():
                reader.feed(chunk)
            body = reader.body()
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
