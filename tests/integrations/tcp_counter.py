"""A TCP forwarder in front of the emulator that counts the connections clients open and close.

It proves connection reuse from the outside: a pooled client opens one connection for many calls,
and a closed pool's connection ends.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

__all__ = ["TCPCounter", "tcp_counter"]


class TCPCounter:
    def __init__(self, target_url: str) -> None:
        target = urlsplit(target_url)
        self._target = (target.hostname or "127.0.0.1", target.port or 80)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.opened = 0
        self.closed = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    def start(self) -> None:
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._sock.close()

    def wait_closed(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until ``count`` client connections have ended."""
        with self._changed:
            return self._changed.wait_for(lambda: self.closed >= count, timeout)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self.opened += 1
            upstream = socket.create_connection(self._target)
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            if from_client:
                with self._changed:
                    self.closed += 1
                    self._changed.notify_all()


@contextmanager
def tcp_counter(target_url: str) -> Iterator[TCPCounter]:
    counter = TCPCounter(target_url)
    counter.start()
    try:
        yield counter
    finally:
        counter.stop()
