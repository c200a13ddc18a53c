"""``register_kakao(oauth)``: Kakao on any Authlib ``OAuth`` registry, done right in one call.

What it sets, and why (see ``authlib-notes``):

* Kakao accepts the client secret only in the form body: the compliance fix picks
  ``client_secret_post`` when a secret is configured and ``none`` (``client_id`` alone) otherwise;
  Authlib's default, HTTP Basic, gets KOE101/KOE010.
* No default scope: Kakao then asks for the consent items set in the console, while a default list
  is the top cause of KOE205. ``openid=True`` adds ``openid``.
* PKCE S256 and a 10-second timeout on every request (``default_timeout`` for requests, ``timeout``
  for httpx: each library ignores the other's key).
* Static endpoints and OIDC metadata from ``kauth_url``/``kapi_url``: no discovery request, ever.
* Token responses are normalised (``core.tokens``) where Authlib's session parses them
  (``KakaoSessionMixin.parse_response_token``); a refresh without ``refresh_token`` keeps the old
  one and its expiry.
* Every Kakao URL derives from ``kauth_url``/``kapi_url``: endpoint keywords that would make the
  URLs disagree (``authorize_url``, ``jwks_uri``, ``server_metadata_url``, …) are refused.
* An id_token is verified on login (``parse_id_token``) when ``openid`` was requested. An id_token
  that arrives although ``openid=False`` (OIDC switched on in the console) is **dropped** from the
  token: it was not asked for, carries no nonce of ours, and nothing should trust it by accident.
"""

from __future__ import annotations

import inspect
import logging
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, overload

from authlib_kakao.core.endpoints import KAKAO_ISSUER, KAPI_URL, KAUTH_URL, KakaoEndpoints
from authlib_kakao.core.scopes import with_openid
from authlib_kakao.errors import KakaoConfigError, bind_authlib_errors
from authlib_kakao.refresh import Refresher, RefreshLock
from authlib_kakao.settings import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    MISSING_CLIENT_ID,
    KakaoSettings,
)
from authlib_kakao.validation import (
    check_app_key,
    check_audiences,
    check_flag,
    check_keywords,
    check_mapping,
    check_size,
    check_timeout,
    check_url,
    warn_about_scopes,
)

if TYPE_CHECKING:
    from authlib.integrations import django_client, flask_client, starlette_client

    from authlib_kakao.integrations.django import KakaoDjangoApp
    from authlib_kakao.integrations.flask import KakaoFlaskApp
    from authlib_kakao.integrations.starlette import KakaoStarletteApp

__all__ = ["register_kakao"]

log = logging.getLogger(__name__)

# Keywords that would give Authlib a second, diverging copy of an endpoint.
_ENDPOINT_KWARGS = (
    "authorize_url",
    "access_token_url",
    "api_base_url",
    "server_metadata_url",
    "jwks_uri",
    "userinfo_endpoint",
    "refresh_token_url",
)
# A refresh lock outlives the refresh it guards by this much (a dead holder frees it after it).
_LEASE_MARGIN = 5.0
# Names registered through us on registries that cannot tell yet (Flask's OAuth before init_app).
_REGISTERED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


class _RedactCodeVerifier(logging.Filter):
    """Authlib logs the PKCE code_verifier at DEBUG (``sync_app.py``); keep it out of every log."""

    _pattern = re.compile(r"(code_verifier\W+)[\w.~-]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if "code_verifier" in str(record.msg):
            record.msg = self._pattern.sub(r"\1***", record.getMessage())
            record.args = None
        return True


for _logger in (
    "authlib.integrations.base_client.sync_app",
    "authlib.integrations.base_client.async_app",
):
    logging.getLogger(_logger).addFilter(_RedactCodeVerifier())


def _compliance_fix(user_fix: Callable[[Any], None] | None) -> Callable[[Any], None]:
    def fix(session: Any) -> None:
        # Kakao takes the secret only in the body; HTTP Basic (Authlib's default) gets KOE101.
        session.token_endpoint_auth_method = (
            "client_secret_post" if session.client_secret else "none"
        )
        if user_fix is not None:
            user_fix(session)

    return fix


def _config_client_kwargs(oauth: Any, name: str) -> dict[str, Any]:
    """``client_kwargs`` from the framework's config, which Authlib ignores once we pass our own."""
    try:
        config = oauth.framework_integration_cls.load_config(oauth, name, ["client_kwargs"])
    except Exception:
        return {}
    value = config.get("client_kwargs") if isinstance(config, Mapping) else None
    return dict(value) if isinstance(value, Mapping) else {}


def _client_kwargs(
    oauth: Any, name: str, given: Mapping[str, Any] | None, openid: bool, timeout: float
) -> dict[str, Any]:
    merged: dict[str, Any] = {
        "code_challenge_method": "S256",
        "default_timeout": timeout,  # requests (Flask, Django)
        "timeout": timeout,  # httpx (Starlette)
        **_config_client_kwargs(oauth, name),
        **(given or {}),
    }
    if openid:
        merged["scope"] = with_openid(merged.get("scope"))
    return merged


def _check_async_callbacks(oauth: Any, kwargs: Mapping[str, Any]) -> None:
    for key in ("update_token", "fetch_token"):
        for callback in (kwargs.get(key), getattr(oauth, key, None)):
            if callback is not None and not inspect.iscoroutinefunction(callback):
                raise KakaoConfigError(
                    f"{key} must be an 'async def' function on Starlette/FastAPI: Authlib awaits it "
                    f"and a plain function fails in the middle of a request."
                )


def _check_client_id(oauth: Any, name: str, kwargs: Mapping[str, Any]) -> None:
    """A client id from the keywords or the framework's config, when the config can be read now.

    Flask's ``OAuth`` before ``init_app`` cannot read it yet: the app checks at its first use.
    """
    if kwargs.get("client_id"):
        return
    try:
        config = oauth.framework_integration_cls.load_config(oauth, name, ["client_id"])
    except Exception:
        return
    if isinstance(config, Mapping) and not config.get("client_id"):
        raise KakaoConfigError(MISSING_CLIENT_ID.format(prefix=name.upper()))


def _is_registered(oauth: Any, name: str) -> bool:
    """Whether ``name`` is taken on ``oauth`` (Authlib would silently return the first app)."""
    if name in _REGISTERED.get(oauth, ()):
        return True
    try:
        return oauth.create_client(name) is not None
    except RuntimeError:  # Flask's OAuth before init_app cannot create clients yet
        return False


@overload
def register_kakao(
    oauth: flask_client.OAuth,
    name: str = ...,
    *,
    openid: bool = ...,
    kauth_url: str = ...,
    kapi_url: str = ...,
    issuer: str | None = ...,
    allowed_audiences: Iterable[str] = ...,
    timeout: float = ...,
    max_response_bytes: int = ...,
    refresh_lock: RefreshLock | None = ...,
    app_id: int | None = ...,
    **kwargs: Any,
) -> KakaoFlaskApp: ...
# mypy sees Authlib's untyped registries as Any (so these never match for it, and it infers Any);
# editors that read Authlib's source (pyright) pick the framework's class.
@overload
def register_kakao(  # type: ignore[overload-cannot-match]  # Authlib's registries are Any
    oauth: django_client.OAuth,
    name: str = ...,
    *,
    openid: bool = ...,
    kauth_url: str = ...,
    kapi_url: str = ...,
    issuer: str | None = ...,
    allowed_audiences: Iterable[str] = ...,
    timeout: float = ...,
    max_response_bytes: int = ...,
    refresh_lock: RefreshLock | None = ...,
    app_id: int | None = ...,
    **kwargs: Any,
) -> KakaoDjangoApp: ...
@overload
def register_kakao(  # type: ignore[overload-cannot-match]  # Authlib's registries are Any
    oauth: starlette_client.OAuth,
    name: str = ...,
    *,
    openid: bool = ...,
    kauth_url: str = ...,
    kapi_url: str = ...,
    issuer: str | None = ...,
    allowed_audiences: Iterable[str] = ...,
    timeout: float = ...,
    max_response_bytes: int = ...,
    refresh_lock: RefreshLock | None = ...,
    app_id: int | None = ...,
    **kwargs: Any,
) -> KakaoStarletteApp: ...
def register_kakao(
    oauth: Any,
    name: str = "kakao",
    *,
    openid: bool = False,
    kauth_url: str = KAUTH_URL,
    kapi_url: str = KAPI_URL,
    issuer: str | None = None,
    allowed_audiences: Iterable[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    refresh_lock: RefreshLock | None = None,
    app_id: int | None = None,
    **kwargs: Any,
) -> Any:
    """Register Kakao on Authlib's ``oauth`` registry (Flask, Django or Starlette) and return the app.

    Args:
        oauth: Authlib's ``OAuth`` from ``flask_client``, ``django_client`` or ``starlette_client``.
        name: the registry name; also the framework config prefix (``KAKAO_CLIENT_ID``).
        openid: use OpenID Connect: ask for ``openid`` and verify the id_token on login.
        kauth_url, kapi_url: Kakao's two hosts; point both at the emulator or a proxy.
        issuer: the id_token ``iss`` to expect (default Kakao's, also when the URLs change).
        allowed_audiences: further app keys (native, JavaScript) accepted as id_token ``aud``.
        timeout: seconds for each HTTP call as a whole: connect, send and the complete answer
            (a deadline, not requests'/httpx's per-read timeout).
        max_response_bytes: the largest answer read (decoded); larger ones raise
            ``KakaoResponseError`` unread.
        refresh_lock: a lock shared by every instance of the app
            (:class:`~authlib_kakao.refresh.RedisRefreshLock`), so that a refresh storm across
            processes makes one refresh grant; within a process that holds without it.
        app_id: the app's numeric id ([App] > [General]): ``login_with_sdk_token`` accepts only
            tokens issued to it.
        **kwargs: any other ``oauth.register`` keyword (``client_id``, ``client_secret``,
            ``update_token``, ``authorize_params``, ``client_kwargs`` — merged with ours, …).

    Returns:
        ``KakaoFlaskApp``, ``KakaoDjangoApp`` or ``KakaoStarletteApp`` (``authlib_kakao.integrations``):
        the framework's own Authlib app class extended with Kakao's behaviour, its settings in
        ``.settings``. Plain calls on Flask and Django, coroutines on Starlette.

    Raises:
        KakaoConfigError: the name is taken, an endpoint keyword would override ``kauth_url`` /
            ``kapi_url``, or a callback is sync where Authlib awaits it.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise KakaoConfigError(f"name= must be an identifier such as 'kakao', not {name!r}")
    overridden = [key for key in _ENDPOINT_KWARGS if key in kwargs]
    if overridden:
        raise KakaoConfigError(
            f"{', '.join(overridden)} cannot be set: every Kakao endpoint derives from "
            f"kauth_url= and kapi_url= (and the id_token issuer from issuer=); set those instead."
        )
    check_keywords(kwargs)
    for key in ("client_id", "client_secret"):
        check_app_key(key, kwargs.get(key))
    openid = check_flag("openid", openid)
    timeout = check_timeout(timeout)
    endpoints = KakaoEndpoints(
        check_url("kauth_url", kauth_url),
        check_url("kapi_url", kapi_url),
        KAKAO_ISSUER if issuer is None else check_url("issuer", issuer),
    )
    audiences = check_audiences(allowed_audiences)
    authorize_params = check_mapping("authorize_params", kwargs.pop("authorize_params", None))
    client_kwargs = check_mapping("client_kwargs", kwargs.get("client_kwargs"))
    warn_about_scopes(client_kwargs.get("scope"), authorize_params.get("scope"))
    _check_client_id(oauth, name, kwargs)
    if _is_registered(oauth, name):
        raise KakaoConfigError(
            f"{name!r} is already registered on this OAuth registry (Authlib would silently return "
            f"the first app); pass name= to register a second Kakao app."
        )
    from authlib_kakao.integrations import app_class

    bind_authlib_errors()  # errors.py loaded Authlib's errors module light; see there
    client_cls: Any = app_class(oauth.oauth2_client_cls)
    if inspect.iscoroutinefunction(client_cls.authorize_access_token):
        _check_async_callbacks(oauth, kwargs)
    settings = KakaoSettings(
        endpoints=endpoints,
        openid=bool(openid),
        allowed_audiences=audiences,
        authorize_params=authorize_params,
        max_response_bytes=check_size("max_response_bytes", max_response_bytes),
        app_id=None if app_id is None else check_size("app_id", app_id),
    )
    metadata = endpoints.oidc_metadata()
    registration: dict[str, Any] = {
        "authorize_url": endpoints.authorize_url,
        "access_token_url": endpoints.token_url,
        "api_base_url": endpoints.api_base_url,
        **{key: metadata[key] for key in _AUTHLIB_METADATA},
        **kwargs,
        "client_cls": client_cls,
        "kakao_settings": settings,
        "client_kwargs": _client_kwargs(oauth, name, client_kwargs, openid, timeout),
        "compliance_fix": _compliance_fix(kwargs.get("compliance_fix")),
        "kakao_refresher": Refresher(lock=refresh_lock, lease=timeout + _LEASE_MARGIN),
    }
    app = oauth.register(name, **registration)
    _REGISTERED.setdefault(oauth, set()).add(name)
    return app


# The OIDC metadata Authlib itself reads (issuer check, algorithms) and users may look up.
_AUTHLIB_METADATA = (
    "issuer",
    "jwks_uri",
    "userinfo_endpoint",
    "id_token_signing_alg_values_supported",
)
