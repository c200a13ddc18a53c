"""``authlib-kakao demo``: see a whole Kakao login in a browser, with no Kakao account.

The demo is a small Flask app. By default its Kakao is the built-in emulator (a Biz app with
OpenID Connect; log in as ``user@example.com`` / ``password``); with ``KAKAO_CLIENT_ID`` (and
``KAKAO_CLIENT_SECRET`` if the app has one) set, it uses the real Kakao and says so.
"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Demo", "demo_server", "run_demo"]


@dataclass
class Demo:
    """A demo being served: its URL, its WSGI server and app, and its emulator (or None)."""

    url: str
    server: Any
    app: Any
    emulator: Any
    banner: str

    @contextmanager
    def in_background(self) -> Iterator[Demo]:
        """Serve from a thread (tests, the browser test) until the block ends."""
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            thread.join(timeout=10)


@contextmanager
def demo_server(
    host: str = "127.0.0.1", port: int = 8000, environ: Mapping[str, str] | None = None
) -> Iterator[Demo]:
    """The demo, bound to ``host:port`` (0: any free port), with its emulator running."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """Not logged: the callback's URL carries the authorization code."""

    from authlib_kakao.demo.site import create_app

    env = os.environ if environ is None else environ
    with ExitStack() as stack:
        # Bound first, so the port (and the callback URL) is known before the app is made.
        server = make_server(host, port, _starting, threaded=True, request_handler=Quiet)
        stack.callback(server.server_close)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - a wildcard bind
        base = f"http://{shown}:{server.port}"
        emulator: Any = None
        if env.get("KAKAO_CLIENT_ID"):
            options: dict[str, Any] = {
                "client_id": env["KAKAO_CLIENT_ID"],
                "client_secret": env.get("KAKAO_CLIENT_SECRET") or None,
            }
            banner = (f"Using the real Kakao (client_id {env['KAKAO_CLIENT_ID'][:6]}…): register "
                      f"{base}/auth as a Redirect URI and {base}/logged-out as a Logout Redirect "
                      f"URI in the console.")  # fmt: skip
        else:
            emulator = stack.enter_context(_emulator(base))
            keys = emulator.app
            options = {"client_id": keys.client_id, "client_secret": keys.client_secret,
                       "kauth_url": emulator.url, "kapi_url": emulator.url}  # fmt: skip
            banner = (f"Kakao here is the built-in emulator ({emulator.url}): log in as "
                      f"user@example.com / password.")  # fmt: skip
        server.app = create_app(options, emulator=emulator)
        yield Demo(base, server, server.app, emulator, banner)


def run_demo(host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> int:
    """Serve the demo until Ctrl-C, printing what to open."""
    with demo_server(host, port) as demo:
        print(demo.banner)
        print(f"Open {demo.url}/  (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(f"{demo.url}/")
        try:
            demo.server.serve_forever()
        except KeyboardInterrupt:
            print("bye", file=sys.stderr)
    return 0


def _starting(environ: Any, start_response: Any) -> list[bytes]:
    """Answers until the demo app is in place (a moment after the port is bound)."""
    start_response("503 Service Unavailable", [("Retry-After", "1")])
    return [b"starting"]


@contextmanager
def _emulator(base: str) -> Iterator[Any]:
    """The emulator the demo logs in at: a Biz app with OIDC, showing Kakao's login and consent
    pages; the demo's callback, logout page and webhook registered with its app."""
    from authlib_kakao.testing import EmulatorConfig, KakaoEmulator

    emulator = KakaoEmulator(config=EmulatorConfig(app_preset="biz"))
    with emulator.serve():
        # A first login: Kakao's consent page lists every item the app configures.
        emulator.unlink(emulator.user)
        app = emulator.app
        app.redirect_uris.append(f"{base}/auth")
        app.logout_redirect_uris.append(f"{base}/logged-out")
        app.webhook_url = f"{base}/webhooks/unlink"
        yield emulator
