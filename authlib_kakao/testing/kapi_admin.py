"""kapi handlers that need the app's admin key: ``/v1/user/ids`` and ``/v2/app/users`` (§4, §7).

Paging ``/v1/user/ids`` over 100,000 users must not sort or scan per page: every user id is sorted
once into ``state.sorted_user_ids`` (rebuilt only when the number of users changes) and a page is a
bisect plus a walk of ``limit + 1`` linked ids (users not linked to the app are skipped on the way).
"""

from __future__ import annotations

import bisect
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from authlib_kakao.testing.http import Request, Response, json_response
from authlib_kakao.testing.kapi_common import (
    admin_app,
    fail,
    int_param,
    json_array_param,
    kapi_route,
)
from authlib_kakao.testing.profiles import PropertyKeyError, app_user_body, parse_property_keys
from authlib_kakao.testing.state import App, EmulatorState

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = ["APP_USERS_MAX", "APP_USERS_MAX_WITH_KEYS", "app_users", "page_user_ids", "user_ids"]

APP_USERS_MAX = 100
APP_USERS_MAX_WITH_KEYS = 20
_WINDOW = 60.0  # seconds: Kakao's limit is "100 calls per minute per app" (§7)


def _sorted_ids(state: EmulatorState) -> list[int]:
    if len(state.sorted_user_ids) != len(state.users):
        state.sorted_user_ids = sorted(state.users)
    return state.sorted_user_ids


def _walk(
    state: EmulatorState, app_id: int, ids: list[int], start: int, step: int, n: int
) -> list[int]:
    """Up to ``n`` ids linked to ``app_id``, from index ``start`` moving by ``step`` (+1 or -1)."""
    found: list[int] = []
    users = state.users
    i = start
    while 0 <= i < len(ids) and len(found) < n:
        user = users.get(ids[i])
        if user is not None and app_id in user.links:
            found.append(ids[i])
        i += step
    return found


def page_user_ids(
    state: EmulatorState, app_id: int, *, limit: int, from_id: int | None, descending: bool
) -> tuple[list[int], int | None, int | None]:
    """One page of the app's user ids: ``(elements, before_from_id, after_from_id)``.

    ``from_id`` is inclusive. ``after_from_id`` starts the next page in the same order;
    ``before_from_id`` starts the page that ends just before this one (None at either end).
    """
    ids = _sorted_ids(state)
    if descending:
        start = len(ids) - 1 if from_id is None else bisect.bisect_right(ids, from_id) - 1
        step = -1
    else:
        start = 0 if from_id is None else bisect.bisect_left(ids, from_id)
        step = 1
    ahead = _walk(state, app_id, ids, start, step, limit + 1)
    behind = _walk(state, app_id, ids, start - step, -step, limit)
    after = ahead[limit] if len(ahead) > limit else None
    before = behind[-1] if behind else None
    return ahead[:limit], before, after


def _rate_limited(emu: KakaoEmulator, app: App) -> bool:
    """Count this call against the app's per-minute budget (on the emulator's clock)."""
    now = emu.state.clock.now()
    calls = emu.state.user_ids_calls.setdefault(app.app_id, deque())
    while calls and calls[0] <= now - _WINDOW:
        calls.popleft()
    if len(calls) >= emu.config.user_ids_rate_limit:
        return True
    calls.append(now)
    return False


def _page_url(req: Request, **params: Any) -> str:
    host = req.headers.get("host", "127.0.0.1")
    return f"http://{host}{req.path}?{urlencode(params)}"


@kapi_route("GET", path="/v1/user/ids")
def user_ids(emu: KakaoEmulator, req: Request) -> Response:
    """``{elements, before_url, after_url}``: the app's user ids, paged.

    Over the per-app budget (100 calls/min, ``emu.config``) → HTTP 429 ``-10``.
    """
    app = admin_app(emu, req)
    if _rate_limited(emu, app):
        raise fail(-10, status=429)
    limit = int_param(req, "limit", 100, low=1, high=100) or 100
    from_id = int_param(req, "from_id", None, low=0)
    order = req.param("order") or "asc"
    if order not in ("asc", "desc"):
        raise fail(-2, "invalid order: asc or desc")
    elements, before, after = page_user_ids(
        emu.state, app.app_id, limit=limit, from_id=from_id, descending=order == "desc"
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
            raise fail(-2, "invalid target_ids: user ids expected")
        ids.append(int(item))
    if not ids or len(ids) > most:
        raise fail(-2, f"invalid target_ids: 1 to {most} ids")
    return ids


@kapi_route("GET", path="/v2/app/users")
def app_users(emu: KakaoEmulator, req: Request) -> Response:
    """Several users at once (≤100 ids, ≤20 with ``property_keys``); unknown ids are left out.

    Kakao's docs disagree on the shape (§4: a bare array in the example, ``{"elements": [...]}`` in
    the table); ``emu.config.app_users_shape`` picks ``"array"`` (default) or ``"elements"``.
    """
    app = admin_app(emu, req)
    if req.param("target_id_type", "user_id") != "user_id":
        raise fail(-2, "target_id_type must be user_id")
    raw_keys = json_array_param(req, "property_keys")
    try:
        keys = None if raw_keys is None else parse_property_keys(raw_keys)
    except PropertyKeyError as exc:
        raise fail(-2, str(exc)) from None
    ids = _target_ids(req, APP_USERS_MAX if keys is None else APP_USERS_MAX_WITH_KEYS)
    elements: list[dict[str, Any]] = []
    for user_id in dict.fromkeys(ids):
        user = emu.state.users.get(user_id)
        link = user.links.get(app.app_id) if user is not None else None
        if user is not None and link is not None:
            elements.append(app_user_body(user, app, link, keys))
    if emu.config.app_users_shape == "elements":
        return json_response({"elements": elements})
    return json_response(elements)
