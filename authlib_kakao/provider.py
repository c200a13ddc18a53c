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
* Token responses are normalised (``core.tokens``) by one sync hook that serves requests and httpx
  alike; a refresh without ``refresh_token`` keeps the old one and its expiry.
* An id_token is verified on login (``parse_id_token``) when ``openid`` was requested. An id_token
  that arrives although ``openid=False`` (OIDC switched on in the console) is **dropped** from the
  token: it was not asked for, carries no nonce of ours, and nothing should trust it by accident.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from authlib_kakao.core.endpoints import KAKAO_ISSUER, KAPI_URL, KAUTH_URL, KakaoEndpoints
from authlib_kakao.core.tokens import merge_refreshed_token, normalize_token_body
from authlib_kakao.errors import KakaoConfigError
from authlib_kakao.integrations.mixin import (
    AsyncKakaoAppMixin,
    KakaoAppMixin,
    KakaoSettings,
    with_openid,
)
from authlib_kakao.transport import DEFAULT_TIMEOUT, replace_json, to_http_response

__all__ = ["register_kakao"]

log = logging.getLogger(__name__)


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


def _token_hook(session: Any, settings: KakaoSettings, refresh: bool, resp: Any) -> Any:
    """Normalise a token-endpoint response in place, or raise the mapped Kakao error."""
    token = normalize_token_body(to_http_response(resp))
    if refresh:
        token = merge_refreshed_token(dict(session.token or {}), token)
    elif "id_token" in token and not settings.openid:
        del token["id_token"]
        log.debug("dropped an id_token that was not requested (register_kakao(openid=False))")
    return replace_json(resp, token)


def _compliance_fix(
    settings: KakaoSettings, user_fix: Callable[[Any], None] | None
) -> Callable[[Any], None]:
    def fix(session: Any) -> None:
        session.token_endpoint_auth_method = (
            "client_secret_post" if session.client_secret else "none"
        )
        for hook_type, refresh in (
            ("access_token_response", False),
            ("refresh_token_response", True),
        ):
            session.register_compliance_hook(
                hook_type, functools.partial(_token_hook, session, settings, refresh)
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
        timeout: seconds for every HTTP call.
        **kwargs: any other ``oauth.register`` keyword (``client_id``, ``client_secret``,
            ``update_token``, ``authorize_params``, ``client_kwargs`` — merged with ours, …).

    Returns:
        The framework's own Authlib app class extended with Kakao's behaviour: plain calls on Flask
        and Django, coroutines on Starlette.

    Raises:
        KakaoConfigError: the name is taken, or a callback is sync where Authlib awaits it.
    """
    if name in getattr(oauth, "_registry", {}):
        raise KakaoConfigError(
            f"{name!r} is already registered on this OAuth registry (Authlib would silently return "
            f"the first app); pass name= to register a second Kakao app."
        )
    base: Any = oauth.oauth2_client_cls
    is_async = inspect.iscoroutinefunction(base.authorize_access_token)
    if is_async:
        _check_async_callbacks(oauth, kwargs)
    endpoints = KakaoEndpoints(kauth_url, kapi_url, issuer or KAKAO_ISSUER)
    settings = KakaoSettings(
        endpoints=endpoints,
        openid=openid,
        allowed_audiences=tuple(allowed_audiences),
        authorize_params=dict(kwargs.pop("authorize_params", None) or {}),
    )
    mixin = AsyncKakaoAppMixin if is_async else KakaoAppMixin
    # A fresh class per registration: settings live on it, so two registrations never share them.
    client_cls = type(f"Kakao{base.__name__}", (mixin, base), {"kakao": settings})
    metadata = endpoints.oidc_metadata()
    registration: dict[str, Any] = {
        "authorize_url": endpoints.authorize_url,
        "access_token_url": endpoints.token_url,
        "api_base_url": endpoints.api_base_url,
        "issuer": metadata["issuer"],
        "jwks_uri": metadata["jwks_uri"],
        "userinfo_endpoint": metadata["userinfo_endpoint"],
        "id_token_signing_alg_values_supported": metadata["id_token_signing_alg_values_supported"],
        **kwargs,
        "client_cls": client_cls,
        "client_kwargs": _client_kwargs(oauth, name, kwargs.get("client_kwargs"), openid, timeout),
        "compliance_fix": _compliance_fix(settings, kwargs.get("compliance_fix")),
    }
    return oauth.register(name, **registration)
