"""``/_emulator/*``: drive the emulator over HTTP, for test suites in other languages.

Each endpoint makes the same backend call the :class:`~authlib_kakao.testing.KakaoEmulator` façade
makes for a Python test; bodies are JSON. These paths cannot collide with Kakao's, are never logged
and never faulted.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from html import escape
from typing import Any

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.http import Request, Response, html, json_response
from authlib_kakao.testing.state import Fault

__all__ = [
    "CONTROL_PREFIX",
    "add_fault",
    "add_user",
    "advance_clock",
    "approve",
    "callback",
    "clear_faults",
    "describe",
    "request_log",
    "reset",
    "rotate_keys",
]

CONTROL_PREFIX = "/_emulator"
USER_FIELDS = (
    "id", "nickname", "profile_image_url", "thumbnail_image_url", "email", "is_email_valid",
    "is_email_verified", "name", "age_range", "birthday", "birthyear", "gender", "phone_number",
    "login_id", "password",
)  # fmt: skip


def _json(req: Request) -> dict[str, Any]:
    try:
        data = json.loads(req.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _bad(message: str) -> Response:
    return json_response({"error": message}, 400)


def describe(backend: KakaoBackend, req: Request) -> Response:
    """The default app's keys and a summary, so a foreign test suite knows what to send."""
    app = backend.app
    return json_response(
        {
            "app": {
                "app_id": app.app_id,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
                "admin_key": app.admin_key,
                "redirect_uris": app.redirect_uris,
                "logout_redirect_uris": app.logout_redirect_uris,
            },
            "user_id": backend.user.id,
            "users": len(backend.users),
            "access_tokens": len(backend.access_tokens),
            "now": backend.clock.now(),
        }
    )


def reset(backend: KakaoBackend, req: Request) -> Response:
    """Fresh default state (the emulator swaps in a new backend)."""
    backend.request_reset()
    return json_response({"ok": True})


def add_user(backend: KakaoBackend, req: Request) -> Response:
    """Body: user fields plus optional ``consents`` (list) and ``linked`` (bool)."""
    data = _json(req)
    values = {k: v for k, v in data.items() if k in USER_FIELDS}
    consents = data.get("consents")
    if consents is not None and not isinstance(consents, list):
        return _bad("consents must be a list")
    user = backend.add_user(consents=consents, linked=bool(data.get("linked", True)), **values)
    return json_response({"id": user.id})


def approve(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id`` and optional ``consents``, or ``{"deny": true}``."""
    data = _json(req)
    if data.get("deny"):
        backend.deny_consent()
        return json_response({"ok": True})
    user = backend.users.get(int(data.get("user_id") or backend.user.id))
    if user is None:
        return _bad("unknown user_id")
    backend.approve_as(user, data.get("consents"))
    return json_response({"ok": True})


def advance_clock(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``seconds``; answers the new ``now``."""
    try:
        seconds = float(_json(req).get("seconds", 0))
    except (TypeError, ValueError):
        return _bad("seconds must be a number")
    backend.clock.advance(seconds)
    return json_response({"now": backend.clock.now()})


def add_fault(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``path`` plus :meth:`KakaoEmulator.inject_fault` keywords."""
    data = _json(req)
    path = data.pop("path", None)
    allowed = {"status", "delay", "body", "drop", "times", "hang"}
    if not isinstance(path, str) or set(data) - allowed:
        return _bad(f"need 'path' and only {sorted(allowed)}")
    backend.add_fault(path, Fault(**data))
    return json_response({"ok": True})


def clear_faults(backend: KakaoBackend, req: Request) -> Response:
    """Forget every injected fault."""
    backend.clear_faults()
    return json_response({"ok": True})


def request_log(backend: KakaoBackend, req: Request) -> Response:
    """The request log, oldest first (``?path=`` filters)."""
    return json_response([asdict(r) for r in backend.requests(req.query.get("path"))])


def rotate_keys(backend: KakaoBackend, req: Request) -> Response:
    """A new signing key; answers its ``kid``."""
    return json_response({"kid": backend.keys.rotate()})


def callback(backend: KakaoBackend, req: Request) -> Response:
    """A redirect target for trying a login by hand: shows the code and the curl to exchange it."""
    base = f"http://{req.headers.get('host', '127.0.0.1')}"
    if "code" not in req.query:
        details = escape(json.dumps(dict(req.query), ensure_ascii=False))
        return html(f"<!DOCTYPE html><h1>Login did not complete</h1><pre>{details}</pre>")
    app = backend.app
    curl = (
        f"curl -s -X POST {base}/oauth/token -d grant_type=authorization_code "
        f"-d client_id={app.client_id} "
        + (f"-d client_secret={app.client_secret} " if app.client_secret else "")
        + f"-d redirect_uri={base}{CONTROL_PREFIX}/callback -d code={req.query['code']}"
    )
    return html(
        "<!DOCTYPE html><meta charset='utf-8'><h1>Authorization code</h1>"
        f"<p><code id='code'>{escape(req.query['code'])}</code></p>"
        f"<p>Exchange it within {backend.config.code_lifetime // 60} minutes:</p>"
        f"<pre id='curl'>{escape(curl)}</pre>"
    )
