"""Kakao's user APIs on the app ``register_kakao`` returns, each written once (see ``faces``).

Every function here is a *builder*: the Flask/Django face serves it as a blocking method and the
Starlette face as a coroutine, under the same name, signature and docstring. Bearer calls go
through Authlib's session with the caller's ``token=`` / ``request=``, so an expired token is
refreshed (once per storm) and ``update_token`` called, exactly as for ``get``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from authlib.oidc.core import UserInfo

from authlib_kakao.core.calls import (
    LOGOUT,
    REVOKE_SCOPES,
    REVOKE_SERVICE_TERMS,
    SCOPES,
    SERVICE_TERMS,
    SHIPPING_ADDRESSES,
    SIGNUP,
    TOKEN_INFO,
    UNLINK,
    UPDATE_PROFILE,
    UPGRADE_SERVICE_TERMS,
    USER_ME,
    KakaoCall,
)
from authlib_kakao.core.flows import (
    Flow,
    call_flow,
    id_token_flow,
    missing_service_terms_flow,
    sdk_login_flow,
    userinfo_flow,
)
from authlib_kakao.errors import InvalidIDTokenError, KakaoConfigError
from authlib_kakao.faces import Bound

if TYPE_CHECKING:
    from authlib_kakao.integrations.base import KakaoAppBase

__all__ = [
    "login_with_sdk_token",
    "logout",
    "me",
    "missing_service_terms",
    "parse_id_token",
    "revoke_scopes",
    "revoke_service_terms",
    "scopes",
    "service_terms",
    "shipping_addresses",
    "signup",
    "token_info",
    "unlink",
    "update_profile",
    "upgrade_service_terms",
    "userinfo",
]

ServiceTermsResult = Literal["agreed_service_terms", "app_service_terms"]


def _call(app: KakaoAppBase, call: KakaoCall[Any], params: Mapping[str, object] | None,
          kwargs: Mapping[str, Any]) -> Bound[Any]:  # fmt: skip
    return Bound(call_flow(call, call.request(app.settings.endpoints, params)), kwargs)


def _as_userinfo(flow: Flow[dict[str, Any]]) -> Flow[UserInfo]:
    return UserInfo((yield from flow))


def userinfo(app: KakaoAppBase, /, **kwargs: Any) -> Bound[UserInfo]:
    """The user's profile from ``/v2/user/me`` as OpenID Connect claims (``sub``, ``nickname``,
    ``picture`` (https), ``email`` …); Authlib's ``token=`` / ``request=`` pick the user."""
    return Bound(_as_userinfo(userinfo_flow(app.settings.endpoints)), kwargs)


def parse_id_token(
    app: KakaoAppBase,
    /,
    token: Mapping[str, Any],
    nonce: str | None,
    claims_options: Any = None,
    claims_cls: Any = None,
    leeway: int = 120,
) -> Bound[UserInfo]:
    """Verify the login's id_token (signature, iss, aud, sub, exp, iat, nonce); its claims."""
    if claims_options is not None or claims_cls is not None:
        raise KakaoConfigError(
            "claims_options/claims_cls are not used by authlib-kakao, which checks iss, aud, "
            "exp, iat and nonce itself: use register_kakao(issuer=..., allowed_audiences=...) "
            "and authorize_access_token(leeway=...) instead."
        )
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise InvalidIDTokenError(
            "the token carries no id_token",
            hint="Kakao sends one only when OpenID Connect is on for the app and the login asked "
            "for the openid scope: register_kakao(openid=True).",
        )
    flow = id_token_flow(
        id_token,
        endpoints=app.settings.endpoints,
        audiences=app._audiences(),
        nonce=nonce,
        leeway=leeway,
    )
    return Bound(_as_userinfo(flow))


def me(
    app: KakaoAppBase,
    /,
    *,
    property_keys: Iterable[str] | None = None,
    secure_resource: bool = True,
    **kwargs: Any,
) -> Bound[dict[str, Any]]:
    """The raw ``/v2/user/me`` answer (Kakao's shape, untouched).

    Args:
        property_keys: only these fields (``["kakao_account.email"]``), sent as Kakao's JSON array.
        secure_resource: ask for https image URLs.
    """
    keys = list(property_keys) if property_keys is not None else None
    return _call(app, USER_ME, {"property_keys": keys, "secure_resource": secure_resource}, kwargs)


def token_info(app: KakaoAppBase, /, **kwargs: Any) -> Bound[dict[str, Any]]:
    """``{"id", "expires_in", "app_id"}`` for the access token (``/v1/user/access_token_info``).

    A -1 answer is Kakao's temporary failure: retry, do not log the user out for it.
    """
    return _call(app, TOKEN_INFO, None, kwargs)


def logout(app: KakaoAppBase, /, **kwargs: Any) -> Bound[int]:
    """Log out the token (``/v1/user/logout``): it and its refresh token die on every device that
    holds them; the user's Kakao account session is untouched. Returns the user id."""
    return _call(app, LOGOUT, None, kwargs)


def unlink(app: KakaoAppBase, /, **kwargs: Any) -> Bound[int]:
    """Disconnect the user from the app (``/v1/user/unlink``); every token dies. Kakao sends no
    unlink webhook for this. Returns the user id."""
    return _call(app, UNLINK, None, kwargs)


def update_profile(
    app: KakaoAppBase, /, properties: Mapping[str, Any], **kwargs: Any
) -> Bound[int]:
    """Store user properties (keys registered under [Kakao Login] > [User Properties]; an unknown
    key is -201). Returns the user id."""
    return _call(app, UPDATE_PROFILE, {"properties": dict(properties)}, kwargs)


def signup(
    app: KakaoAppBase, /, properties: Mapping[str, Any] | None = None, **kwargs: Any
) -> Bound[int]:
    """Link a preregistered user (apps with auto-link off; already linked: -102). The user id."""
    values = {"properties": dict(properties) if properties is not None else None}
    return _call(app, SIGNUP, values, kwargs)


def scopes(
    app: KakaoAppBase, /, scopes: Iterable[str] | None = None, **kwargs: Any
) -> Bound[dict[str, Any]]:
    """The user's consent items (``/v2/user/scopes``): ``{"id", "scopes": [{id, agreed, …}]}``."""
    wanted = list(scopes) if scopes is not None else None
    return _call(app, SCOPES, {"scopes": wanted}, kwargs)


def revoke_scopes(
    app: KakaoAppBase, /, scopes: Iterable[str], **kwargs: Any
) -> Bound[dict[str, Any]]:
    """Withdraw consent items (only revocable ones; a required one is -3)."""
    return _call(app, REVOKE_SCOPES, {"scopes": list(scopes)}, kwargs)


def service_terms(
    app: KakaoAppBase,
    /,
    tags: Iterable[str] | None = None,
    result: ServiceTermsResult = "agreed_service_terms",
    **kwargs: Any,
) -> Bound[dict[str, Any]]:
    """Kakao Sync service terms: the user's agreed ones, or all of the app's (``result``)."""
    wanted = list(tags) if tags is not None else None
    return _call(app, SERVICE_TERMS, {"tags": wanted, "result": result}, kwargs)


def revoke_service_terms(
    app: KakaoAppBase, /, tags: Iterable[str], **kwargs: Any
) -> Bound[dict[str, Any]]:
    """Withdraw the user's agreement to revocable service terms."""
    return _call(app, REVOKE_SERVICE_TERMS, {"tags": list(tags)}, kwargs)


def upgrade_service_terms(
    app: KakaoAppBase, /, tags: Iterable[str], **kwargs: Any
) -> Bound[dict[str, Any]]:
    """Record the user's agreement to service terms given in the app (``agreed_by: KAPI``)."""
    return _call(app, UPGRADE_SERVICE_TERMS, {"tags": list(tags)}, kwargs)


def missing_service_terms(
    app: KakaoAppBase, /, required_tags: Collection[str], **kwargs: Any
) -> Bound[list[str]]:
    """The ``required_tags`` the user has not agreed to. Kakao does not ask again when an app adds
    a required term: check this after login and send the user to agree."""
    request = SERVICE_TERMS.request(app.settings.endpoints, {"result": "agreed_service_terms"})
    return Bound(missing_service_terms_flow(request, required_tags), kwargs)


def shipping_addresses(
    app: KakaoAppBase,
    /,
    address_id: int | None = None,
    from_updated_at: int | None = None,
    page_size: int | None = None,
    **kwargs: Any,
) -> Bound[dict[str, Any]]:
    """The user's shipping addresses (needs the ``shipping_address`` consent item, else -402)."""
    params = {"address_id": address_id, "from_updated_at": from_updated_at, "page_size": page_size}
    return _call(app, SHIPPING_ADDRESSES, params, kwargs)


def login_with_sdk_token(
    app: KakaoAppBase, /, access_token: str, id_token: str | None = None, leeway: int = 120
) -> Bound[UserInfo]:
    """The user's claims for an access token a mobile or JavaScript app got from Kakao's SDK.

    The token must belong to this app: ``/v1/user/access_token_info`` names its ``app_id``, which
    must be the one given as ``register_kakao(app_id=...)``; a token of any other Kakao app is
    refused with ``InvalidAccessTokenError``. An SDK id_token, when given, is verified too (its
    ``aud`` is the SDK's app key: list it in ``allowed_audiences``) and must name the same user.

    Raises:
        KakaoConfigError: ``register_kakao`` was given no ``app_id``.
    """
    if app.settings.app_id is None:
        raise KakaoConfigError(
            "login_with_sdk_token needs register_kakao(app_id=...): the app's numeric id from "
            "[App] > [General], which a token must carry to be accepted"
        )
    flow = sdk_login_flow(
        app.settings.endpoints,
        app_id=app.settings.app_id,
        id_token=id_token,
        audiences=app._audiences(),
        leeway=leeway,
    )
    token = {"access_token": access_token, "token_type": "bearer"}
    return Bound(_as_userinfo(flow), {"token": token})
