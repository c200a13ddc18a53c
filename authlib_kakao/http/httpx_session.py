"""The httpx (or httpx2, as Authlib prefers) client behind Kakao's Starlette/FastAPI app: pooled,
bounded, one refresh per storm.

httpx's ``timeout`` bounds each phase (connect, each read), not the call; here it is a deadline for
the whole call, body included, enforced by cancelling the call. The body is read raw and decoded by
:class:`~authlib_kakao.http.limits.BodyReader`, refused past ``max_response_bytes``. Connections (and the
SSL context) come from the app's :class:`~authlib_kakao.http.pool.ConnectionPool`, one per event loop.
"""

from __future__ import annotations

import asyncio
from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client

from authlib_kakao.http.limits import (
    ACCEPT_ENCODING,
    BodyReader,
    deadline_of,
    fits_whole,
    timed_out,
)
from authlib_kakao.http.observe import ATTEMPT, Observation
from authlib_kakao.http.session import STORED_TOKEN, KakaoSessionMixin, SessionContext

__all__ = ["AsyncKakaoOAuth2Client"]

_TIMEOUT = getattr(asyncio, "timeout", None)

# Headers that describe the body as it came over the wire, not the decoded body handed on.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class AsyncKakaoOAuth2Client(KakaoSessionMixin, AsyncOAuth2Client):  # type: ignore[misc]  # Authlib: untyped
    """Authlib's ``AsyncOAuth2Client`` with Kakao's behaviour, every call bounded."""

    def __init__(
        self, *args: Any, kakao_shared: SessionContext | None = None, **kwargs: Any
    ) -> None:
        if kakao_shared is not None and "transport" not in kwargs:
            transport = kakao_shared.pool.transport(type(self))
            if transport is not None:
                kwargs["transport"] = transport
                # The pooled transport already goes through it; httpx would give the client a
                # transport of its own for it, per call, and bypass the pool.
                kwargs.pop("proxy", None)
        super().__init__(*args, **kwargs)
        self.kakao_shared = kakao_shared
        self.headers["Accept-Encoding"] = ACCEPT_ENCODING

    async def refresh_token(self, url: Any = None, refresh_token: Any = None, **kwargs: Any) -> Any:
        parent = super().refresh_token
        old, refresher = self._refresh_plan(refresh_token)
        if refresher is None:
            return await parent(url, refresh_token=refresh_token, **kwargs)

        async def refresh() -> dict[str, Any]:
            return dict(await parent(url, refresh_token=old["refresh_token"], **kwargs))

        self.token = await refresher.refresh_async(old, refresh, STORED_TOKEN.get())
        return self.token

    async def send(self, request: Any, **kwargs: Any) -> Any:
        if kwargs.get("stream"):
            return await super().send(request, **kwargs)
        attempt = ATTEMPT.get()
        resp = await self._send_observed(request, kwargs, attempt)
        if self._retry_after_refresh(request, resp):
            await self.refresh_token(self.metadata.get("token_endpoint"))
            self._bearer(request)
            resp = await self._send_observed(request, kwargs, attempt + 1)
        return resp

    async def _send_observed(self, request: Any, kwargs: dict[str, Any], attempt: int) -> Any:
        observation = Observation(request.method, str(request.url), attempt)
        try:
            resp = await self._send_bounded(request, kwargs)
        except BaseException as exc:
            observation.failed(exc)
            raise
        observation.answered(resp.status_code, resp.content)
        return resp

    async def _send_bounded(self, request: Any, kwargs: dict[str, Any]) -> Any:
        seconds = deadline_of(request.extensions.get("timeout"))
        if seconds is None:
            return await self._send_capped(request, kwargs)
        try:
            if _TIMEOUT is None:  # Python 3.10
                return await asyncio.wait_for(self._send_capped(request, kwargs), seconds)
            # A deadline on this very task: wait_for would run the call as a task of its own,
            # one more trip round the event loop for every call.
            async with _TIMEOUT(seconds):
                return await self._send_capped(request, kwargs)
        except asyncio.TimeoutError:
            raise timed_out(seconds) from None

    async def _send_capped(self, request: Any, kwargs: dict[str, Any]) -> Any:
        resp = await super().send(request, **{**kwargs, "stream": True})
        if fits_whole(resp.headers, self.max_response_bytes):
            await resp.aread()  # Kakao's usual answer: plain JSON of a declared, small length
            return resp
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
