"""kapi handlers that need the app's admin key: ``/v1/user/ids`` and ``/v2/app/users`` (§4, §7).

The paging itself (a bisect over once-sorted ids, not a sort per page) and the per-minute budget
are :class:`~authlib_kakao.testing.backend.KakaoBackend`'s.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.http import Request, Response, json_response
from authlib_kakao.testing.kapi_common import admin_app, int_param, json_array_param
from authlib_kakao.testing.profiles import PropertyKeyError, app_user_body, parse_property_keys
from authlib_kakao.testing.wire_errors import kapi_fail

__all__ = ["APP_USERS_MAX", "APP_USERS_MAX_WITH_KEYS", "app_users", "user_ids"]

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
