"""The catalogue of Kakao calls: one row per endpoint, and the pure builder that turns a row plus
arguments into an :class:`~authlib_kakao.core.messages.HTTPRequest`.

A row says everything the sync and async faces need to know: method, host, path, how the call
authenticates (a user's bearer token, the app's admin key, or nothing), its parameters, which of
them Kakao wants as JSON strings, and the parser for the answer.

A row's parameters are its *signature function*: a small typed function whose parameters are the
method's (names, Python types, defaults, kinds), whose docstring is the method's, and which returns
the values to send. ``KakaoCall`` is generic over it (a ``ParamSpec``), so the methods derived
from a row (``user_api.user_method``, ``admin.admin_method``) keep real, statically visible
signatures. A bearer call's signature function ends with ``**kwargs: Any``: the app's methods
pass those to Authlib (``token=``, ``request=``); the admin client refuses them.

Adding a single-call endpoint is adding a row (and its one-line methods); an operation of several
requests is a flow in ``core.flows``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, ParamSpec, TypeVar, cast

from authlib_kakao.core.claims import kakao_id
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.id_token import MAX_JWKS_KEYS, ParsedJWKS, parse_jwks_document
from authlib_kakao.core.messages import Auth, HTTPRequest, HTTPResponse
from authlib_kakao.core.responses import decode_json, parse_kapi, parse_kapi_as
from authlib_kakao.core.shapes import (
    AgreedServiceTerms,
    AppUser,
    RevokedServiceTerms,
    Scopes,
    ServiceTerms,
    ShippingAddresses,
    TalkChannels,
    TokenInfo,
    UserIds,
    UserMe,
)
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
    "TALK_CHANNELS",
    "TOKEN_INFO",
    "UNLINK",
    "UPDATE_PROFILE",
    "UPGRADE_SERVICE_TERMS",
    "USER_IDS",
    "USER_ME",
    "KakaoCall",
    "Params",
    "ServiceTermsResult",
    "encode_params",
    "parse_app_users",
    "parse_jwks",
    "parse_user_id",
]

T = TypeVar("T")
P = ParamSpec("P")

Params = dict[str, object]
"""What a signature function returns: Kakao's parameter names and values, before encoding."""

ServiceTermsResult = Literal["agreed_service_terms", "app_service_terms"]


def no_params() -> Params:
    """The signature function of a call without parameters."""
    return {}


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
class KakaoCall(Generic[P, T]):
    """One Kakao endpoint: where it is, how it authenticates, its parameters and how its answer is
    read.

    ``name`` is the name of the method that makes the call. ``auth`` is how the call is made by
    default; ``admin`` says whether the app's admin key may make it instead, for one user named by
    ``target_id``. ``params`` is the signature function (see the module's docstring); the
    parameters it returns that are named in ``json_params`` are sent as JSON strings, other lists
    as Kakao's comma lists (:func:`encode_params`).
    """

    name: str
    method: Literal["GET", "POST"]
    host: Literal["kauth", "kapi"]
    path: str
    auth: Auth
    parse: Callable[[HTTPResponse], T]
    json_params: frozenset[str] = frozenset()
    admin: bool = False
    params: Callable[P, Params] = no_params  # type: ignore[assignment]  # mypy: a ParamSpec default

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


def parse_app_users(resp: HTTPResponse) -> list[AppUser]:
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
    return [cast("AppUser", user) for user in data if isinstance(user, dict)]


def _listed(values: Iterable[Any] | None) -> list[Any] | None:
    return list(values) if values is not None else None


# -- signature functions: each method's parameters and docstring, written once -----------------
# A bearer call's ends with **kwargs (Authlib's token=/request= on the app's methods).


def _me(
    *, property_keys: Iterable[str] | None = None, secure_resource: bool = True, **kwargs: Any
) -> Params:
    """The raw ``/v2/user/me`` answer (Kakao's shape, untouched).

    Args:
        property_keys: only these fields (``["kakao_account.email"]``), sent as Kakao's JSON array.
        secure_resource: ask for https image URLs.
    """
    return {"property_keys": _listed(property_keys), "secure_resource": secure_resource}


def _token_info(**kwargs: Any) -> Params:
    """``{"id", "expires_in", "app_id"}`` for the access token (``/v1/user/access_token_info``).

    A -1 answer is Kakao's temporary failure: retry, do not log the user out for it.
    """
    return {}


def _logout(**kwargs: Any) -> Params:
    """Log out (``/v1/user/logout``): the user's token and its refresh token die on every device
    that holds them (with the admin key: every token the user holds for the app); the user's Kakao
    account session is untouched. Returns the user id."""
    return {}


def _unlink(**kwargs: Any) -> Params:
    """Disconnect the user from the app (``/v1/user/unlink``); every token dies. Kakao sends no
    unlink webhook for this. Returns the user id."""
    return {}


def _update_profile(properties: Mapping[str, Any], **kwargs: Any) -> Params:
    """Store user properties (keys registered under [Kakao Login] > [User Properties]; an unknown
    key is -201). Returns the user id."""
    return {"properties": dict(properties)}


def _signup(properties: Mapping[str, Any] | None = None, **kwargs: Any) -> Params:
    """Link a preregistered user (apps with auto-link off; already linked: -102). The user id."""
    return {"properties": dict(properties) if properties is not None else None}


def _scopes(scopes: Iterable[str] | None = None, **kwargs: Any) -> Params:
    """The user's consent items (``/v2/user/scopes``): ``{"id", "scopes": [{id, agreed, …}]}``."""
    return {"scopes": _listed(scopes)}


def _revoke_scopes(scopes: Iterable[str], **kwargs: Any) -> Params:
    """Withdraw consent items (only revocable ones; a required one is -3)."""
    return {"scopes": list(scopes)}


def _service_terms(
    tags: Iterable[str] | None = None,
    result: ServiceTermsResult = "agreed_service_terms",
    **kwargs: Any,
) -> Params:
    """Kakao Sync service terms: the user's agreed ones, or all of the app's (``result``)."""
    return {"tags": _listed(tags), "result": result}


def _revoke_service_terms(tags: Iterable[str], **kwargs: Any) -> Params:
    """Withdraw the user's agreement to revocable service terms."""
    return {"tags": list(tags)}


def _upgrade_service_terms(tags: Iterable[str], **kwargs: Any) -> Params:
    """Record the user's agreement to service terms given in the app (``agreed_by: KAPI``)."""
    return {"tags": list(tags)}


def _shipping_addresses(
    address_id: int | None = None,
    from_updated_at: int | None = None,
    page_size: int | None = None,
    **kwargs: Any,
) -> Params:
    """The user's shipping addresses (needs the ``shipping_address`` consent item, else -402)."""
    return {"address_id": address_id, "from_updated_at": from_updated_at, "page_size": page_size}


def _user_ids(limit: int = 100, order: str = "asc", from_id: int | None = None) -> Params:
    """One page of the app's user ids as Kakao returns it (``elements``, ``before_url``,
    ``after_url``); Kakao allows 100 of these calls a minute per app."""
    return {"limit": limit, "order": order, "from_id": from_id}


def _talk_channels(channel_ids: Iterable[str] | None = None, **kwargs: Any) -> Params:
    """The user's relation (``ADDED``, ``BLOCKED``, ``NONE``) with the app's Kakao Talk Channels
    (``/v2/api/talk/channels``; needs the ``plusfriends`` consent item, else -402; an app with no
    linked channel: -819). ``channel_ids``: only these channels' public ids (``_ZeUTxl``),
    sent as Kakao's comma list; by default every channel linked to the app."""
    ids = _listed(channel_ids)
    return {"channel_ids": ids, "channel_id_type": "channel_public_id" if ids else None}


_KAPI: Literal["kapi"] = "kapi"
_KAUTH: Literal["kauth"] = "kauth"
_JSON = frozenset

# fmt: off
USER_ME = KakaoCall("me", "GET", _KAPI, "/v2/user/me", "bearer", parse_kapi_as(UserMe), _JSON({"property_keys"}), admin=True, params=_me)
TOKEN_INFO = KakaoCall("token_info", "GET", _KAPI, "/v1/user/access_token_info", "bearer", parse_kapi_as(TokenInfo), params=_token_info)
LOGOUT = KakaoCall("logout", "POST", _KAPI, "/v1/user/logout", "bearer", parse_user_id, admin=True, params=_logout)
UNLINK = KakaoCall("unlink", "POST", _KAPI, "/v1/user/unlink", "bearer", parse_user_id, admin=True, params=_unlink)
UPDATE_PROFILE = KakaoCall("update_profile", "POST", _KAPI, "/v1/user/update_profile", "bearer", parse_user_id, _JSON({"properties"}), params=_update_profile)
SIGNUP = KakaoCall("signup", "POST", _KAPI, "/v1/user/signup", "bearer", parse_user_id, _JSON({"properties"}), params=_signup)
SCOPES = KakaoCall("scopes", "GET", _KAPI, "/v2/user/scopes", "bearer", parse_kapi_as(Scopes), _JSON({"scopes"}), admin=True, params=_scopes)
REVOKE_SCOPES = KakaoCall("revoke_scopes", "POST", _KAPI, "/v2/user/revoke/scopes", "bearer", parse_kapi_as(Scopes), _JSON({"scopes"}), admin=True, params=_revoke_scopes)
SERVICE_TERMS = KakaoCall("service_terms", "GET", _KAPI, "/v2/user/service_terms", "bearer", parse_kapi_as(ServiceTerms), admin=True, params=_service_terms)
REVOKE_SERVICE_TERMS = KakaoCall("revoke_service_terms", "POST", _KAPI, "/v2/user/revoke/service_terms", "bearer", parse_kapi_as(RevokedServiceTerms), admin=True, params=_revoke_service_terms)
UPGRADE_SERVICE_TERMS = KakaoCall("upgrade_service_terms", "POST", _KAPI, "/v2/user/upgrade/service_terms", "bearer", parse_kapi_as(AgreedServiceTerms), admin=True, params=_upgrade_service_terms)
SHIPPING_ADDRESSES = KakaoCall("shipping_addresses", "GET", _KAPI, "/v1/user/shipping_address", "bearer", parse_kapi_as(ShippingAddresses), admin=True, params=_shipping_addresses)
TALK_CHANNELS = KakaoCall("talk_channels", "GET", _KAPI, "/v2/api/talk/channels", "bearer", parse_kapi_as(TalkChannels), admin=True, params=_talk_channels)
USER_IDS = KakaoCall("user_ids", "GET", _KAPI, "/v1/user/ids", "admin", parse_kapi_as(UserIds), params=_user_ids)
APP_USERS = KakaoCall("users", "GET", _KAPI, "/v2/app/users", "admin", parse_app_users, _JSON({"target_ids", "property_keys"}), params=no_params)
JWKS = KakaoCall("jwks", "GET", _KAUTH, "/.well-known/jwks.json", "none", parse_jwks, params=no_params)
# fmt: on

CALLS: dict[str, KakaoCall[..., Any]] = {
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
        TALK_CHANNELS,
        USER_IDS,
        APP_USERS,
        JWKS,
    )
}
"""Every call by its method's name; tests and docs iterate over it."""
