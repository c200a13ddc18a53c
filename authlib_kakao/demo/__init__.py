"""``authlib-kakao demo``: see a whole Kakao login in a browser, with no Kakao account.

The demo is a small Flask app. By default its Kakao is the built-in emulator (a Biz app with
OpenID Connect; log in as ``user@example.com`` / ``password``); with ``KAKAO_CLIENT_ID`` (and
``KAKAO_CLIENT_SECRET`` if the app has one) set, it uses the real Kakao and says so.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from contextlib import ExitStack
from typing import Any

__all__ = ["run_demo"]


def run_demo(
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    environ: dict[str, str] | None = None,
) -> int:
    """Serve the demo until Ctrl-C; prints the URL to open."""
    from werkzeug.serving import make_server

    from authlib_kakao.demo.app import create_app

    env = os.environ if environ is None else environ
    with ExitStack() as stack:
        server = make_server(host, port, _starting, threaded=True)  # bound first: the port is known
        base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{server.port}"  # noqa: S104
        emulator: Any = None
        if env.get("KAKAO_CLIENT_ID"):
            options: dict[str, Any] = {
                "client_id": env["KAKAO_CLIENT_ID"],
                "client_secret": env.get("KAKAO_CLIENT_SECRET") or None,
            }
            print(f"Using the real Kakao with client_id {env['KAKAO_CLIENT_ID'][:6]}…; register "
                  f"{base}/auth as a Redirect URI and {base}/logged-out as a Logout Redirect URI.")  # fmt: skip
        else:
            emulator = stack.enter_context(_emulator(base))
            app_keys = emulator.app
            options = {"client_id": app_keys.client_id, "client_secret": app_keys.client_secret,
                       "kauth_url": emulator.url, "kapi_url": emulator.url,
                       "app_id": app_keys.app_id}  # fmt: skip
            print(f"Kakao here is the built-in emulator at {emulator.url}; "
                  f"log in as user@example.com / password.")  # fmt: skip
        server.app = create_app(options, emulator=emulator, base_url=base)
        print(f"Open {base}/ (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(f"{base}/")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("bye", file=sys.stderr)
        finally:
            server.server_close()
    return 0


def _starting(environ: Any, start_response: Any) -> list[bytes]:
    """Answers until the demo app is in place (a moment after the port is bound)."""
    start_response("503 Service Unavailable", [("Retry-After", "1")])
    return [b"starting"]


def _emulator(base: str) -> Any:
    """The emulator the demo logs in at: a Biz app with OIDC; the demo's URLs registered."""
    from contextlib import contextmanager

    from authlib_kakao.testing import EmulatorConfig, KakaoEmulator

    @contextmanager
    def running() -> Any:
        emulator = KakaoEmulator(config=EmulatorConfig(app_preset="biz"))
        with emulator.serve():
            register(emulator, base)
            yield emulator

    return running()


def register(emulator: Any, base: str) -> None:
    """Register the demo's callback, logout page and webhook with the emulator's default app."""
    app = emulator.app
    app.redirect_uris.append(f"{base}/auth")
    app.logout_redirect_uris.append(f"{base}/logged-out")
    app.webhook_url = f"{base}/webhooks/unlink"
