"""What every kapi handler shares: who is calling (bearer token or admin key), parameter parsing
and token revocation.

Handlers raise :class:`KapiAbort` with a ready Kakao error body instead of threading
``Response | X`` through every helper; :func:`kapi_route` turns it back into the response.

Choices where the reference leaves room (reference §4, §5.2):

* A missing ``Authorization`` header, an unknown scheme, an unknown or expired bearer token and a
  wrong admin key all answer HTTP 401 ``-401`` with ``WWW-Authenticate`` (Kakao: "invalid/expired
  access token or app key").
* A bearer token on an admin-only API (``/v1/user/ids``, ``/v2/app/users``) is not a valid admin
  key, so it gets ``-401`` as well; an admin key on a user-token-only API gets 403 ``-3`` ("API not
  allowed for admin key").
* A user who is unknown or not linked to the app gets ``-101``; a bad ``target_id_type`` or
  ``target_id`` or a malformed parameter gets ``-2``. Nothing a client sends produces a 500.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from authlib_kakao.testing.http import Handler, Request, Response, route
from authlib_kakao.testing.state import AccessToken, App, EmulatorState, Link, User
from authlib_kakao.testing.wire_errors import kapi_error

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = [
    "Caller",
    "KapiAbort",
    "admin_app",
    "authenticate",
    "bool_param",
    "int_param",
    "json_array_param",
    "kapi_route",
    "revoke_tokens",
    "user_and_link",
]


class KapiAbort(Exception):
    """Stop the handler and answer ``response`` (a Kakao error body)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def fail(code: int, msg: str | None = None, **extra: Any) -> KapiAbort:
    """A :class:`KapiAbort` carrying ``kapi_error(code, msg, **extra)``."""
    return KapiAbort(kapi_error(code, msg, **extra))


def kapi_route(*methods: str, path: str) -> Callable[[Handler], Handler]:
    """:func:`~authlib_kakao.testing.http.route` for handlers that may raise :class:`KapiAbort`."""

    def register(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapped(emu: KakaoEmulator, req: Request) -> Response:
            try:
                return handler(emu, req)
            except KapiAbort as abort:
                return abort.response

        route(*methods, path=path)(wrapped)
        return wrapped

    return register


@dataclass(frozen=True)
class Caller:
    """The app and user a kapi call acts for; ``token`` is None for admin-key calls."""

    app: App
    user: User
    link: Link
    token: AccessToken | None


def _credentials(req: Request) -> tuple[str, str]:
    scheme, _, value = req.headers.get("authorization", "").strip().partition(" ")
    return scheme.lower(), value.strip()


def _app_by_admin_key(state: EmulatorState, key: str) -> App:
    for app in state.apps.values():
        if key and secrets.compare_digest(app.admin_key.encode(), key.encode()):
            return app
    raise fail(-401, "invalid admin key")


def user_and_link(state: EmulatorState, app: App, user_id: int) -> tuple[User, Link]:
    """The user ``user_id`` and their link to ``app``, else ``-101``."""
    user = state.users.get(user_id)
    link = user.links.get(app.app_id) if user is not None else None
    if user is None or link is None:
        raise fail(-101)
    return user, link


def _bearer(state: EmulatorState, token: str) -> Caller:
    access = state.access_tokens.get(token)
    if access is None:
        raise fail(-401)
    if access.expires_at <= state.clock.now():
        raise fail(-401, "this access token is already expired")
    app = state.apps.get(access.app_id)
    if app is None:
        raise fail(-401)
    user, link = user_and_link(state, app, access.user_id)
    return Caller(app, user, link, access)


def _target_user_id(req: Request) -> int:
    id_type = req.param("target_id_type")
    raw = req.param("target_id")
    if id_type != "user_id":
        raise fail(-2, "target_id_type must be user_id")
    if raw is None or not raw.strip().isdigit():
        raise fail(-2, "invalid target_id")
    return int(raw)


def authenticate(emu: KakaoEmulator, req: Request, *, admin: bool = True) -> Caller:
    """Resolve a user-scoped call: ``Bearer <token>``, or (``admin``) ``KakaoAK <key>`` + target."""
    state = emu.state
    scheme, value = _credentials(req)
    if scheme == "bearer" and value:
        return _bearer(state, value)
    if scheme == "kakaoak":
        app = _app_by_admin_key(state, value)
        if not admin:
            raise fail(-3, "this API is not allowed for admin key")
        user, link = user_and_link(state, app, _target_user_id(req))
        return Caller(app, user, link, None)
    raise fail(-401)


def admin_app(emu: KakaoEmulator, req: Request) -> App:
    """The app an admin-only call is for, from ``KakaoAK <admin key>``; else ``-401``."""
    scheme, value = _credentials(req)
    if scheme != "kakaoak":
        raise fail(-401, "this API needs the app's admin key (Authorization: KakaoAK ...)")
    return _app_by_admin_key(emu.state, value)


def json_array_param(req: Request, name: str, *, required: bool = False) -> list[Any] | None:
    """A JSON-array-string parameter (``["a","b"]``), as Kakao expects arrays (reference §4)."""
    raw = req.param(name)
    if raw is None or raw == "":
        if required:
            raise fail(-2, f"{name} is required")
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise fail(-2, f"invalid {name}: not a JSON array") from None
    if not isinstance(value, list):
        raise fail(-2, f"invalid {name}: not a JSON array")
    return value


def int_param(
    req: Request, name: str, default: int | None, *, low: int | None = None, high: int | None = None
) -> int | None:
    """An integer parameter within ``[low, high]``; anything else is ``-2``."""
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not text.lstrip("-").isdigit():
        raise fail(-2, f"invalid {name}")
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        raise fail(-2, f"invalid {name}: out of range")
    return value


def bool_param(req: Request, name: str, default: bool = False) -> bool:
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise fail(-2, f"invalid {name}")


def revoke_tokens(state: EmulatorState, app_id: int, user_id: int) -> None:
    """Revoke every access and refresh token ``user_id`` holds for ``app_id``."""
    access = state.access_tokens
    for key in [k for k, t in access.items() if t.app_id == app_id and t.user_id == user_id]:
        del access[key]
    refresh = state.refresh_tokens
    for key in [k for k, t in refresh.items() if t.app_id == app_id and t.user_id == user_id]:
        del refresh[key]
