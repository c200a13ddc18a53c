"""kapi handlers for consents, Kakao Sync service terms and shipping addresses (reference §4).

All accept a bearer token or ``KakaoAK <admin key>`` with
``target_id_type=user_id&target_id=<id>``. Revoking a scope removes it from the user's link and
from the scopes of their live tokens, so a later ``/v2/user/me`` shows
``<item>_needs_agreement: true`` again.
"""

from __future__ import annotations

from authlib_kakao.testing.backend import Caller, KakaoBackend
from authlib_kakao.testing.http import Request, Response, json_response
from authlib_kakao.testing.kapi_common import authenticate, int_param, json_array_param
from authlib_kakao.testing.profiles import (
    scopes_body,
    service_terms_body,
    shipping_addresses_body,
)
from authlib_kakao.testing.wire_errors import kapi_fail

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


def shipping_address(backend: KakaoBackend, req: Request) -> Response:
    """Addresses (default first, then newest), paged; no consent → only the needs-agreement flag."""
    caller = authenticate(backend, req)
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
