"""The emulator as an ASGI app: request log, fault injection, then one table lookup per request.

A plain ASGI callable rather than a framework app: the route table (``routes.ROUTES``) already does
the routing, and every answer is a ready ``Response``. A handler's :class:`WireError` becomes its
Kakao error answer here; nothing a client sends produces a traceback: an unexpected error becomes
Kakao's own "internal error" body.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Protocol

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.exchange import JSON_CONTENT_TYPE, Request, Response, html
from authlib_kakao.testing.routes import BLOCKING_ROUTES, CONTROL_PREFIX, ROUTES, is_kauth
from authlib_kakao.testing.state import Fault
from authlib_kakao.testing.wire_errors import WireError, kapi_error, kauth_error

__all__ = ["EmulatorASGI", "StateHolder", "dispatch"]

# How often a request hanging on a fault looks whether it has been released.
HANG_POLL = 0.005

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


class StateHolder(Protocol):
    """What the ASGI app serves: whatever backend is current (a reset swaps it)."""

    state: KakaoBackend


def not_found(req: Request) -> Response:
    """Kakao's answer for an unknown endpoint, kauth- or kapi-shaped by path."""
    if is_kauth(req.path):
        return kauth_error("KOE002", f"Unknown endpoint: {req.method} {req.path}")
    return kapi_error(-9, f"API not found: {req.method} {req.path}", status=404)


def fault_response(path: str, fault: Fault) -> Response:
    """What an injected fault answers instead of the real handler.

    A typed fault (``kapi_error=-405``, ``kauth_error="KOE004"``) answers Kakao's documented body
    with its status and headers (``status`` overrides the status only).
    """
    if fault.kapi_error is not None:
        response = kapi_error(fault.kapi_error)
        response.status = fault.status or response.status
        return response
    if fault.kauth_error is not None:
        response = kauth_error(fault.kauth_error)
        response.status = fault.status or response.status
        return response
    status = fault.status or 500
    if fault.body is None:
        if is_kauth(path):
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
        response = Response(status, {"content-type": _literal_type(fault)}, fault.body.encode())
    return response


def _literal_type(fault: Fault) -> str:
    # A literal Kakao-shaped body is served as Kakao serves JSON; anything else as text.
    if fault.content_type:
        return fault.content_type
    try:
        json.loads(fault.body or "")
    except ValueError:
        return "text/plain;charset=UTF-8"
    return JSON_CONTENT_TYPE


def dispatch(backend: KakaoBackend, req: Request) -> Response:
    """Run the handler for ``req`` (no faults, no log): the core shared by every way to serve."""
    handler = ROUTES.get((req.method, req.path))
    if handler is None:
        return not_found(req)
    try:
        with backend.lock:
            return handler(backend, req)
    except WireError as refused:
        return refused.response
    except Exception:
        log.exception("emulator handler for %s %s failed", req.method, req.path)
        if is_kauth(req.path):
            return kauth_error("KOE003", "Temporary server error.")
        return kapi_error(-1, "internal error")


class EmulatorASGI:
    """ASGI 3 application serving the current backend of ``holder`` (the emulator façade)."""

    def __init__(self, holder: StateHolder) -> None:
        self.holder = holder

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
        # A delayed request may finish after a reset: it belongs to the state it arrived in.
        state = self.holder.state
        control = req.path.startswith(f"{CONTROL_PREFIX}/")
        fault = None if control else state.take_fault(req.path)
        if fault is not None:
            await self._wait(state, fault)
        if fault is not None and fault.answers:
            response = fault_response(req.path, fault)
        elif self.holder.state is not state:  # reset while this request waited: touch nothing new
            response = fault_response(req.path, Fault(status=503))
        elif (req.method, req.path) in BLOCKING_ROUTES:
            response = await asyncio.to_thread(dispatch, state, req)
        else:
            response = dispatch(state, req)
        if fault is not None and fault.drop:
            response.drop = True
        if not control:
            state.record(req.method, req.path, response.status)
        await self._send(send, response)

    @staticmethod
    async def _wait(state: KakaoBackend, fault: Fault) -> None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.hang:
            # Until the test is done with this request: reset, clear_faults or server stop.
            released = state.released
            while not released.is_set():
                await asyncio.sleep(HANG_POLL)

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
