"""A whole-call deadline for requests, kept in the calling thread: a watchdog cuts the sockets of a
call that outlives it.

requests' ``timeout`` bounds each socket operation, not the call: a server that sends one byte
every 0.9 s holds a ``timeout=1`` call for as long as it likes. Running each call on a worker
thread and waiting for it with a timeout bounds it, at the price of a thread hand-off on every
call (about a third of a login's client CPU). Here the call runs in the caller's thread instead,
and registers every socket it uses (:class:`Deadline`); one watchdog thread, holding the pending
deadlines in a heap, shuts down the sockets of a call still running at its deadline. The blocked
read returns at once, the connection is dropped (urllib3 never reuses a socket that was shut
down) and the session reports the call as timed out.

The connection classes that register sockets are mounted by the app's
:class:`~authlib_kakao.http.pool.ConnectionPool`; a session without them (the user's own
adapters) falls back to the worker thread.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Deadline", "connection_pool_classes", "current", "deadline"]

_local = threading.local()


class Deadline:
    """One call's deadline and the sockets it has used so far."""

    __slots__ = ("_done", "_lock", "_owned", "_sockets", "expired", "until")

    def __init__(self, until: float) -> None:
        self.until = until
        self.expired = False
        self._done = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._owned: list[socket.socket] = []  # duplicates made for this call: closed with it

    def add(self, sock: Any, *, owned: bool = False) -> None:
        """Cut ``sock`` too if the call outlives its deadline (at once if it already has);
        ``owned``: a duplicate made for the call, closed when it ends."""
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            if not self._done:
                self._sockets.append(sock)
                if owned:
                    self._owned.append(sock)
                return
        if self.expired:
            _shutdown(sock)
        if owned:
            sock.close()

    def expire(self) -> None:
        """The deadline passed: shut down every socket of the call still running."""
        with self._lock:
            if self._done:
                return
            self._done = self.expired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shutdown(sock)

    def finish(self) -> bool:
        """The call ended; ``False`` if the watchdog cut it first (it then timed out)."""
        with self._lock:
            self._done = True
            self._sockets = []
            owned, self._owned = self._owned, []
        for sock in owned:
            sock.close()
        return not self.expired


def _shutdown(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket: the OS wakes the reading thread; the
    # SSL object is left to that thread, which sees the connection end.
    with contextlib.suppress(OSError):  # already closed: nothing left to cut
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that expires deadlines in order; sleeps until the earliest."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: Deadline) -> None:
        with self._cond:
            earliest = self._heap[0][0] if self._heap else None
            heapq.heappush(self._heap, (deadline.until, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="authlib-kakao-deadlines", daemon=True
                )
                self._thread.start()
            elif earliest is None or deadline.until < earliest:
                self._cond.notify()  # only an earlier deadline changes how long it sleeps

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                until, _, deadline = self._heap[0]
                wait = until - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            deadline.expire()  # a call that ended already ignores it


_WATCHDOG = _Watchdog()


def current() -> Deadline | None:
    """The deadline of the call running in this thread, if any."""
    return getattr(_local, "deadline", None)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Run the block as one call that must end within ``seconds``; a call already running in this
    thread (a redirect requests follows) keeps its own deadline."""
    outer = current()
    if outer is not None:
        yield outer
        return
    watched = Deadline(time.monotonic() + seconds)
    _WATCHDOG.watch(watched)
    _local.deadline = watched
    try:
        yield watched
    finally:
        _local.deadline = None
        watched.finish()


def connection_pool_classes() -> dict[str, type]:
    """urllib3 pool classes whose connections register their sockets with the running call."""
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class _Registering:
        sock: Any

        def _new_conn(self) -> Any:
            sock = super()._new_conn()  # type: ignore[misc]  # urllib3's, below in the MRO
            call = current()
            if call is not None:
                # A TLS wrap detaches this socket object: a duplicate keeps the handshake cuttable.
                call.add(sock.dup(), owned=True)
            return sock

        def request(self, *args: Any, **kwargs: Any) -> Any:
            call = current()
            if call is not None and self.sock is not None:
                call.add(self.sock)
            return super().request(*args, **kwargs)  # type: ignore[misc]  # urllib3's

    class DeadlineHTTPConnection(_Registering, HTTPConnection):
        pass

    class DeadlineHTTPSConnection(_Registering, HTTPSConnection):
        pass

    class DeadlineHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = DeadlineHTTPConnection

    class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = DeadlineHTTPSConnection

    return {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}
