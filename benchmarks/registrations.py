"""The registrations the scale benchmarks compare, against an emulator in another process.

* **ours**: ``register_kakao(oauth, ...)``, the one line the README shows;
* **bare** ("bare-documented"): Authlib's own ``oauth.register`` as its docs show it, written for
  Kakao after reading Kakao's docs: ``client_secret_post`` (Authlib's default, HTTP Basic, gets
  KOE010), ``api_base_url`` for ``get("v2/user/me")``, and for OIDC the scope ``openid`` plus
  ``jwks_uri`` and ``issuer`` given directly (no ``server_metadata_url``, so no discovery request).
  No PKCE, no timeouts, no size caps, and a new connection pool per call (Authlib builds a new
  session for every call): what a typical registration leaves out.
* **pooled** ("bare-pooled"): what a careful user writes in ~20 lines on top of that: PKCE
  (``code_challenge_method="S256"``), the secret in the body, a timeout, and one connection pool
  shared by every call: on requests one ``HTTPAdapter`` mounted on each per-call session (through
  the app's ``client_cls``; the adapter ignores the per-call ``close()``), on httpx one transport
  (``client_kwargs["transport"]``, likewise immune to the per-call ``aclose()``). No size caps and
  no whole-call deadline (requests' ``timeout`` bounds each socket read, not the call).

TLS: requests takes the CA's PEM path as ``verify``; httpx is given an ``ssl.SSLContext`` built once
per registration (httpx deprecates ``verify=<path>``, and a path is re-read by every client Authlib
creates, one per call).
"""

from __future__ import annotations

import os
import ssl
from typing import Any

from emulator_process import Coordinates

from authlib_kakao import register_kakao

__all__ = [
    "FLAVORS",
    "bare",
    "drop_ca_bundle_overrides",
    "ours",
    "pooled",
    "userinfo",
    "verify_kwargs",
]

KAKAO_ISSUER = "https://kauth.kakao.com"  # what Kakao (and the emulator) put in id_tokens


def drop_ca_bundle_overrides() -> None:
    """Forget ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` for this process.

    requests lets them override a session's own ``verify`` (psf/requests#3829), so Authlib's
    ``client_kwargs={"verify": ca_path}`` would be ignored and every HTTPS call to the emulator
    refused on machines that set them.
    """
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        os.environ.pop(name, None)


def verify_kwargs(
    emulator: Coordinates, is_async: bool, system_cas: bool = False
) -> dict[str, Any]:
    """``client_kwargs`` that make the HTTP library trust the emulator's CA (empty over HTTP).

    ``system_cas``: trust a file with the system's CAs plus the emulator's, given as a path to
    both libraries, which then load it for every client (httpx) or connection (requests) exactly
    as their default ``verify=True`` loads the system's CAs against the real Kakao.
    """
    if emulator.ca_path is None:
        return {}
    if system_cas:
        return {"verify": emulator.system_bundle}
    if is_async:
        return {"verify": ssl.create_default_context(cafile=emulator.ca_path)}
    return {"verify": emulator.ca_path}


def ours(
    oauth: Any,
    emulator: Coordinates,
    *,
    openid: bool = False,
    is_async: bool = False,
    system_cas: bool = False,
    name: str = "kakao",
    **extra: Any,
) -> Any:
    """``register_kakao`` against the emulator (``extra``: ``update_token``, ``refresh_lock``, ...)."""
    client_kwargs = verify_kwargs(emulator, is_async, system_cas)
    return register_kakao(
        oauth,
        name,
        openid=openid,
        kauth_url=emulator.url,
        kapi_url=emulator.url,
        client_id=emulator.client_id,
        client_secret=emulator.client_secret,
        **({"client_kwargs": client_kwargs} if client_kwargs else {}),
        **extra,
    )


def bare(
    oauth: Any,
    emulator: Coordinates,
    *,
    openid: bool = False,
    is_async: bool = False,
    system_cas: bool = False,
    name: str = "kakao",
    **extra: Any,
) -> Any:
    """Authlib's ``oauth.register`` for Kakao, written as a user would."""
    client_kwargs: dict[str, Any] = {
        "token_endpoint_auth_method": "client_secret_post",
        **verify_kwargs(emulator, is_async, system_cas),
    }
    return _register(oauth, name, emulator, client_kwargs, openid, **extra)


def _pooled_app_class(oauth: Any) -> Any:
    """The framework's Authlib app class with a session class that shares one ``HTTPAdapter``."""
    from authlib.integrations.requests_client import OAuth2Session
    from requests.adapters import HTTPAdapter

    class SharedAdapter(HTTPAdapter):
        def close(self) -> None:  # Authlib closes each per-call session; the pool stays
            pass

    adapter = SharedAdapter(pool_connections=4, pool_maxsize=32)

    class PooledSession(OAuth2Session):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.mount("https://", adapter)
            self.mount("http://", adapter)

    return type("PooledApp", (oauth.oauth2_client_cls,), {"client_cls": PooledSession})


def _shared_transport(emulator: Coordinates, system_cas: bool) -> Any:
    """One httpx transport (httpx2 where Authlib uses it) for every per-call client."""
    from authlib.integrations.httpx_client.oauth2_client import httpx2

    class SharedTransport(httpx2.AsyncHTTPTransport):
        # Authlib closes each per-call client (``async with``, so ``__aexit__``); the pool stays.
        async def __aexit__(self, *exc_info: Any) -> None:
            pass

        async def aclose(self) -> None:
            pass

    return SharedTransport(**verify_kwargs(emulator, is_async=True, system_cas=system_cas))


def pooled(
    oauth: Any,
    emulator: Coordinates,
    *,
    openid: bool = False,
    is_async: bool = False,
    system_cas: bool = False,
    name: str = "kakao",
    **extra: Any,
) -> Any:
    """Authlib's ``oauth.register`` for Kakao, written by a careful user: PKCE, the secret in the
    body, a timeout, one connection pool shared by every call."""
    client_kwargs: dict[str, Any] = {
        "token_endpoint_auth_method": "client_secret_post",
        "code_challenge_method": "S256",
    }
    app_class: dict[str, Any] = {}
    if is_async:
        client_kwargs["transport"] = _shared_transport(emulator, system_cas)
        client_kwargs["timeout"] = 10.0
    else:
        client_kwargs.update(verify_kwargs(emulator, is_async=False, system_cas=system_cas))
        client_kwargs["default_timeout"] = 10.0
        app_class["client_cls"] = _pooled_app_class(oauth)
    return _register(oauth, name, emulator, client_kwargs, openid, **app_class, **extra)


def _register(
    oauth: Any,
    name: str,
    emulator: Coordinates,
    client_kwargs: dict[str, Any],
    openid: bool,
    **extra: Any,
) -> Any:
    """Both bare registrations' ``oauth.register``: Kakao's endpoints, and for OIDC its JWKS and
    issuer (Authlib reads no discovery for them)."""
    url = emulator.url
    oidc: dict[str, Any] = {}
    if openid:
        client_kwargs["scope"] = "openid"
        oidc = {"jwks_uri": f"{url}/.well-known/jwks.json", "issuer": KAKAO_ISSUER}
    return oauth.register(
        name,
        client_id=emulator.client_id,
        client_secret=emulator.client_secret,
        authorize_url=f"{url}/oauth/authorize",
        access_token_url=f"{url}/oauth/token",
        api_base_url=f"{url}/",
        client_kwargs=client_kwargs,
        **oidc,
        **extra,
    )


FLAVORS = {"ours": ours, "pooled": pooled, "bare": bare}


def userinfo(flavor: str, kakao: Any, token: Any) -> Any:
    """The profile call each flavor makes after login (sync): ours ``userinfo``, bare ``get``."""
    if flavor == "ours":
        return kakao.userinfo(token=token)
    resp = kakao.get("v2/user/me", token=token)
    resp.raise_for_status()
    return resp.json()


async def userinfo_async(flavor: str, kakao: Any, token: Any) -> Any:
    """The profile call each flavor makes after login (Starlette)."""
    if flavor == "ours":
        return await kakao.userinfo(token=token)
    resp = await kakao.get("v2/user/me", token=token)
    resp.raise_for_status()
    return resp.json()
