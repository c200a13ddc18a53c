"""Kakao's user APIs on the app ``register_kakao`` returns, each written once (see ``faces``).

Every name here is a *builder*: the Flask/Django face serves it as a blocking method and the
Starlette face as a coroutine, under the same name, signature and docstring. The builder of a
single call is derived from its catalogue row (:func:`user_method`); operations of several
requests are written below. Bearer calls go through Authlib's session with the caller's
``token=`` / ``request=``, so an expired token is refreshed (once per storm) and ``update_token``
called, exactly as for ``get``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from authlib.oidc.core import UserInfo

from authlib_kakao.core.calls import (
    LOGOUT,
    REVOKE_SCOPES,
    REVOKE_SERVICE_TERMS,
    SCOPES,
    SERVICE_TERMS,
    SHIPPING_ADDRESSES,
    SIGNUP,
    TALK_CHANNELS,
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
from authlib_kakao.core.shapes import IDTokenClaims, UserInfoClaims
from authlib_kakao.errors import InvalidIDTokenError, KakaoConfigError
from authlib_kakao.faces import Bound, derived, kakao_parameters

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
    "talk_channels",
    "token_info",
    "unlink",
    "update_profile",
    "upgrade_service_terms",
    "userinfo",
]

P = ParamSpec("P")
T = TypeVar("T")
_APP = inspect.Parameter("app", inspect.Parameter.POSITIONAL_ONLY, annotation="KakaoAppBase")


def user_method(call: KakaoCall[P, T]) -> Callable[Concatenate[KakaoAppBase, P], Bound[T]]:
    """The builder of the app's method for the bearer ``call``: the row's parameters become
    Kakao's, the rest of the keyword arguments go to Authlib (``token=``, ``request=``)."""
    params = kakao_parameters(call)
    if call.auth != "bearer" or not params or params[-1].kind is not params[-1].VAR_KEYWORD:
        raise TypeError(f"{call.name}: a user method needs a bearer call ending with **kwargs")
    names = {p.name for p in params[:-1]}

    def builder(app: KakaoAppBase, /, *args: P.args, **kwargs: P.kwargs) -> Bound[T]:
        send = {name: value for name, value in kwargs.items() if name not in names}
        request = call.request(app.settings.endpoints, call.params(*args, **kwargs))
        return Bound(call_flow(call, request), send)

    return derived(builder, call, [_APP], var_keyword=True)


def _as_userinfo(flow: Flow[UserInfoClaims] | Flow[IDTokenClaims]) -> Flow[UserInfo]:
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


me = user_method(USER_ME)
token_info = user_method(TOKEN_INFO)
logout = user_method(LOGOUT)
unlink = user_method(UNLINK)
update_profile = user_method(UPDATE_PROFILE)
signup = user_method(SIGNUP)
scopes = user_method(SCOPES)
revoke_scopes = user_method(REVOKE_SCOPES)
service_terms = user_method(SERVICE_TERMS)
revoke_service_terms = user_method(REVOKE_SERVICE_TERMS)
upgrade_service_terms = user_method(UPGRADE_SERVICE_TERMS)
shipping_addresses = user_method(SHIPPING_ADDRESSES)
talk_channels = user_method(TALK_CHANNELS)


def missing_service_terms(
    app: KakaoAppBase, /, required_tags: Collection[str], **kwargs: Any
) -> Bound[list[str]]:
    """The ``required_tags`` the user has not agreed to. Kakao does not ask again when an app adds
    a required term: check this after login and send the user to agree."""
    request = SERVICE_TERMS.request(app.settings.endpoints, {"result": "agreed_service_terms"})
    return Bound(missing_service_terms_flow(request, required_tags), kwargs)


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
