"""kapi handlers for consents, Kakao Sync service terms and shipping addresses (reference §4).

All accept a bearer token or ``KakaoAK <admin key>`` with
``target_id_type=user_id&target_id=<id>``. Revoking a scope removes it from the user's link and
from the scopes of their live tokens, so a later ``/v2/user/me`` shows
``<item>_needs_agreement: true`` again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from authlib_kakao.testing.http import Request, Response, json_response
from authlib_kakao.testing.kapi_common import (
    Caller,
    authenticate,
    fail,
    int_param,
    json_array_param,
    kapi_route,
)
from authlib_kakao.testing.profiles import (
    scopes_body,
    service_terms_body,
    shipping_addresses_body,
)
from authlib_kakao.testing.state import EmulatorState

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = [
    "revoke_scopes",
    "revoke_service_terms",
    "scopes",
    "service_terms",
    "shipping_address",
]

_RESULTS = ("agreed_service_terms", "app_service_terms")


def _scope_ids(req: Request, *, required: bool) -> list[str] | None:
    raw = json_array_param(req, "scopes", required=required)
    if raw is not None and not all(isinstance(s, str) for s in raw):
        raise fail(-2, "invalid scopes: scope ids expected")
    return raw


def _listed(items: list[str]) -> str:
    return f"[{', '.join(items)}]"


@kapi_route("GET", path="/v2/user/scopes")
def scopes(emu: KakaoEmulator, req: Request) -> Response:
    """Every consent item of the app with ``agreed``/``using``, optionally filtered."""
    caller = authenticate(emu, req)
    only = _scope_ids(req, required=False)
    return json_response(scopes_body(caller.user, caller.app, caller.link, only))


def _drop_token_scopes(state: EmulatorState, caller: Caller, revoked: set[str]) -> None:
    app_id, user_id = caller.app.app_id, caller.user.id
    for access in state.access_tokens.values():
        if access.app_id == app_id and access.user_id == user_id:
            access.scopes = [s for s in access.scopes if s not in revoked]
    for refresh in state.refresh_tokens.values():
        if refresh.app_id == app_id and refresh.user_id == user_id:
            refresh.scopes = [s for s in refresh.scopes if s not in revoked]


@kapi_route("POST", path="/v2/user/revoke/scopes")
def revoke_scopes(emu: KakaoEmulator, req: Request) -> Response:
    """Withdraw agreed optional items; required → 403 ``-3``, not agreed / unknown → 400 ``-2``."""
    caller = authenticate(emu, req)
    wanted = list(dict.fromkeys(_scope_ids(req, required=True) or []))
    unknown = [s for s in wanted if s not in caller.link.consents]
    if unknown or not wanted:
        raise fail(
            -2,
            "There is no scopes to revoke. check out if given scope id"
            f"({_listed(unknown)}) is correct again.",
        )
    items = caller.app.consent_items
    fixed = [s for s in wanted if s in items and items[s].required]
    if fixed:
        raise fail(
            -3,
            f"{_listed(fixed)} is not revocable. "
            "check out if it's set as required on developers.kakao.com",
        )
    caller.link.consents.difference_update(wanted)
    _drop_token_scopes(emu.state, caller, set(wanted))
    return json_response(scopes_body(caller.user, caller.app, caller.link))


def _tags(req: Request, caller: Caller, *, required: bool) -> list[str] | None:
    raw = req.param("tags")
    if raw is None or not raw.strip():
        if required:
            raise fail(-2, "tags is required")
        return None
    tags = list(dict.fromkeys(t.strip() for t in raw.split(",") if t.strip()))
    unknown = [t for t in tags if t not in caller.app.service_terms]
    if unknown:
        raise fail(-2, f"invalid tags: {_listed(unknown)} not registered for this app")
    return tags


@kapi_route("GET", path="/v2/user/service_terms")
def service_terms(emu: KakaoEmulator, req: Request) -> Response:
    """The user's (``agreed_service_terms``) or the app's (``app_service_terms``) service terms."""
    caller = authenticate(emu, req)
    result = req.param("result") or "agreed_service_terms"
    if result not in _RESULTS:
        raise fail(-2, f"invalid result: one of {', '.join(_RESULTS)}")
    tags = _tags(req, caller, required=False)
    body = service_terms_body(
        caller.user,
        caller.app,
        caller.link,
        agreed_only=result == "agreed_service_terms",
        tags=tags,
    )
    return json_response(body)


@kapi_route("POST", path="/v2/user/revoke/service_terms")
def revoke_service_terms(emu: KakaoEmulator, req: Request) -> Response:
    """Withdraw optional service terms by tag; a required tag is ``-3`` like a required scope."""
    caller = authenticate(emu, req)
    tags = _tags(req, caller, required=True) or []
    fixed = [t for t in tags if caller.app.service_terms[t].required]
    if fixed:
        raise fail(
            -3,
            f"{_listed(fixed)} is not revocable. "
            "check out if it's set as required on developers.kakao.com",
        )
    for tag in tags:
        caller.link.service_terms.pop(tag, None)
    revoked = [{"tag": tag, "agreed": False} for tag in tags]
    return json_response({"id": caller.user.id, "revoked_service_terms": revoked})


@kapi_route("GET", path="/v1/user/shipping_address")
def shipping_address(emu: KakaoEmulator, req: Request) -> Response:
    """Addresses (default first, then newest), paged; no consent → only the needs-agreement flag."""
    caller = authenticate(emu, req)
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
