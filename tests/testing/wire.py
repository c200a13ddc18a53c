"""How the emulator's own tests reach it: in-process over ASGI (most tests) or over real HTTP.

``httpx.Client`` cannot use ``httpx.ASGITransport`` (it is async-only), so :class:`SyncASGITransport`
runs each request through the emulator's ASGI app in its own ``asyncio.run``: the tests' sync
helper clients (``Kauth``, ``Kapi``) then speak the same wire in-process, with no socket.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

__all__ = ["ASGI_BASE_URL", "BOTH_WIRES", "SyncASGITransport"]

ASGI_BASE_URL = "http://kakao.test"

# Runs a test twice: in-process and over the session's real server (the thin real-HTTP layer).
BOTH_WIRES = pytest.mark.parametrize("wire", ["asgi", "http"], indirect=True)


class SyncASGITransport(httpx.BaseTransport):
    """A sync httpx transport that answers from an ASGI app in-process."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def round_trip() -> tuple[int, httpx.Headers, bytes]:
            response = await self._inner.handle_async_request(request)
            return response.status_code, response.headers, await response.aread()

        status, headers, content = asyncio.run(round_trip())
        return httpx.Response(status, headers=headers, content=content, request=request)
