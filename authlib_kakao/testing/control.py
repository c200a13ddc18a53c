"""``/_emulator/*``: drive the emulator over HTTP, for test suites in other languages.

Each endpoint makes the same backend call the :class:`~authlib_kakao.testing.KakaoEmulator` façade
makes for a Python test, so everything the Python API can set (presets, redirect URIs, the client
secret, OIDC, consent items, service terms, webhook URLs, users, sessions, the clock, faults) can
be set over HTTP; bodies are JSON, a body the emulator cannot act on is HTTP 400 ``{"error"}``.
These paths cannot collide with Kakao's, are never logged and never faulted.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import asdict, fields
from html import escape
from typing import Any

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.exchange import Request, Response, html, json_response
from authlib_kakao.testing.kauth import session_cookie
from authlib_kakao.testing.lifecycle import SESSION_COOKIE
from authlib_kakao.testing.presets import APP_PRESETS, USER_PRESETS, app_settings
from authlib_kakao.testing.state import App, EmulatorConfig, User
from authlib_kakao.testing.surface import serves
from authlib_kakao.testing.wire_errors import KAPI_ERRORS, KAUTH_ERRORS, WireError

__all__ = [
    "APP_FIELDS",
    "CONTROL_PREFIX",
    "NOT_OVER_HTTP",
    "SECRET_USER_FIELDS",
    "USER_FIELDS",
    "add_app",
    "add_fault",
    "add_redirect_uri",
    "add_user",
    "advance_clock",
    "app_json",
    "approve",
    "bad",
    "bad_request",
    "callback",
    "clear_faults",
    "clear_log",
    "describe",
    "freeze_clock",
    "issue_tokens",
    "link",
    "link_talk_channel",
    "list_apps",
    "read_json",
    "request_log",
    "reset",
    "rotate_keys",
    "set_channel_relation",
    "start_session",
    "target_app",
    "unfreeze_clock",
    "unlink",
    "update_app",
    "update_config",
]

CONTROL_PREFIX = "/_emulator"
# Operations (surface.OPERATIONS) with no control-plane route, and why.
NOT_OVER_HTTP = {
    "count": "GET /_emulator/log?path= lists the requests; count them",
    "find_refresh_token": "answers a live record object; other languages use /oauth/token",
}
# User fields a body may set: every field of User except the records other operations own
# (links: /_emulator/links; channel_relations: /_emulator/channel_relations).
USER_FIELDS = tuple(f.name for f in fields(User) if f.name not in ("links", "channel_relations"))
# Never answered back: the consent page's password is a secret even in a test.
SECRET_USER_FIELDS = frozenset({"password"})
# App fields the control plane may set (consent_items and service_terms take JSON shapes).
APP_FIELDS = tuple(f.name for f in fields(App) if f.name not in ("app_id", "preset"))
# Config fields that are (count, seconds) pairs: JSON sends them as lists.
PAIR_FIELDS = frozenset(
    f.name
    for f in fields(EmulatorConfig)
    if f.name.endswith("_rate_limit") and f.name != "user_ids_rate_limit"
)


def bad_request(message: str) -> WireError:
    """The control-plane body does not say something the emulator can do: HTTP 400."""
    return WireError(json_response({"error": message}, 400))


def read_json(req: Request) -> dict[str, Any]:
    try:
        data = json.loads(req.body or b"{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def bad(message: str) -> Response:
    return json_response({"error": message}, 400)


def app_json(app: App) -> dict[str, Any]:
    """Everything about an app a foreign test suite may need (keys included: it is a test)."""
    listed = ("consent_items", "service_terms", "talk_channels")
    data = {k: v for k, v in asdict(app).items() if k not in listed}
    data["consent_items"] = [asdict(i) for i in app.consent_items.values()]
    data["service_terms"] = [asdict(t) for t in app.service_terms.values()]
    data["talk_channels"] = [asdict(c) for c in app.talk_channels.values()]
    return data


def _user_json(user: User) -> dict[str, Any]:
    data = {k: getattr(user, k) for k in USER_FIELDS if k not in SECRET_USER_FIELDS}
    data["linked_app_ids"] = sorted(user.links)
    data["channel_relations"] = {k: asdict(r) for k, r in user.channel_relations.items()}
    return data


def describe(backend: KakaoBackend, req: Request) -> Response:
    """The default app (keys and settings), the config and a summary of the state."""
    return json_response(
        {
            "app": app_json(backend.app),
            "user_id": backend.user.id,
            "users": len(backend.users),
            "apps": len(backend.apps),
            "access_tokens": len(backend.access_tokens),
            "auto_approve": not backend.consent_page,
            "config": asdict(backend.config),
            "app_presets": sorted(APP_PRESETS),
            "user_presets": sorted(USER_PRESETS),
            "now": backend.clock.now(),
        }
    )


def _apply_config(backend: KakaoBackend, data: dict[str, Any]) -> None:
    """Set ``EmulatorConfig`` fields (and ``auto_approve``) from a JSON body."""
    known = {f.name for f in fields(EmulatorConfig)} | {"auto_approve"}
    unknown = set(data) - known
    if unknown:
        raise bad_request(f"unknown settings {sorted(unknown)}; known: {sorted(known)}")
    for name in ("app_preset", "user_preset"):
        table = APP_PRESETS if name == "app_preset" else USER_PRESETS
        if name in data and data[name] not in table:
            raise bad_request(f"unknown {name} {data[name]!r}; known: {sorted(table)}")
    for name, value in data.items():
        if name == "auto_approve":
            backend.consent_page = not bool(value)
        elif name in PAIR_FIELDS and isinstance(value, list):
            setattr(backend.config, name, (int(value[0]), float(value[1])))
        else:
            setattr(backend.config, name, value)


def reset(backend: KakaoBackend, req: Request) -> Response:
    """Fresh state; the body may first change settings (``{"app_preset": "biz"}``), which stay."""
    _apply_config(backend, read_json(req))
    backend.request_reset()
    return json_response({"ok": True})


def update_config(backend: KakaoBackend, req: Request) -> Response:
    """Change ``EmulatorConfig`` fields and ``auto_approve`` now (no reset)."""
    _apply_config(backend, read_json(req))
    return json_response(
        {"config": asdict(backend.config), "auto_approve": not backend.consent_page}
    )


def _app_values(data: dict[str, Any]) -> dict[str, Any]:
    """App field values from JSON: consent items as ids or objects, terms as tags or objects,
    Talk Channels as public ids or objects."""
    unknown = set(data) - set(APP_FIELDS)
    if unknown:
        raise bad_request(f"unknown app fields {sorted(unknown)}; known: {sorted(APP_FIELDS)}")
    try:
        return app_settings(data)
    except ValueError as exc:
        raise bad_request(str(exc)) from None


def target_app(backend: KakaoBackend, data: dict[str, Any]) -> App:
    """The app the body's ``app_id`` names (taken out of ``data``), else the default app."""
    app_id = data.pop("app_id", None)
    if app_id is None:
        return backend.app
    app = backend.apps.get(int(app_id))
    if app is None:
        raise bad_request(f"unknown app_id {app_id}")
    return app


def list_apps(backend: KakaoBackend, req: Request) -> Response:
    """Every app, default first."""
    return json_response([app_json(a) for a in backend.apps.values()])


@serves(KakaoBackend.add_app)
def add_app(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``preset`` plus any app fields → the new app."""
    data = read_json(req)
    preset = data.pop("preset", None)
    if preset is not None and preset not in APP_PRESETS:
        raise bad_request(f"unknown preset {preset!r}; known: {sorted(APP_PRESETS)}")
    return json_response(app_json(backend.add_app(preset, **_app_values(data))))


@serves(KakaoBackend.update_app)
def update_app(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``app_id`` (default app) plus the fields to change (``"client_secret": null``
    switches the secret off, ``"oidc": false``, ``"redirect_uris": [...]``, ...)."""
    data = read_json(req)
    app = target_app(backend, data)
    return json_response(app_json(backend.update_app(app, **_app_values(data))))


def add_redirect_uri(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``uri`` (and ``app_id``; ``"logout": true`` for a logout redirect URI)."""
    data = read_json(req)
    app = target_app(backend, data)
    uri = data.get("uri")
    if not isinstance(uri, str) or not uri:
        raise bad_request("need 'uri'")
    target = app.logout_redirect_uris if data.get("logout") else app.redirect_uris
    if uri not in target:
        target.append(uri)
    return json_response(app_json(app))


@serves(KakaoBackend.add_user)
def add_user(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``preset``, user fields, ``consents`` (list), ``linked`` (bool), ``app_id``."""
    data = read_json(req)
    app = target_app(backend, data)
    preset = data.get("preset")
    if preset is not None and preset not in USER_PRESETS:
        return bad(f"unknown preset {preset!r}; known: {sorted(USER_PRESETS)}")
    values = {k: v for k, v in data.items() if k in USER_FIELDS}
    consents = data.get("consents")
    if consents is not None and not isinstance(consents, list):
        return bad("consents must be a list")
    user = backend.add_user(
        app=app,
        consents=consents,
        linked=bool(data.get("linked", True)),
        preset=preset,
        **values,
    )
    return json_response(_user_json(user))


@serves(KakaoBackend.approve_as, KakaoBackend.deny_consent)
def approve(backend: KakaoBackend, req: Request) -> Response:
    """Auto-approve mode: ``user_id`` and optional ``consents``, or ``{"deny": true}``."""
    data = read_json(req)
    if data.get("deny"):
        backend.deny_consent()
        return json_response({"ok": True})
    user = backend.users.get(int(data.get("user_id") or backend.user.id))
    if user is None:
        return bad("unknown user_id")
    backend.approve_as(user, data.get("consents"))
    return json_response({"ok": True})


def start_session(backend: KakaoBackend, req: Request) -> Response:
    """Log a user in to Kakao as a browser would: the session cookie to send to /oauth/authorize."""
    data = read_json(req)
    user = backend.users.get(int(data.get("user_id") or backend.user.id))
    if user is None:
        return bad("unknown user_id")
    keep = bool(data.get("keep"))
    value = backend.start_web_session(user, keep=keep)
    return json_response(
        {
            "cookie": SESSION_COOKIE,
            "value": value,
            "set_cookie": session_cookie(backend, value, keep=keep),
        }
    )


@serves(KakaoBackend.issue_tokens)
def issue_tokens(backend: KakaoBackend, req: Request) -> Response:
    """Tokens without a login: ``user_id``, ``app_id``, ``scopes``, ``openid``, ``key``."""
    data = read_json(req)
    app = target_app(backend, data)
    user = backend.users.get(int(data.get("user_id") or backend.user.id))
    if user is None:
        return bad("unknown user_id")
    key = data.get("key", "rest")
    if key not in ("rest", "native", "javascript"):
        return bad("key: rest, native or javascript")
    body = backend.issue_tokens(user, app, data.get("scopes"), bool(data.get("openid")), key)
    return json_response(body)


def _user(backend: KakaoBackend, data: dict[str, Any]) -> User:
    """The user the body's ``user_id`` names, else the default user; 400 when unknown."""
    try:
        user = backend.users.get(int(data.get("user_id") or backend.user.id))
    except (TypeError, ValueError):
        user = None
    if user is None:
        raise bad_request("unknown user_id")
    return user


@serves(KakaoBackend.link)
def link(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``app_id``, ``consents`` (default: every configured item)."""
    data = read_json(req)
    app = target_app(backend, data)
    consents = data.get("consents")
    if consents is not None and not isinstance(consents, list):
        raise bad_request("consents must be a list")
    user = _user(backend, data)
    backend.link(user, app, consents)
    return json_response(_user_json(user))


@serves(KakaoBackend.unlink)
def unlink(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``app_id``: unlink without a webhook; ``unlinked``: whether it was."""
    data = read_json(req)
    app = target_app(backend, data)
    return json_response({"unlinked": backend.unlink(_user(backend, data), app)})


@serves(KakaoBackend.link_talk_channel)
def link_talk_channel(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``public_id`` (and ``uuid``, ``app_id``): link a Kakao Talk Channel to the app."""
    data = read_json(req)
    app = target_app(backend, data)
    public_id, uuid = data.get("public_id"), data.get("uuid")
    if not isinstance(public_id, str) or not public_id or not isinstance(uuid, (str, type(None))):
        raise bad_request("need 'public_id' (and optionally 'uuid') strings")
    backend.link_talk_channel(public_id, app, uuid=uuid)
    return json_response(app_json(app))


@serves(KakaoBackend.set_channel_relation)
def set_channel_relation(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``user_id``, ``public_id``, ``relation`` (``ADDED``, ``BLOCKED`` or ``NONE``)."""
    data = read_json(req)
    user = _user(backend, data)
    public_id, relation = data.get("public_id"), data.get("relation")
    if not isinstance(public_id, str) or not isinstance(relation, str):
        raise bad_request("need 'public_id' and 'relation'")
    try:
        backend.set_channel_relation(user, public_id, relation)
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return json_response(_user_json(user))


def advance_clock(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``seconds``; answers the new ``now``."""
    try:
        seconds = float(read_json(req).get("seconds", 0))
    except (TypeError, ValueError):
        return bad("seconds must be a number")
    backend.clock.advance(seconds)
    return json_response({"now": backend.clock.now()})


def freeze_clock(backend: KakaoBackend, req: Request) -> Response:
    """Stop the clock (body ``at``: at that Unix time); answers ``now``."""
    at = read_json(req).get("at")
    if at is not None and not isinstance(at, (int, float)):
        return bad("at must be a number")
    return json_response({"now": backend.clock.freeze(at)})


def unfreeze_clock(backend: KakaoBackend, req: Request) -> Response:
    """Let the clock run again from where it stands."""
    backend.clock.unfreeze()
    return json_response({"now": backend.clock.now()})


# inject_fault's keywords: what a fault body may carry besides its path.
FAULT_FIELDS = frozenset(
    p.name
    for p in inspect.signature(KakaoBackend.inject_fault).parameters.values()
    if p.kind is p.KEYWORD_ONLY
)


@serves(KakaoBackend.inject_fault)
def add_fault(backend: KakaoBackend, req: Request) -> Response:
    """Body: ``path`` plus :meth:`KakaoEmulator.inject_fault` keywords (``kapi_error``, ...)."""
    data = read_json(req)
    path = data.pop("path", None)
    if not isinstance(path, str) or set(data) - FAULT_FIELDS:
        return bad(f"need 'path' and only {sorted(FAULT_FIELDS)}")
    if data.get("kapi_error") is not None and data["kapi_error"] not in KAPI_ERRORS:
        return bad(f"kapi_error: one of {sorted(KAPI_ERRORS)}")
    if data.get("kauth_error") is not None and data["kauth_error"] not in KAUTH_ERRORS:
        return bad(f"kauth_error: one of {sorted(KAUTH_ERRORS)}")
    backend.inject_fault(path, **data)
    return json_response({"ok": True})


@serves(KakaoBackend.clear_faults)
def clear_faults(backend: KakaoBackend, req: Request) -> Response:
    """Forget every injected fault."""
    backend.clear_faults()
    return json_response({"ok": True})


@serves(KakaoBackend.requests)
def request_log(backend: KakaoBackend, req: Request) -> Response:
    """The request log, oldest first (``?path=`` filters)."""
    return json_response([asdict(r) for r in backend.requests(req.query.get("path"))])


@serves(KakaoBackend.clear_log)
def clear_log(backend: KakaoBackend, req: Request) -> Response:
    """Forget the requests served so far."""
    backend.clear_log()
    return json_response({"ok": True})


@serves(KakaoBackend.rotate_keys)
def rotate_keys(backend: KakaoBackend, req: Request) -> Response:
    """A new signing key; answers its ``kid``."""
    return json_response({"kid": backend.rotate_keys()})


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
