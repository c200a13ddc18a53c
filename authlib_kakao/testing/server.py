"""A real HTTP(S) server for the emulator: uvicorn on a free loopback port in a daemon thread.

With ``tls=True`` it serves HTTPS with a certificate from a throwaway CA made by ``trustme``
(:class:`LocalTLS`); clients trust that CA through its PEM file (``ca_path``) or an SSL context.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
import tempfile
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import uvicorn

__all__ = ["EmulatorServer", "LocalTLS"]

DEFAULT_TLS_HOSTS = ("127.0.0.1", "localhost")


class LocalTLS:
    """A throwaway CA and a server certificate it signed, as PEM files in a private temp dir.

    Args:
        hosts: the names and IP addresses the certificate is valid for.

    Raises:
        ImportError: ``trustme`` is not installed.
    """

    def __init__(self, hosts: Iterable[str] = DEFAULT_TLS_HOSTS) -> None:
        try:
            import trustme
        except ImportError as exc:
            raise ImportError(
                f"{exc}: serving the Kakao emulator over HTTPS (tls=True) needs the 'trustme' "
                "package: pip install trustme"
            ) from exc
        ca = trustme.CA(organization_name="authlib-kakao emulator")
        cert = ca.issue_cert(*dict.fromkeys(hosts))
        # mkdtemp makes the directory 0700: the server's private key is readable by us only.
        self._dir = tempfile.TemporaryDirectory(prefix="kakao-emulator-tls-")
        self.ca_path = os.path.join(self._dir.name, "ca.pem")
        self.cert_path = os.path.join(self._dir.name, "server.pem")  # key + certificate chain
        ca.cert_pem.write_to_path(self.ca_path)
        cert.private_key_and_cert_chain_pem.write_to_path(self.cert_path)

    def client_context(self) -> ssl.SSLContext:
        """A client SSL context that trusts this CA (and only it)."""
        return ssl.create_default_context(cafile=self.ca_path)

    def cleanup(self) -> None:
        """Delete the PEM files."""
        self._dir.cleanup()


class EmulatorServer:
    """Serve an ASGI app on ``host:port`` (``port=0``: a free one) until :meth:`stop`.

    ``tls=True`` serves HTTPS with a :class:`LocalTLS` certificate for 127.0.0.1, localhost and
    ``host`` (its CA in :attr:`tls`); it is deleted on :meth:`stop`.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, tls: bool = False) -> None:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted sockets only when the
        # listening socket says proto=TCP; with proto=0 every keep-alive answer waits ~40 ms for
        # the client's delayed ACK (Nagle), i.e. ~23 requests per second.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind((host, port))
        except OSError:
            self._sock.close()  # e.g. the port is taken: the caller says so, nothing leaks
            raise
        self.host, self.port = self._sock.getsockname()[:2]
        try:
            self.tls = LocalTLS((*DEFAULT_TLS_HOSTS, host)) if tls else None
        except BaseException:
            self._sock.close()
            raise
        config = uvicorn.Config(
            app,
            # A path, not an SSLContext: every uvicorn since 0.30 takes it (key and chain in one file).
            ssl_certfile=self.tls.cert_path if self.tls else None,
            log_config=None,
            log_level=logging.WARNING,
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread.start()
        for _ in range(int(timeout / 0.01)):
            if self._server.started or not self._thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"the Kakao emulator did not start on {self.url}")

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C raises KeyboardInterrupt here)."""
        while self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._sock.close()
        if self.tls is not None:
            self.tls.cleanup()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
