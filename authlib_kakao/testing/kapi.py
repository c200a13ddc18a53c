"""kapi handlers for the calls a signed-in user's app makes (reference §3.5, §4).

``/v2/user/me``, ``/v1/user/access_token_info``, ``/v1/user/logout``, ``/v1/user/unlink``,
``/v1/user/update_profile`` and ``/v1/oidc/userinfo`` live here; the admin-key APIs are in
``kapi_admin.py`` and the consent / service-terms / shipping APIs in ``kapi_consent.py``;
``routes.py`` lists them all.

Every body is JSON with ``application/json;charset=UTF-8``; errors come from
``wire_errors.kapi_error``.
"""

from __future__ import annotations

import json

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.http import Request, Response, json_response
from authlib_kakao.testing.kapi_common import authenticate, bool_param, json_array_param
from authlib_kakao.testing.profiles import (
    PropertyKeyError,
    oidc_userinfo_body,
    parse_property_keys,
    user_me_body,
)
from authlib_kakao.testing.wire_errors import kapi_fail

__all__ = [
    "access_token_info",
    "logout",
    "oidc_userinfo",
    "property_keys_param",
    "unlink",
    "update_profile",
    "user_me",
]


def property_keys_param(req: Request) -> list[str] | None:
    """``property_keys`` decoded and checked, or None when absent; bad keys are ``-2``."""
    raw = json_array_param(req, "property_keys")
    if raw is None:
        return None
    try:
        return parse_property_keys(raw)
    except PropertyKeyError as exc:
        raise kapi_fail(-2, str(exc)) from None


def user_me(backend: KakaoBackend, req: Request) -> Response:
    """The user's profile: consented values only, ``*_needs_agreement`` for the rest (§4.1)."""
    caller = authenticate(backend, req)
    keys = property_keys_param(req)
    secure = bool_param(req, "secure_resource")
    body = user_me_body(caller.user, caller.app, caller.link, secure=secure, property_keys=keys)
    return json_response(body)


def access_token_info(backend: KakaoBackend, req: Request) -> Response:
    """``{id, expires_in, app_id}`` for the presented token; ``expires_in`` counts on the clock."""
    caller = authenticate(backend, req, admin=False)
    if caller.token is None:  # unreachable with admin=False; keeps the type checker honest
        raise kapi_fail(-3)
    expires_in = max(0, int(caller.token.expires_at - backend.clock.now()))
    return json_response(
        {"id": caller.user.id, "expires_in": expires_in, "app_id": caller.app.app_id}
    )


def logout(backend: KakaoBackend, req: Request) -> Response:
    """Bearer: that access token (and the refresh token issued with it) dies, so every device
    holding it is logged out. Admin key: every token the user holds for the app dies."""
    caller = authenticate(backend, req)
    backend.logout(caller)
    return json_response({"id": caller.user.id})


def unlink(backend: KakaoBackend, req: Request) -> Response:
    """Revoke all the user's tokens for the app and drop the link. No unlink webhook (§6.1)."""
    caller = authenticate(backend, req)
    backend.unlink(caller.user, caller.app)
    return json_response({"id": caller.user.id})


def update_profile(backend: KakaoBackend, req: Request) -> Response:
    """Store user properties; every key must be registered in the app, else ``-201`` (§4)."""
    caller = authenticate(backend, req, admin=False)
    raw = req.param("properties")
    if not raw:
        raise kapi_fail(-2, "properties is required")
    try:
        props = json.loads(raw)
    except ValueError:
        raise kapi_fail(-2, "invalid properties: not a JSON object") from None
    if not isinstance(props, dict):
        raise kapi_fail(-2, "invalid properties: not a JSON object")
    backend.update_properties(caller, props)
    return json_response({"id": caller.user.id})


def oidc_userinfo(backend: KakaoBackend, req: Request) -> Response:
    """OIDC claims for the token's user (§3.5); the app must have OpenID Connect switched on."""
    caller = authenticate(backend, req, admin=False)
    if not caller.app.oidc:
        raise kapi_fail(-3, "OpenID Connect is not activated for this app")
    return json_response(oidc_userinfo_body(caller.user, caller.link))
