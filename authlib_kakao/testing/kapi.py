"""kapi handlers (reference §3.5, §4, §7), thin: parameters in, one backend call, a JSON body out.

* the signed-in user's app: ``/v2/user/me``, ``/v1/user/access_token_info``, ``/v1/user/logout``,
  ``/v1/user/unlink``, ``/v1/user/update_profile``, ``/v1/oidc/userinfo``;
* consents, Kakao Sync service terms and shipping addresses: ``/v2/user/scopes``,
  ``/v2/user/revoke/scopes``, ``/v2/user/service_terms``, ``/v2/user/revoke/service_terms``,
  ``/v1/user/shipping_address`` (a bearer token, or the admin key with
  ``target_id_type=user_id&target_id=<id>``). Revoking a scope removes it from the user's link and
  from the scopes of their live tokens, so a later ``/v2/user/me`` shows
  ``<item>_needs_agreement: true`` again;
* Kakao Talk Channel relationships (``talk_channels.py``): ``/v1/api/talk/channels``,
  ``/v2/api/talk/channels`` (a bearer token, or the admin key with a target);
* admin key only: ``/v1/user/ids`` (paged; 100 calls per minute per app) and ``/v2/app/users``.

Every body is JSON with ``application/json;charset=UTF-8``; errors are ``kapi_fail`` raised here or
in the backend. ``routes.py`` lists the handlers.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from authlib_kakao.testing.backend import Caller, KakaoBackend
from authlib_kakao.testing.exchange import Request, Response, json_response
from authlib_kakao.testing.kapi_common import (
    admin_app,
    authenticate,
    bool_param,
    int_param,
    json_array_param,
)
from authlib_kakao.testing.profiles import (
    PropertyKeyError,
    app_user_body,
    oidc_userinfo_body,
    parse_property_keys,
    rfc3339,
    scopes_body,
    service_terms_body,
    shipping_addresses_body,
    user_me_body,
)
from authlib_kakao.testing.wire_errors import consent_required, kapi_fail

__all__ = [
    "APP_USERS_MAX",
    "APP_USERS_MAX_WITH_KEYS",
    "access_token_info",
    "app_users",
    "channels_v1",
    "channels_v2",
    "logout",
    "oidc_userinfo",
    "property_keys_param",
    "revoke_scopes",
    "revoke_service_terms",
    "scopes",
    "service_terms",
    "shipping_address",
    "signup",
    "unlink",
    "update_profile",
    "upgrade_service_terms",
    "user_ids",
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


def _properties(req: Request, *, required: bool) -> dict[str, Any] | None:
    raw = req.param("properties")
    if not raw:
        if required:
            raise kapi_fail(-2, "properties is required")
        return None
    try:
        props = json.loads(raw)
    except ValueError:
        raise kapi_fail(-2, "invalid properties: not a JSON object") from None
    if not isinstance(props, dict):
        raise kapi_fail(-2, "invalid properties: not a JSON object")
    return props


def signup(backend: KakaoBackend, req: Request) -> Response:
    """Sign up a preregistered user (apps with auto-link OFF); already a member → ``-102``."""
    caller = authenticate(backend, req, admin=False)
    backend.signup(caller, _properties(req, required=False))
    return json_response({"id": caller.user.id})


def update_profile(backend: KakaoBackend, req: Request) -> Response:
    """Store user properties; every key must be registered in the app, else ``-201`` (§4)."""
    caller = authenticate(backend, req, admin=False)
    backend.update_properties(caller, _properties(req, required=True) or {})
    return json_response({"id": caller.user.id})


def oidc_userinfo(backend: KakaoBackend, req: Request) -> Response:
    """OIDC claims for the token's user (§3.5); the app must have OpenID Connect switched on."""
    caller = authenticate(backend, req, admin=False)
    if not caller.app.oidc:
        raise kapi_fail(-3, "OpenID Connect is not activated for this app")
    return json_response(oidc_userinfo_body(caller.user, caller.link))


# --- consents, service terms, shipping addresses -----------------------------------------------

_RESULTS = ("agreed_service_terms", "app_service_terms")


def _scope_ids(req: Request, *, required: bool) -> list[str] | None:
    raw = json_array_param(req, "scopes", required=required)
    if raw is not None and not all(isinstance(s, str) for s in raw):
        raise kapi_fail(-2, "invalid scopes: scope ids expected")
    return raw


def scopes(backend: KakaoBackend, req: Request) -> Response:
    """Every consent item of the app with ``agreed``/``using``, optionally filtered."""
    caller = authenticate(backend, req)
    only = _scope_ids(req, required=False)
    return json_response(scopes_body(caller.user, caller.app, caller.link, only))


def revoke_scopes(backend: KakaoBackend, req: Request) -> Response:
    """Withdraw agreed optional items; required → 403 ``-3``, not agreed / unknown → 400 ``-2``."""
    caller = authenticate(backend, req)
    wanted = list(dict.fromkeys(_scope_ids(req, required=True) or []))
    backend.revoke_scopes(caller, wanted)
    return json_response(scopes_body(caller.user, caller.app, caller.link))


def _tags(req: Request, caller: Caller, *, required: bool) -> list[str] | None:
    raw = req.param("tags")
    if raw is None or not raw.strip():
        if required:
            raise kapi_fail(-2, "tags is required")
        return None
    tags = list(dict.fromkeys(t.strip() for t in raw.split(",") if t.strip()))
    unknown = [t for t in tags if t not in caller.app.service_terms]
    if unknown:
        raise kapi_fail(-2, f"invalid tags: [{', '.join(unknown)}] not registered for this app")
    return tags


def service_terms(backend: KakaoBackend, req: Request) -> Response:
    """The user's (``agreed_service_terms``) or the app's (``app_service_terms``) service terms."""
    caller = authenticate(backend, req)
    result = req.param("result") or "agreed_service_terms"
    if result not in _RESULTS:
        raise kapi_fail(-2, f"invalid result: one of {', '.join(_RESULTS)}")
    tags = _tags(req, caller, required=False)
    body = service_terms_body(
        caller.user,
        caller.app,
        caller.link,
        agreed_only=result == "agreed_service_terms",
        tags=tags,
    )
    return json_response(body)


def revoke_service_terms(backend: KakaoBackend, req: Request) -> Response:
    """Withdraw optional service terms by tag; a required tag is ``-3`` like a required scope."""
    caller = authenticate(backend, req)
    tags = _tags(req, caller, required=True) or []
    backend.revoke_service_terms(caller, tags)
    revoked = [{"tag": tag, "agreed": False} for tag in tags]
    return json_response({"id": caller.user.id, "revoked_service_terms": revoked})


def upgrade_service_terms(backend: KakaoBackend, req: Request) -> Response:
    """Agree to optional service terms through the API (2025): ``agreed_by`` is ``KAPI``."""
    caller = authenticate(backend, req)
    tags = _tags(req, caller, required=True) or []
    agreed = backend.upgrade_service_terms(caller, tags)
    terms = [
        {"tag": tag, "agreed": True, "agreed_at": rfc3339(at), "agreed_by": "KAPI"}
        for tag, at in agreed.items()
    ]
    return json_response({"id": caller.user.id, "agreed_service_terms": terms})


def shipping_address(backend: KakaoBackend, req: Request) -> Response:
    """Addresses (default first, then newest), paged; no consent → ``-402`` (or only the
    needs-agreement flag with ``shipping_address_without_consent="needs_agreement"``)."""
    caller = authenticate(backend, req)
    consented = "shipping_address" in caller.link.consents
    if not consented and backend.config.shipping_address_without_consent == "-402":
        raise consent_required("USER_SHIPPING_ADDRESS", ["shipping_address"], caller.link.consents)
    address_id = int_param(req, "address_id", None, low=0)
    from_updated_at = int_param(req, "from_updated_at", 0, low=0) or 0
    page_size = int_param(req, "page_size", 10, low=2) or 10
    body = shipping_addresses_body(
        caller.user,
        caller.link,
        address_id=address_id,
        from_updated_at=from_updated_at,
        page_size=page_size,
    )
    return json_response(body)


# --- Kakao Talk Channel (talk_channels.py) ------------------------------------------------------


def channels_v1(backend: KakaoBackend, req: Request) -> Response:
    """``GET /v1/api/talk/channels``: ``channel_public_ids`` a JSON array (optional)."""
    caller = authenticate(backend, req)
    raw = json_array_param(req, "channel_public_ids")
    if raw is not None and not all(isinstance(i, str) for i in raw):
        raise kapi_fail(-2, "invalid channel_public_ids: profile ids expected")
    return json_response(backend.talk_channel_relations(caller, raw))


def channels_v2(backend: KakaoBackend, req: Request) -> Response:
    """``GET /v2/api/talk/channels``: ``channel_ids`` comma-separated, ``channel_id_type`` fixed."""
    caller = authenticate(backend, req)
    if req.param("channel_id_type", "channel_public_id") != "channel_public_id":
        raise kapi_fail(-2, "channel_id_type must be channel_public_id")
    raw = req.param("channel_ids")
    ids = [i.strip() for i in raw.split(",") if i.strip()] if raw else None
    return json_response(backend.talk_channel_relations(caller, ids))


# --- admin key only ----------------------------------------------------------------------------

APP_USERS_MAX = 100
APP_USERS_MAX_WITH_KEYS = 20


def _page_url(req: Request, **params: Any) -> str:
    host = req.headers.get("host", "127.0.0.1")
    return f"http://{host}{req.path}?{urlencode(params)}"


def user_ids(backend: KakaoBackend, req: Request) -> Response:
    """``{elements, before_url, after_url}``: the app's user ids, paged.

    Over the per-app budget (100 calls/min, ``config.user_ids_rate_limit``) → HTTP 429 ``-10``.
    """
    app = admin_app(backend, req)
    backend.spend_user_ids_call(app)
    limit = int_param(req, "limit", 100, low=1, high=100) or 100
    from_id = int_param(req, "from_id", None, low=0)
    order = req.param("order") or "asc"
    if order not in ("asc", "desc"):
        raise kapi_fail(-2, "invalid order: asc or desc")
    elements, before, after = backend.page_user_ids(
        app.app_id, limit=limit, from_id=from_id, descending=order == "desc"
    )
    return json_response(
        {
            "elements": elements,
            "before_url": None
            if before is None
            else _page_url(req, limit=limit, order=order, from_id=before),
            "after_url": None
            if after is None
            else _page_url(req, limit=limit, order=order, from_id=after),
        }
    )


def _target_ids(req: Request, most: int) -> list[int]:
    raw = json_array_param(req, "target_ids", required=True) or []
    ids: list[int] = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, (int, str)) or not str(item).isdigit():
            raise kapi_fail(-2, "invalid target_ids: user ids expected")
        ids.append(int(item))
    if not ids or len(ids) > most:
        raise kapi_fail(-2, f"invalid target_ids: 1 to {most} ids")
    return ids


def app_users(backend: KakaoBackend, req: Request) -> Response:
    """Several users at once (≤100 ids, ≤20 with ``property_keys``); unknown ids are left out.

    Kakao's docs disagree on the shape (§4: a bare array in the example, ``{"elements": [...]}`` in
    the table); ``config.app_users_shape`` picks ``"array"`` (default) or ``"elements"``.
    """
    app = admin_app(backend, req)
    if req.param("target_id_type", "user_id") != "user_id":
        raise kapi_fail(-2, "target_id_type must be user_id")
    raw_keys = json_array_param(req, "property_keys")
    try:
        keys = None if raw_keys is None else parse_property_keys(raw_keys)
    except PropertyKeyError as exc:
        raise kapi_fail(-2, str(exc)) from None
    ids = _target_ids(req, APP_USERS_MAX if keys is None else APP_USERS_MAX_WITH_KEYS)
    elements: list[dict[str, Any]] = []
    for user_id in dict.fromkeys(ids):
        user = backend.users.get(user_id)
        link = user.links.get(app.app_id) if user is not None else None
        if user is not None and link is not None:
            elements.append(app_user_body(user, app, link, keys))
    if backend.config.app_users_shape == "elements":
        return json_response({"elements": elements})
    return json_response(elements)
