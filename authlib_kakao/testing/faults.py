"""The backend's faults and request log: what a test injects to make the next calls fail (an
error body, a status, a dropped or hanging answer) and every request the emulator answered.

:class:`FaultsAndLog` is a part of :class:`~authlib_kakao.testing.backend.KakaoBackend`, which
holds the state (set in its ``__init__``) and the one lock.
"""

from __future__ import annotations

import threading
from collections import deque

from authlib_kakao.testing.state import Clock, Fault, LoggedRequest
from authlib_kakao.testing.surface import operation

__all__ = ["FaultsAndLog"]


class FaultsAndLog:
    """Injected faults, the hanging requests' release, and the request log."""

    # Set by KakaoBackend.__init__; declared here for the type checker.
    lock: threading.RLock
    clock: Clock
    faults: dict[str, Fault]
    released: threading.Event
    log: deque[LoggedRequest]

    @operation
    def inject_fault(
        self,
        path: str,
        *,
        status: int | None = None,
        delay: float = 0.0,
        body: str | None = None,
        drop: bool = False,
        times: int | None = 1,
        hang: bool = False,
        kapi_error: int | None = None,
        kauth_error: str | None = None,
        content_type: str | None = None,
    ) -> None:
        """Make the next ``times`` requests to ``path`` fail (``times=None``: until cleared).

        ``kapi_error=-405`` / ``kauth_error="KOE004"``: Kakao's documented body for that code,
        with its status and headers (``status`` overrides the status).

        ``status`` answers that status with ``body`` instead of the real answer (500 when only a
        body is given); with neither, the real answer comes, only slowed by ``delay``, held back
        by ``hang`` or cut by ``drop``.

        ``body``: ``None`` for a Kakao-shaped error body, ``"html"``, ``"malformed"`` (cut-off
        JSON), ``"empty"``, or a literal body (served as JSON when it parses as JSON, else as
        text, unless ``content_type`` says). ``drop`` cuts the connection mid-answer (headers
        sent, promised body never). ``hang`` holds the request until a reset,
        :meth:`clear_faults` or the end of ``serve()`` (to trip a client timeout without the
        test waiting on a clock); ``delay`` waits that many real seconds first.
        """
        fault = Fault(
            status=status, delay=delay, body=body, drop=drop, times=times, hang=hang,
            kapi_error=kapi_error, kauth_error=kauth_error, content_type=content_type,
        )  # fmt: skip
        with self.lock:
            self.faults[path] = fault

    @operation
    def clear_faults(self) -> None:
        """Forget every injected fault and let hanging requests go."""
        with self.lock:
            self.faults.clear()
        self.release()

    def take_fault(self, path: str) -> Fault | None:
        """The fault for ``path``, used up once."""
        with self.lock:
            fault = self.faults.get(path)
            if fault is None:
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self.faults[path]
            return fault

    def release(self) -> None:
        """Let every request hanging on a ``hang`` fault finish (reset and server stop call this)."""
        # A fresh event for later hangs; the waiting requests hold the old one, now set.
        released, self.released = self.released, threading.Event()
        released.set()

    def record(self, method: str, path: str, status: int) -> None:
        """Log an answered request on the emulator's clock."""
        self.log.append(LoggedRequest(method, path, status, self.clock.now()))

    @operation
    def requests(self, path: str | None = None) -> list[LoggedRequest]:
        """Requests served so far (optionally only to ``path``), oldest first."""
        return [r for r in self.log if path is None or r.path == path]

    @operation
    def count(self, path: str, method: str | None = None) -> int:
        """How often ``path`` was requested (with ``method``, if given)."""
        return sum(1 for r in self.requests(path) if method is None or r.method == method.upper())

    @operation
    def clear_log(self) -> None:
        """Forget the requests served so far."""
        self.log.clear()
