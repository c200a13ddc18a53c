"""A hostile HTTP server: answers slowly, endlessly, hugely, not at all, or with a reset.

A real TCP server on 127.0.0.1 (one thread per connection), so the client under test meets these
behaviours through its real HTTP stack. ``server.mode`` picks the behaviour for new connections;
``server.sent`` counts the body bytes that left before the client hung up.
"""

from __future__ import annotations

import functools
import gzip
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["MODES", "HostileServer", "hostile_server"]

MODES = ("drip_body", "drip_headers", "endless", "huge", "gzip_bomb", "reset", "black_hole")
HUGE = 50 * 1024 * 1024
DRIP_EVERY = 0.05  # far below any per-read timeout: only a whole-call deadline stops a drip
GIVE_UP = 60.0  # a drip ends by itself only long after any test


@functools.cache
def gzip_bomb() -> bytes:
    """~50 KB of gzip that inflate to 50 MB; made once, as compressing it takes a while."""
    return gzip.compress(b'{"access_token": "' + b"a" * HUGE + b'"}', compresslevel=9)


class HostileServer:
    def __init__(self) -> None:
        self.mode = "black_hole"
        self.sent = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def start(self) -> None:
        thread = threading.Thread(target=self._accept, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn, self.mode), daemon=True)
            thread.start()

    def _serve(self, conn: socket.socket, mode: str) -> None:
        with conn:
            try:
                if mode not in ("black_hole", "drip_tls"):
                    self._read_request(conn)
                getattr(self, f"_{mode}")(conn)
            except OSError:
                pass  # the client hung up: exactly what these behaviours provoke

    @staticmethod
    def _read_request(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk

    def _until_stopped(self) -> Iterator[None]:
        end = time.monotonic() + GIVE_UP
        while not self._stop.is_set() and time.monotonic() < end:
            yield

    def _send_body(self, conn: socket.socket, chunk: bytes) -> None:
        conn.sendall(chunk)
        self.sent += len(chunk)

    def _drip_body(self, conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"
        )
        for _ in self._until_stopped():
            self._send_body(conn, b" ")
            time.sleep(DRIP_EVERY)

    def _drip_headers(self, conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in self._until_stopped():
            conn.sendall(b"X")
            time.sleep(DRIP_EVERY)

    def _endless(self, conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        block = b'{"access_token": "' + b"a" * 65536
        for _ in self._until_stopped():
            self._send_body(conn, b"%x\r\n%s\r\n" % (len(block), block))
            block = b"a" * 65536

    def _huge(self, conn: socket.socket) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % HUGE
        )
        block = b"a" * 65536
        for _ in range(HUGE // len(block)):
            self._send_body(conn, block)

    def _gzip_bomb(self, conn: socket.socket) -> None:
        body = gzip_bomb()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        self._send_body(conn, body)
        time.sleep(1)  # keep the connection open while the client decodes

    @staticmethod
    def _reset(conn: socket.socket) -> None:
        # SO_LINGER 0: close() sends RST instead of FIN.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _drip_tls(self, conn: socket.socket) -> None:
        # The client's hello read, the server's answer announced as a 16 KiB handshake record
        # and then dripped: a TLS handshake that never ends, one byte well within any read timeout.
        conn.recv(4096)
        conn.sendall(b"\x16\x03\x03\x40\x00\x02")
        for _ in self._until_stopped():
            conn.sendall(b"\x00")
            time.sleep(DRIP_EVERY)

    def _black_hole(self, conn: socket.socket) -> None:
        for _ in self._until_stopped():
            time.sleep(DRIP_EVERY)


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
