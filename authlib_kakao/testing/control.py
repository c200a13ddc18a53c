"""``/_emulator/*``: drive the emulator over HTTP, for test suites in other languages.

Each endpoint calls the same :class:`KakaoEmulator` method a Python test would; bodies are JSON.
These paths cannot collide with Kakao's, are never logged and never faulted.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from authlib_kakao.testing.http import Request, Response, json_response, route

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = ["CONTROL_PREFIX"]

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


@route("GET", path=f"{CONTROL_PREFIX}/state")
def describe(emu: KakaoEmulator, req: Request) -> Response:
    """The default app's keys and a summary, so a foreign test suite knows what to send."""
    app = emu.app
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
            "user_id": emu.user.id,
            "users": len(emu.state.users),
            "access_tokens": len(emu.state.access_tokens),
            "now": emu.clock.now(),
        }
    )


@route("POST", path=f"{CONTROL_PREFIX}/reset")
def reset(emu: KakaoEmulator, req: Request) -> Response:
    emu.reset()
    return json_response({"ok": True})


@route("POST", path=f"{CONTROL_PREFIX}/users")
def add_user(emu: KakaoEmulator, req: Request) -> Response:
    """Body: user fields plus optional ``consents`` (list) and ``linked`` (bool)."""
    data = _json(req)
    values = {k: v for k, v in data.items() if k in USER_FIELDS}
    consents = data.get("consents")
    if consents is not None and not isinstance(consents, list):
        return _bad("consents must be a list")
    user = emu.add_user(consents=consents, linked=bool(data.get("linked", True)), **values)
    return json_response({"id": user.id})


@route("POST", path=f"{CONTROL_PREFIX}/approve")
def approve(emu: KakaoEmulator, req: Request) -> Response:
    """Body: ``user_id`` and optional ``consents``, or ``{"deny": true}``."""
    data = _json(req)
    if data.get("deny"):
        emu.deny_consent()
        return json_response({"ok": True})
    user = emu.state.users.get(int(data.get("user_id") or emu.user.id))
    if user is None:
        return _bad("unknown user_id")
    emu.approve_as(user, data.get("consents"))
    return json_response({"ok": True})


@route("POST", path=f"{CONTROL_PREFIX}/clock/advance")
def advance_clock(emu: KakaoEmulator, req: Request) -> Response:
    try:
        seconds = float(_json(req).get("seconds", 0))
    except (TypeError, ValueError):
        return _bad("seconds must be a number")
    emu.clock.advance(seconds)
    return json_response({"now": emu.clock.now()})


@route("POST", path=f"{CONTROL_PREFIX}/faults")
def add_fault(emu: KakaoEmulator, req: Request) -> Response:
    """Body: ``path`` plus :meth:`KakaoEmulator.inject_fault` keywords."""
    data = _json(req)
    path = data.pop("path", None)
    allowed = {"status", "delay", "body", "drop", "times"}
    if not isinstance(path, str) or set(data) - allowed:
        return _bad(f"need 'path' and only {sorted(allowed)}")
    emu.inject_fault(path, **data)
    return json_response({"ok": True})


@route("DELETE", path=f"{CONTROL_PREFIX}/faults")
def clear_faults(emu: KakaoEmulator, req: Request) -> Response:
    emu.clear_faults()
    return json_response({"ok": True})


@route("GET", path=f"{CONTROL_PREFIX}/log")
def request_log(emu: KakaoEmulator, req: Request) -> Response:
    return json_response([asdict(r) for r in emu.requests(req.query.get("path"))])


@route("POST", path=f"{CONTROL_PREFIX}/keys/rotate")
def rotate_keys(emu: KakaoEmulator, req: Request) -> Response:
    return json_response({"kid": emu.rotate_keys()})


@route("GET", path=f"{CONTROL_PREFIX}/callback")
def callback(emu: KakaoEmulator, req: Request) -> Response:
    """A redirect target for trying a login by hand: shows the code and the curl to exchange it."""
    from html import escape

    from authlib_kakao.testing.http import html

    base = f"http://{req.headers.get('host', '127.0.0.1')}"
    if "code" not in req.query:
        details = escape(json.dumps(dict(req.query), ensure_ascii=False))
        return html(f"<!DOCTYPE html><h1>Login did not complete</h1><pre>{details}</pre>")
    app = emu.app
    curl = (
        f"curl -s -X POST {base}/oauth/token -d grant_type=authorization_code "
        f"-d client_id={app.client_id} "
        + (f"-d client_secret={app.client_secret} " if app.client_secret else "")
        + f"-d redirect_uri={base}{CONTROL_PREFIX}/callback -d code={req.query['code']}"
    )
    return html(
        "<!DOCTYPE html><meta charset='utf-8'><h1>Authorization code</h1>"
        f"<p><code id='code'>{escape(req.query['code'])}</code></p>"
        f"<p>Exchange it within {emu.config.code_lifetime // 60} minutes:</p>"
        f"<pre id='curl'>{escape(curl)}</pre>"
    )
