"""The Kakao emulator in its own process, so a benchmark's CPU and event loop are the client's only.

As a script it serves a :class:`~authlib_kakao.testing.KakaoEmulator` (auto-approve) and prints
one JSON line: ``url``, ``ca_path`` (``null`` without ``--tls``), ``client_id``, ``client_secret``.
It serves until its standard input closes (the parent exited) or it is terminated. The standalone
``python -m authlib_kakao.testing`` has neither TLS nor config flags, hence this runner.

    python benchmarks/emulator_process.py [--tls] [--no-issue-limits] [--rotate-every-refresh]

Imported, :class:`EmulatorProcess` starts the script and talks to the emulator's ``/_emulator/``
control plane (request log, clock, reset).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import ssl
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from authlib_kakao.testing import EmulatorConfig, KakaoEmulator

__all__ = ["REDIRECT_URI", "Coordinates", "EmulatorProcess"]

# Registered for the default app by the emulator itself (backend.DEFAULT_REDIRECT_HOSTS).
REDIRECT_URI = "http://localhost/auth"


@dataclass(frozen=True)
class Coordinates:
    """Where an emulator runs and the default app's keys: what a client registration needs.

    ``system_bundle``: with TLS, a PEM file with the system's CAs plus the emulator's (trusting it
    costs what trusting the real Kakao costs: every new connection loads ~150 CAs, not one).
    """

    url: str
    ca_path: str | None
    client_id: str
    client_secret: str
    system_bundle: str | None = None

    @property
    def verify(self) -> str | bool:
        """What requests takes as ``verify=`` for this emulator."""
        return self.ca_path or True

    def to_json(self) -> str:
        """For another process (``Coordinates.from_json``)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Coordinates:
        return cls(**json.loads(text))


def serve(argv: list[str] | None = None) -> None:
    """Run the emulator until stdin closes; print its coordinates first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a local CA")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument(
        "--no-issue-limits",
        action="store_true",
        help="switch off Kakao's per-user token issue limits (KOE237): benchmarks log one user in "
        "thousands of times",
    )
    parser.add_argument(
        "--rotate-every-refresh",
        action="store_true",
        help="every refresh rotates the refresh token (Kakao rotates only in its last 30 days)",
    )
    parser.add_argument(
        "--redirect-uri", action="append", default=[], help="also accept this redirect URI"
    )
    args = parser.parse_args(argv)
    # Headless logins (a code at once) for an app with OIDC on, like the apps measured.
    emulator = KakaoEmulator(config=EmulatorConfig(app_preset="biz"), auto_approve=True)
    config = emulator.config
    if args.no_issue_limits:
        config.access_token_rate_limit = None
        config.refresh_token_rate_limit = None
    if args.rotate_every_refresh:
        # Longer than a refresh token lives: every presented refresh token is "near its end".
        config.refresh_rotation_window = config.refresh_token_lifetime + 1
    with emulator.serve(port=args.port, tls=args.tls) as url:
        app = emulator.app
        app.redirect_uris.extend(args.redirect_uri)
        coordinates = {
            "url": url,
            "ca_path": emulator.ca_path,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
        print(json.dumps(coordinates), flush=True)
        sys.stdin.read()  # returns when the parent closes the pipe or dies


class EmulatorProcess:
    """Start ``emulator_process.py`` in a subprocess; its coordinates once started.

    Args:
        tls: serve HTTPS (``ca_path`` is then the CA's PEM file).
        issue_limits: keep Kakao's token issue limits (KOE237).
        rotate_every_refresh: every refresh grant rotates the refresh token (KOE322 for the rest).
        redirect_uris: further redirect URIs the default app accepts.
        start_timeout: seconds to wait for the emulator to come up.
    """

    coordinates: Coordinates
    url: str

    def __init__(
        self,
        *,
        tls: bool = False,
        issue_limits: bool = True,
        rotate_every_refresh: bool = False,
        redirect_uris: tuple[str, ...] = (),
        start_timeout: float = 30.0,
    ) -> None:
        self.argv = [sys.executable, os.path.abspath(__file__)]
        self.argv += ["--tls"] if tls else []
        self.argv += [] if issue_limits else ["--no-issue-limits"]
        self.argv += ["--rotate-every-refresh"] if rotate_every_refresh else []
        for uri in redirect_uris:
            self.argv += ["--redirect-uri", uri]
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[str] | None = None
        self.http = requests.Session()
        self._bundle: str | None = None

    def __enter__(self) -> EmulatorProcess:
        # uvicorn's shutdown chatter would land in the middle of the tables: kept aside, shown
        # only when the emulator fails to start.
        self.stderr = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            line = lines.get(timeout=self.start_timeout)
            data = json.loads(line)
        except (queue.Empty, ValueError):
            self.stderr.seek(0)
            output = self.stderr.read()
            self.close()
            raise RuntimeError(
                f"the emulator process did not start: {' '.join(self.argv)}\n{output}"
            ) from None
        ca_path = data["ca_path"]
        bundle = self._write_system_bundle(ca_path) if ca_path else None
        self.coordinates = Coordinates(**data, system_bundle=bundle)
        self.url = self.coordinates.url
        self.http.verify = self.coordinates.verify
        return self

    @property
    def pid(self) -> int:
        """The emulator's process id."""
        assert self.process is not None
        return self.process.pid

    def _write_system_bundle(self, ca_path: str) -> str:
        paths = ssl.get_default_verify_paths()
        system = os.environ.get("SSL_CERT_FILE") or paths.cafile or paths.openssl_cafile
        with open(system, encoding="ascii") as f:
            cas = f.read()
        with open(ca_path, encoding="ascii") as f:
            cas += "\n" + f.read()
        fd, self._bundle = tempfile.mkstemp(prefix="kakao-bench-cas-", suffix=".pem")
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(cas)
        return self._bundle

    def close(self) -> None:
        """Stop the emulator (closing its stdin ends it; killed if it lingers)."""
        self.http.close()
        if self.process is None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()
        if self._bundle is not None:
            os.unlink(self._bundle)
            self._bundle = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the control plane -------------------------------------------------------------------

    def log(self, path: str | None = None) -> list[dict[str, Any]]:
        """The emulator's request log (``method``, ``path``, ``status``, ``at``), oldest first."""
        params = {"path": path} if path else {}
        resp = self.http.get(f"{self.url}/_emulator/log", params=params, timeout=30)
        resp.raise_for_status()
        return list(resp.json())

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock forward (tokens expire without waiting)."""
        resp = self.http.post(
            f"{self.url}/_emulator/clock/advance", json={"seconds": seconds}, timeout=30
        )
        resp.raise_for_status()

    def reset(self) -> None:
        """Fresh state: tokens, issue counters, log and clock (config and keys stay)."""
        self.http.post(f"{self.url}/_emulator/reset", timeout=30).raise_for_status()

    def login_body(self, openid: bool = False) -> dict[str, Any]:
        """A real login as a browser and a server would make it: Kakao's token response body."""
        params = {
            "client_id": self.coordinates.client_id,
            "redirect_uri": REDIRECT_URI,
            "response_type": "code",
        }
        if openid:
            params["scope"] = "openid"
        authorize = self.http.get(
            f"{self.url}/oauth/authorize", params=params, allow_redirects=False, timeout=30
        )
        code = parse_qs(urlsplit(authorize.headers["location"]).query)["code"][0]
        resp = self.http.post(
            f"{self.url}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": self.coordinates.client_id,
                "client_secret": self.coordinates.client_secret,
                "redirect_uri": REDIRECT_URI,
                "code": code,
            },
            timeout=30,
        )
        resp.raise_for_status()
        return dict(resp.json())


if __name__ == "__main__":
    serve()
