"""The emulator as an ASGI app: request log, fault injection, then one table lookup per request.

A plain ASGI callable rather than a framework app: the route table (``http.ROUTES``) already does
the routing, and every answer is a ready ``Response``. Nothing a client sends produces a traceback:
an unexpected error becomes Kakao's own "internal error" body.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

# Importing the handler modules fills the route table.
from authlib_kakao.testing import control, kapi, kauth, kauth_token  # noqa: F401
from authlib_kakao.testing.http import ROUTES, Request, Response, html
from authlib_kakao.testing.state import Fault, LoggedRequest
from authlib_kakao.testing.wire_errors import kapi_error, kauth_error

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = ["EmulatorASGI", "dispatch"]

log = logging.getLogger("authlib_kakao.testing")


class DroppedConnection(ConnectionAbortedError):
    """Raised inside the server to cut a response short (fault injection); never logged."""


class _HideDroppedConnections(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], DroppedConnection))


logging.getLogger("uvicorn.error").addFilter(_HideDroppedConnections())

Scope = dict[str, Any]
Receive = Any
Send = Any


def _is_kauth(path: str) -> bool:
    return path.startswith(("/oauth/", "/.well-known/"))


def not_found(req: Request) -> Response:
    if _is_kauth(req.path):
        return kauth_error("KOE002", f"Unknown endpoint: {req.method} {req.path}")
    return kapi_error(-9, f"API not found: {req.method} {req.path}", status=404)


def fault_response(path: str, fault: Fault) -> Response:
    """What an injected fault answers instead of the real handler."""
    status = fault.status or 500
    if fault.body is None:
        if _is_kauth(path):
            response = kauth_error("KOE003", "Temporary server error.")
        else:
            response = kapi_error(-1, "internal error")
        response.status = status
    elif fault.body == "html":
        response = html(
            "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
            "<body><h1>502 Bad Gateway</h1></body></html>",
            status,
        )
    elif fault.body == "malformed":
        response = Response(
            status, {"content-type": "application/json;charset=UTF-8"}, b'{"access_token": "'
        )
    elif fault.body == "empty":
        response = Response(status, {"content-type": "application/json;charset=UTF-8"})
    else:
        response = Response(status, {"content-type": "text/plain"}, fault.body.encode())
    return response


def _take_fault(emu: KakaoEmulator, path: str) -> Fault | None:
    with emu.state.lock:
        fault = emu.state.faults.get(path)
        if fault is None:
            return None
        if fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                del emu.state.faults[path]
        return fault


def dispatch(emu: KakaoEmulator, req: Request) -> Response:
    """Run the handler for ``req`` (no faults, no log): the core shared by every way to serve."""
    route = ROUTES.get((req.method, req.path))
    if route is None:
        return not_found(req)
    try:
        with emu.state.lock:
            return route.handler(emu, req)
    except Exception:
        log.exception("emulator handler for %s %s failed", req.method, req.path)
        if _is_kauth(req.path):
            return kauth_error("KOE003", "Temporary server error.")
        return kapi_error(-1, "internal error")


class EmulatorASGI:
    """ASGI 3 application serving one :class:`KakaoEmulator`."""

    def __init__(self, emulator: KakaoEmulator) -> None:
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        req = Request.build(
            scope["method"],
            scope["path"],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
        )
        emu = self.emulator
        # A delayed request may finish after a reset: it belongs to the state it arrived in.
        state = emu.state
        fault = None if req.path.startswith("/_emulator/") else _take_fault(emu, req.path)
        if fault is not None and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault is not None and (fault.status is not None or fault.body is not None):
            response = fault_response(req.path, fault)
        elif emu.state is not state:  # reset while this request waited: touch nothing new
            response = fault_response(req.path, Fault(status=503))
        else:
            response = dispatch(emu, req)
        if fault is not None and fault.drop:
            response.drop = True
        if not req.path.startswith("/_emulator/"):
            state.log.append(
                LoggedRequest(req.method, req.path, response.status, state.clock.now())
            )
        await self._send(send, response)

    @staticmethod
    async def _send(send: Send, response: Response) -> None:
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()]
        if response.drop:
            # Promise a body, then end the connection without it: clients see a broken response.
            headers.append((b"content-length", b"1024"))
            await send(
                {"type": "http.response.start", "status": response.status, "headers": headers}
            )
            raise DroppedConnection("emulator fault: connection dropped")
        headers.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
