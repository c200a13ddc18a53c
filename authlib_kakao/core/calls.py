"""The catalogue of Kakao calls: one row per endpoint, and the pure builder that turns a row plus
arguments into an :class:`~authlib_kakao.core.messages.HTTPRequest`.

A row says everything the sync and async faces need to know: method, host, path, how the call
authenticates (a user's bearer token, the app's admin key, or nothing), which parameters Kakao
wants as JSON strings, and the parser for the answer. Adding an endpoint is adding a row (and one
flow in ``core.flows`` when it needs more than one request).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from authlib_kakao.core.claims import kakao_id
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.id_token import MAX_JWKS_KEYS, ParsedJWKS, parse_jwks_document
from authlib_kakao.core.messages import Auth, HTTPRequest, HTTPResponse
from authlib_kakao.core.responses import decode_json, parse_kapi
from authlib_kakao.errors import KakaoConfigError, KakaoResponseError

__all__ = [
    "APP_USERS",
    "CALLS",
    "JWKS",
    "LOGOUT",
    "REVOKE_SCOPES",
    "REVOKE_SERVICE_TERMS",
    "SCOPES",
    "SERVICE_TERMS",
    "SHIPPING_ADDRESSES",
    "SIGNUP",
    "TOKEN_INFO",
    "UNLINK",
    "UPDATE_PROFILE",
    "UPGRADE_SERVICE_TERMS",
    "USER_IDS",
    "USER_ME",
    "KakaoCall",
    "encode_params",
    "parse_app_users",
    "parse_jwks",
    "parse_user_id",
]

T = TypeVar("T")


def encode_params(params: Mapping[str, object], json_params: frozenset[str]) -> dict[str, str]:
    """Kakao's wire form of ``params``: ``None`` dropped, booleans ``true``/``false``, the names
    in ``json_params`` (lists, objects) as compact JSON strings (``["kakao_account.email"]``), and
    other lists as Kakao's comma-separated strings (``tags=a,b``)."""
    encoded: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if name in json_params:
            items = list(value) if isinstance(value, (list, tuple, set, frozenset)) else value
            encoded[name] = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(value, bool):
            encoded[name] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            encoded[name] = ",".join(str(item) for item in value)
        else:
            encoded[name] = str(value)
    return encoded


@dataclass(frozen=True)
class KakaoCall(Generic[T]):
    """One Kakao endpoint: where it is, how it authenticates and how its answer is read.

    ``auth`` is how the call is made by default; ``admin`` says whether the app's admin key may
    make it instead, for one user named by ``target_id``.
    """

    name: str
    method: Literal["GET", "POST"]
    host: Literal["kauth", "kapi"]
    path: str
    auth: Auth
    parse: Callable[[HTTPResponse], T]
    json_params: frozenset[str] = frozenset()
    admin: bool = False

    def url(self, endpoints: KakaoEndpoints) -> str:
        """The absolute URL of this call on ``endpoints`` (Kakao's, the emulator's, a proxy's)."""
        return endpoints.kauth(self.path) if self.host == "kauth" else endpoints.kapi(self.path)

    def request(
        self,
        endpoints: KakaoEndpoints,
        params: Mapping[str, object] | None = None,
        *,
        admin_key: str | None = None,
        user_id: int | None = None,
    ) -> HTTPRequest:
        """The request for this call: parameters in the query (GET) or the form (POST).

        With ``admin_key`` the call is made with the app's admin key (``KakaoAK``), for the user
        ``user_id`` when the call is about one user.

        Raises:
            KakaoConfigError: an admin-only call without an admin key, or an admin key where the
                call takes none.
        """
        values = dict(params or {})
        auth = self.auth
        headers: dict[str, str] = {}
        if admin_key is not None or self.auth == "admin":
            if not admin_key:
                raise KakaoConfigError(f"{self.name} needs the app's admin key (KakaoAK)")
            if self.auth != "admin" and not self.admin:
                raise KakaoConfigError(f"Kakao does not take the admin key for {self.name}")
            auth, headers["Authorization"] = "admin", f"KakaoAK {admin_key}"
            if user_id is not None:
                values.update(target_id_type="user_id", target_id=user_id)
        encoded = encode_params(values, self.json_params)
        in_query = self.method == "GET"
        return HTTPRequest(
            self.method,
            self.url(endpoints),
            auth=auth,
            headers=headers,
            query=encoded if in_query else {},
            form={} if in_query else encoded,
        )


def parse_jwks(resp: HTTPResponse) -> ParsedJWKS:
    """Kakao's JWKS with its keys imported once, or :class:`KakaoResponseError`."""
    data = decode_json(resp)
    keys = data.get("keys")
    if resp.status_code != 200 or not isinstance(keys, list):
        raise KakaoResponseError(
            "Kakao's JWKS endpoint did not answer a key set",
            status_code=resp.status_code,
            excerpt=resp.excerpt(),
        )
    if len(keys) > MAX_JWKS_KEYS:
        raise KakaoResponseError(
            f"Kakao's JWKS endpoint answered {len(keys)} keys, more than the {MAX_JWKS_KEYS} "
            f"accepted",
            status_code=resp.status_code,
        )
    return parse_jwks_document(data)


def parse_user_id(resp: HTTPResponse) -> int:
    """``{"id": …}`` (logout, unlink, update_profile, signup) as the user id."""
    data = parse_kapi(resp)
    user_id = kakao_id(data.get("id"))
    if user_id is None:
        raise KakaoResponseError(
            "Kakao's answer has no usable user id", status_code=resp.status_code
        )
    return user_id


def parse_app_users(resp: HTTPResponse) -> list[dict[str, Any]]:
    """``/v2/app/users``: a bare array (Kakao's example) or ``{"elements": [...]}`` (its table)."""
    if resp.ok and resp.content.lstrip()[:1] == b"[":
        try:
            data: Any = json.loads(resp.content)
        except ValueError:
            data = None
    else:
        data = parse_kapi(resp).get("elements")
    if not isinstance(data, list):
        raise KakaoResponseError(
            "Kakao's /v2/app/users answer is not a list of users",
            status_code=resp.status_code,
            excerpt=resp.excerpt(),
        )
    return [user for user in data if isinstance(user, dict)]


_P = parse_kapi
_KAPI: Literal["kapi"] = "kapi"
_KAUTH: Literal["kauth"] = "kauth"

# fmt: off
USER_ME: KakaoCall[dict[str, Any]] = KakaoCall("user_me", "GET", _KAPI, "/v2/user/me", "bearer", _P, frozenset({"property_keys"}), admin=True)
TOKEN_INFO: KakaoCall[dict[str, Any]] = KakaoCall("token_info", "GET", _KAPI, "/v1/user/access_token_info", "bearer", _P)
LOGOUT: KakaoCall[int] = KakaoCall("logout", "POST", _KAPI, "/v1/user/logout", "bearer", parse_user_id, admin=True)
UNLINK: KakaoCall[int] = KakaoCall("unlink", "POST", _KAPI, "/v1/user/unlink", "bearer", parse_user_id, admin=True)
UPDATE_PROFILE: KakaoCall[int] = KakaoCall("update_profile", "POST", _KAPI, "/v1/user/update_profile", "bearer", parse_user_id, frozenset({"properties"}))
SIGNUP: KakaoCall[int] = KakaoCall("signup", "POST", _KAPI, "/v1/user/signup", "bearer", parse_user_id, frozenset({"properties"}))
SCOPES: KakaoCall[dict[str, Any]] = KakaoCall("scopes", "GET", _KAPI, "/v2/user/scopes", "bearer", _P, frozenset({"scopes"}), admin=True)
REVOKE_SCOPES: KakaoCall[dict[str, Any]] = KakaoCall("revoke_scopes", "POST", _KAPI, "/v2/user/revoke/scopes", "bearer", _P, frozenset({"scopes"}), admin=True)
SERVICE_TERMS: KakaoCall[dict[str, Any]] = KakaoCall("service_terms", "GET", _KAPI, "/v2/user/service_terms", "bearer", _P, admin=True)
REVOKE_SERVICE_TERMS: KakaoCall[dict[str, Any]] = KakaoCall("revoke_service_terms", "POST", _KAPI, "/v2/user/revoke/service_terms", "bearer", _P, admin=True)
UPGRADE_SERVICE_TERMS: KakaoCall[dict[str, Any]] = KakaoCall("upgrade_service_terms", "POST", _KAPI, "/v2/user/upgrade/service_terms", "bearer", _P, admin=True)
SHIPPING_ADDRESSES: KakaoCall[dict[str, Any]] = KakaoCall("shipping_addresses", "GET", _KAPI, "/v1/user/shipping_address", "bearer", _P, admin=True)
USER_IDS: KakaoCall[dict[str, Any]] = KakaoCall("user_ids", "GET", _KAPI, "/v1/user/ids", "admin", _P)
APP_USERS: KakaoCall[list[dict[str, Any]]] = KakaoCall("app_users", "GET", _KAPI, "/v2/app/users", "admin", parse_app_users, frozenset({"target_ids", "property_keys"}))
JWKS: KakaoCall[ParsedJWKS] = KakaoCall("jwks", "GET", _KAUTH, "/.well-known/jwks.json", "none", parse_jwks)
# fmt: on

CALLS: dict[str, KakaoCall[Any]] = {
    call.name: call
    for call in (
        USER_ME,
        TOKEN_INFO,
        LOGOUT,
        UNLINK,
        UPDATE_PROFILE,
        SIGNUP,
        SCOPES,
        REVOKE_SCOPES,
        SERVICE_TERMS,
        REVOKE_SERVICE_TERMS,
        UPGRADE_SERVICE_TERMS,
        SHIPPING_ADDRESSES,
        USER_IDS,
        APP_USERS,
        JWKS,
    )
}
"""Every call by name; tests and docs iterate over it."""
