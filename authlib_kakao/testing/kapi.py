"""kapi handlers for the calls a signed-in user's app makes (reference §3.5, §4).

``/v2/user/me``, ``/v1/user/access_token_info``, ``/v1/user/logout``, ``/v1/user/unlink``,
``/v1/user/update_profile`` and ``/v1/oidc/userinfo`` live here; the admin-key APIs are in
``kapi_admin.py`` and the consent / service-terms / shipping APIs in ``kapi_consent.py``.
Importing this module registers all three (``app.py`` imports it).

Every body is JSON with ``application/json;charset=UTF-8``; errors come from
``wire_errors.kapi_error``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from authlib_kakao.testing import kapi_admin, kapi_consent
from authlib_kakao.testing.http import Request, Response, json_response
from authlib_kakao.testing.kapi_common import (
    authenticate,
    bool_param,
    fail,
    json_array_param,
    kapi_route,
    revoke_tokens,
)
from authlib_kakao.testing.profiles import (
    PropertyKeyError,
    oidc_userinfo_body,
    parse_property_keys,
    user_me_body,
)

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = [
    "access_token_info",
    "kapi_admin",
    "kapi_consent",
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
        raise fail(-2, str(exc)) from None


@kapi_route("GET", "POST", path="/v2/user/me")
def user_me(emu: KakaoEmulator, req: Request) -> Response:
    """The user's profile: consented values only, ``*_needs_agreement`` for the rest (§4.1)."""
    caller = authenticate(emu, req)
    keys = property_keys_param(req)
    secure = bool_param(req, "secure_resource")
    body = user_me_body(caller.user, caller.app, caller.link, secure=secure, property_keys=keys)
    return json_response(body)


@kapi_route("GET", path="/v1/user/access_token_info")
def access_token_info(emu: KakaoEmulator, req: Request) -> Response:
    """``{id, expires_in, app_id}`` for the presented token; ``expires_in`` counts on the clock."""
    caller = authenticate(emu, req, admin=False)
    if caller.token is None:  # unreachable with admin=False; keeps the type checker honest
        raise fail(-3)
    expires_in = max(0, int(caller.token.expires_at - emu.state.clock.now()))
    return json_response(
        {"id": caller.user.id, "expires_in": expires_in, "app_id": caller.app.app_id}
    )


@kapi_route("POST", path="/v1/user/logout")
def logout(emu: KakaoEmulator, req: Request) -> Response:
    """Bearer: that access token (and the refresh token issued with it) dies, so every device
    holding it is logged out. Admin key: every token the user holds for the app dies."""
    caller = authenticate(emu, req)
    state = emu.state
    if caller.token is None:
        revoke_tokens(state, caller.app.app_id, caller.user.id)
    else:
        state.access_tokens.pop(caller.token.token, None)
        if caller.token.refresh_token is not None:
            state.refresh_tokens.pop(caller.token.refresh_token, None)
    return json_response({"id": caller.user.id})


@kapi_route("POST", path="/v1/user/unlink")
def unlink(emu: KakaoEmulator, req: Request) -> Response:
    """Revoke all the user's tokens for the app and drop the link. No unlink webhook (§6.1)."""
    caller = authenticate(emu, req)
    revoke_tokens(emu.state, caller.app.app_id, caller.user.id)
    caller.user.links.pop(caller.app.app_id, None)
    return json_response({"id": caller.user.id})


def _property_value(key: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    raise fail(-2, f"invalid properties: value of {key} must be a string")


@kapi_route("POST", path="/v1/user/update_profile")
def update_profile(emu: KakaoEmulator, req: Request) -> Response:
    """Store user properties; every key must be registered in the app, else ``-201`` (§4)."""
    caller = authenticate(emu, req, admin=False)
    raw = req.param("properties")
    if not raw:
        raise fail(-2, "properties is required")
    try:
        props = json.loads(raw)
    except ValueError:
        raise fail(-2, "invalid properties: not a JSON object") from None
    if not isinstance(props, dict):
        raise fail(-2, "invalid properties: not a JSON object")
    unknown = [k for k in props if k not in caller.app.property_keys]
    if unknown:
        msg = f"user property not found ([{', '.join(unknown)}] for appId={caller.app.app_id})"
        raise fail(-201, msg)
    for key, value in props.items():
        text = _property_value(key, value)
        if text is None:
            caller.link.properties.pop(key, None)
        else:
            caller.link.properties[key] = text
    return json_response({"id": caller.user.id})


@kapi_route("GET", "POST", path="/v1/oidc/userinfo")
def oidc_userinfo(emu: KakaoEmulator, req: Request) -> Response:
    """OIDC claims for the token's user (§3.5); the app must have OpenID Connect switched on."""
    caller = authenticate(emu, req, admin=False)
    if not caller.app.oidc:
        raise fail(-3, "OpenID Connect is not activated for this app")
    return json_response(oidc_userinfo_body(caller.user, caller.link))
