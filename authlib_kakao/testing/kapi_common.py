"""What every kapi handler shares: who is calling (bearer token or admin key) and parameter parsing.

A refusal is a :class:`~authlib_kakao.testing.wire_errors.WireError` carrying Kakao's
``{msg, code}`` body (``kapi_fail``); dispatch answers it.

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

import json
from typing import Any

from authlib_kakao.testing.backend import Caller, KakaoBackend
from authlib_kakao.testing.exchange import Request
from authlib_kakao.testing.state import App
from authlib_kakao.testing.wire_errors import kapi_fail

__all__ = [
    "admin_app",
    "authenticate",
    "bool_param",
    "int_param",
    "json_array_param",
]


def _credentials(req: Request) -> tuple[str, str]:
    scheme, _, value = req.headers.get("authorization", "").strip().partition(" ")
    return scheme.lower(), value.strip()


def _target_user_id(req: Request) -> int:
    id_type = req.param("target_id_type")
    raw = req.param("target_id")
    if id_type != "user_id":
        raise kapi_fail(-2, "target_id_type must be user_id")
    if raw is None or not raw.strip().isdigit():
        raise kapi_fail(-2, "invalid target_id")
    return int(raw)


def authenticate(backend: KakaoBackend, req: Request, *, admin: bool = True) -> Caller:
    """Resolve a user-scoped call: ``Bearer <token>``, or (``admin``) ``KakaoAK <key>`` + target."""
    scheme, value = _credentials(req)
    if scheme == "bearer" and value:
        return backend.bearer_caller(value)
    if scheme == "kakaoak":
        app = backend.app_by_admin_key(value)
        if not admin:
            raise kapi_fail(-3, "this API is not allowed for admin key")
        return backend.admin_caller(app, _target_user_id(req))
    raise kapi_fail(-401)


def admin_app(backend: KakaoBackend, req: Request) -> App:
    """The app an admin-only call is for, from ``KakaoAK <admin key>``; else ``-401``."""
    scheme, value = _credentials(req)
    if scheme != "kakaoak":
        raise kapi_fail(-401, "this API needs the app's admin key (Authorization: KakaoAK ...)")
    return backend.app_by_admin_key(value)


def json_array_param(req: Request, name: str, *, required: bool = False) -> list[Any] | None:
    """A JSON-array-string parameter (``["a","b"]``), as Kakao expects arrays (reference §4)."""
    raw = req.param(name)
    if raw is None or raw == "":
        if required:
            raise kapi_fail(-2, f"{name} is required")
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise kapi_fail(-2, f"invalid {name}: not a JSON array") from None
    if not isinstance(value, list):
        raise kapi_fail(-2, f"invalid {name}: not a JSON array")
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
        raise kapi_fail(-2, f"invalid {name}")
    value = int(text)
    if (low is not None and value < low) or (high is not None and value > high):
        raise kapi_fail(-2, f"invalid {name}: out of range")
    return value


def bool_param(req: Request, name: str, default: bool = False) -> bool:
    """``true``/``false`` (or ``1``/``0``); anything else is ``-2``."""
    raw = req.param(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise kapi_fail(-2, f"invalid {name}")
