"""A stand-in for a service's webhook endpoints: a real HTTP server on a free loopback port that
records every request Kakao (the emulator) makes and answers what the test says."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Hit:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        """The body as a form (the unlink webhook's POST)."""
        return parse_qs(self.body.decode())


@dataclass
class Receiver:
    """Records hits; answers ``statuses`` in turn (one each), then ``status``."""

    url: str
    hits: list[Hit] = field(default_factory=list)
    status: int = 200
    statuses: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # answer only when the test is over (to trip a sender's timeout)
    on_hit: Callable[[Hit], None] | None = None

    def next_status(self) -> int:
        return self.statuses.pop(0) if self.statuses else self.status


@contextmanager
def running_receiver(path: str, status: int = 200) -> Iterator[Receiver]:
    """A receiver at ``http://127.0.0.1:<free port><path>`` for the duration of the block."""
    box: list[Receiver] = []
    over = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            rec = box[0]
            length = int(self.headers.get("Content-Length") or 0)
            split = urlsplit(self.path)
            hit = Hit(
                self.command,
                split.path,
                parse_qs(split.query),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            rec.hits.append(hit)
            if rec.on_hit is not None:
                rec.on_hit(hit)
            if rec.hold:
                over.wait()
            self.send_response(rec.next_status())
            for name, value in rec.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box.append(Receiver(f"http://127.0.0.1:{server.server_address[1]}{path}", status=status))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        over.set()
        server.shutdown()
        server.server_close()
