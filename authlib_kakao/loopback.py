"""``authlib-kakao login``: a real Kakao token for scripts, through a loopback redirect.

A listener on ``http://localhost:PORT/callback`` receives Kakao's redirect; the login itself is
Kakao's (opened in a browser, or printed), with PKCE and the secret in the body as everywhere
else in authlib-kakao. The token and the profile come back as one JSON object.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from authlib_kakao.core.claims import normalize_userinfo
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.responses import parse_kapi, redirect_error
from authlib_kakao.errors import KakaoAuthError, KakaoTransportError
from authlib_kakao.http.transport import to_http_response, transport_errors

__all__ = ["Callback", "loopback_listener", "loopback_login"]

_PAGE = (
    "<!doctype html><meta charset=utf-8><title>authlib-kakao</title>"
    "<body style='font:16px system-ui;margin:3em'><h1>{}</h1><p>{}</p>"
)


class Callback:
    """The query of the one redirect the listener is waiting for."""

    def __init__(self) -> None:
        self.params: dict[str, str] = {}
        self.arrived = threading.Event()


@contextmanager
def loopback_listener(port: int) -> Iterator[tuple[str, Callback]]:
    """Listen on 127.0.0.1:``port`` (0: any free port); yields the redirect URI and its callback.

    Raises:
        OSError: the port is taken.
    """
    callback = Callback()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path != "/callback":
                self.send_error(404)
                return
            callback.params = dict(parse_qsl(parts.query))
            failed = "error" in callback.params
            title = "Kakao said no" if failed else "Logged in"
            text = "Back to the terminal." if not failed else html.escape(callback.params["error"])
            body = _PAGE.format(title, text).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            callback.arrived.set()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the URL carries the code."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/callback", callback
    finally:
        server.shutdown()
        server.server_close()


def loopback_login(
    *,
    client_id: str,
    client_secret: str | None,
    endpoints: KakaoEndpoints,
    redirect_uri: str,
    callback: Callback,
    show: Callable[[str], None],
    scope: str | None = None,
    wait: float = 300.0,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Log in at Kakao and return ``{"token": …, "profile": …}``.

    ``show(url)`` hands the authorize URL to the person (prints it, opens a browser, or follows it
    headless against the emulator); the redirect arrives in ``callback``.

    Raises:
        KakaoAuthError: Kakao answered an error, or the state did not match.
        KakaoTransportError: no redirect within ``wait`` seconds.
    """
    from authlib.common.security import generate_token

    from authlib_kakao.http.requests_session import KakaoOAuth2Session

    auth_method = "client_secret_post" if client_secret else "none"
    with KakaoOAuth2Session(
        client_id, client_secret, token_endpoint_auth_method=auth_method, scope=scope,
        redirect_uri=redirect_uri, code_challenge_method="S256", default_timeout=timeout,
    ) as session:  # fmt: skip
        verifier = generate_token(48)
        url, state = session.create_authorization_url(
            endpoints.authorize_url, code_verifier=verifier
        )
        show(url)
        if not callback.arrived.wait(wait):
            raise KakaoTransportError(f"no login came back within {wait:g} s", timeout=True)
        params = callback.params
        if "error" in params:
            raise redirect_error(params["error"], params.get("error_description"))
        if params.get("state") != state or not params.get("code"):
            raise KakaoAuthError("mismatching_state", "the redirect is not the one this login sent")
        with transport_errors("POST", endpoints.token_url):
            token = dict(
                session.fetch_token(
                    endpoints.token_url, code=params["code"], code_verifier=verifier
                )
            )
        with transport_errors("GET", endpoints.userinfo_url):
            profile = normalize_userinfo(
                parse_kapi(to_http_response(session.get(endpoints.userinfo_url)))
            )
    return {"token": token, "profile": profile}
