"""What every framework's Kakao app adds to Authlib's own app class, and to its HTTP session.

``KakaoFlaskApp`` is ``KakaoAppMixin`` + Authlib's ``FlaskOAuth2App`` (likewise Django; Starlette
takes ``AsyncKakaoAppMixin``), so everything Authlib users know keeps working. Kakao calls are core
flows driven by one pump per face: each Kakao method is written once in ``user_api`` and served by
both faces (``faces.blocking`` / ``faces.awaited``); what differs is only how a face sends.

Seams used, all Authlib's own: the ``client_cls`` class attribute (our session class), the session's
``parse_response_token`` (token normalisation and the refresh merge), ``compliance_fix`` (client
authentication), ``request(..., withhold_token=True)`` for unauthenticated calls, and
``server_metadata["jwks"]`` as the JWKS cache.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode, urljoin

from authlib.integrations.base_client.errors import InvalidTokenError, OAuthError
from authlib.oauth2.rfc6749.errors import MissingCodeException

from authlib_kakao.core.flows import Flow
from authlib_kakao.core.http import HTTPRequest, HTTPResponse
from authlib_kakao.core.id_token import ParsedJWKS, parse_jwks_document
from authlib_kakao.core.responses import redirect_error
from authlib_kakao.errors import (
    InvalidAccessTokenError,
    InvalidIDTokenError,
    KakaoConfigError,
)
from authlib_kakao.faces import Bound, awaited, blocking
from authlib_kakao.integrations import user_api
from authlib_kakao.integrations.session import STORED_TOKEN, AppShared
from authlib_kakao.pool import ConnectionPool
from authlib_kakao.refresh import Refresher
from authlib_kakao.settings import MISSING_CLIENT_ID, KakaoSettings
from authlib_kakao.singleflight import AsyncSingleFlight, SingleFlight
from authlib_kakao.transport import (
    pump,
    pump_async,
    to_http_response,
    transport_errors,
)

__all__ = ["AsyncKakaoAppMixin", "KakaoAppBase", "KakaoAppMixin"]

T = TypeVar("T")


@contextmanager
def redirect_errors() -> Iterator[None]:
    """Kakao's ``?error=`` callbacks (Cancel, ``prompt=none`` refusals) as :class:`KakaoAuthError`.

    Authlib raises a bare ``OAuthError`` for them, and ``MissingCodeException`` (not an
    ``OAuthError``) for a callback without ``code``, which any visitor can send; its other errors
    (``MismatchingStateError``, …) and our own pass through unchanged.
    """
    try:
        yield
    except MissingCodeException:
        raise redirect_error(
            "missing_code", "the callback carries neither a code nor an error"
        ) from None
    except OAuthError as exc:
        if type(exc) is not OAuthError:
            raise
        raise redirect_error(exc.error, exc.description) from None


@contextmanager
def token_errors() -> Iterator[None]:
    """Authlib's ``InvalidTokenError`` (expired, nothing to refresh with) as ours, with what to do."""
    try:
        yield
    except InvalidTokenError:
        raise InvalidAccessTokenError(
            "the access token has expired and the token has no refresh_token to renew it",
            hint="Log the user in again; store the whole token Kakao returns (with refresh_token) "
            "and pass it back with update_token/fetch_token.",
        ) from None


class KakaoAppBase:
    """Logic shared by the sync and async faces; no I/O here."""

    _flights_cls: ClassVar[type[Any]]
    settings: KakaoSettings
    name: str
    _fetch_token: Any
    client_id: str
    access_token_url: str
    api_base_url: str | None
    server_metadata: dict[str, Any]

    def __init__(
        self,
        *args: Any,
        kakao_settings: KakaoSettings | None = None,
        kakao_refresher: Refresher | None = None,
        **kwargs: Any,
    ) -> None:
        self.settings = kakao_settings or KakaoSettings()
        self._jwks: ParsedJWKS | None = None
        self._flights = self._flights_cls()
        super().__init__(*args, **kwargs)
        self._shared = AppShared(
            self.settings, ConnectionPool(self._client_kwargs), kakao_refresher or Refresher()
        )

    # Authlib hands ``client_kwargs`` to every session it makes: the seam through which each
    # session gets the app's pool and refresher.
    @property
    def client_kwargs(self) -> dict[str, Any]:
        shared = getattr(self, "_shared", None)
        return {**self._client_kwargs, **({"kakao_shared": shared} if shared else {})}

    @client_kwargs.setter
    def client_kwargs(self, value: Any) -> None:
        self._client_kwargs: dict[str, Any] = dict(value or {})

    def create_authorization_url(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        """Authlib's, with per-call ``prompt``/``scope``/``login_hint``/``service_terms`` winning."""
        if not self.client_id:  # configuration Authlib loaded lazily (Flask's init_app)
            raise KakaoConfigError(MISSING_CLIENT_ID.format(prefix=str(self.name).upper()))
        parent: Any = super()
        return parent.create_authorization_url(
            redirect_uri, **self.settings.authorize_kwargs(kwargs)
        )

    def _checked_login(self, token: Any) -> Any:
        """The login's token, refused when OIDC is on and no id_token was verified."""
        if self.settings.openid and "userinfo" not in token:
            # Authlib verifies only an id_token that is there (and only with a nonce): without
            # this check a token answer stripped of its id_token would log the user in unverified.
            raise InvalidIDTokenError(
                "the login answered no id_token to verify, although register_kakao(openid=True)",
                hint="Switch OpenID Connect on under [Kakao Login] > [OpenID Connect], or "
                "register with openid=False if the app does not use it.",
            )
        return token

    @contextmanager
    def _store(self, kwargs: Mapping[str, Any]) -> Iterator[None]:
        """While a call runs, a refresh can read what the app's token store holds now."""
        framework_request = kwargs.get("request")
        reset = STORED_TOKEN.set(lambda: self._stored_token(framework_request))
        try:
            yield
        finally:
            STORED_TOKEN.reset(reset)

    def _stored_token(self, request: Any) -> Any:
        raise NotImplementedError  # each face reads the store its framework's way

    def _absolute(self, url: str) -> str:
        if self.api_base_url and not url.startswith(("https://", "http://")):
            return urljoin(self.api_base_url, url)
        return url

    @staticmethod
    def _flight_key(request: HTTPRequest) -> Hashable | None:
        """Unauthenticated GETs (the JWKS) are shared by concurrent callers: 200 first logins at
        once make one JWKS request, not 200."""
        return request.url if request.auth == "none" and request.method == "GET" else None

    @staticmethod
    def _request_kwargs(request: HTTPRequest, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """What Authlib's ``request`` takes for ``request``: bearer calls carry the caller's
        ``token=``/``request=``, others withhold any token."""
        sent: dict[str, Any] = (
            dict(kwargs) if request.auth == "bearer" else {"withhold_token": True}
        )
        if request.query:
            sent["params"] = dict(request.query)
        if request.form:
            sent["data"] = dict(request.form)
        if request.headers:
            sent["headers"] = dict(request.headers)
        return sent

    def _audiences(self) -> tuple[str, ...]:
        """App keys accepted as id_token ``aud``: the REST API key and ``allowed_audiences``."""
        return (self.client_id, *self.settings.allowed_audiences)

    def _caching_jwks(
        self, flow: Flow[tuple[dict[str, Any], ParsedJWKS | None]]
    ) -> Flow[dict[str, Any]]:
        """``flow``'s claims; a JWKS it fetched becomes the cache (parsed, and in Authlib's slot)."""
        claims, fetched = yield from flow
        if fetched is not None:
            self._jwks = fetched
            self.server_metadata["jwks"] = fetched.document
        return claims

    def logout_url(self, logout_redirect_uri: str, state: str | None = None) -> str:
        """Kakao-account logout (``/oauth/logout``): ends the user's Kakao web session, not the
        app's tokens; Kakao then redirects to ``logout_redirect_uri`` (registered under [Kakao
        Login] > [Logout Redirect URI], else KOE007) with ``state``."""
        params = {"client_id": self.client_id, "logout_redirect_uri": logout_redirect_uri}
        if state is not None:
            params["state"] = state
        return f"{self.settings.endpoints.kauth('/oauth/logout')}?{urlencode(params)}"

    def _logout(self, post_logout_redirect_uri: str | None, state: str | None) -> dict[str, Any]:
        """Authlib's ``create_logout_url`` result (``{"url", "state"}``) for Kakao's logout, which
        takes ``logout_redirect_uri`` and ``client_id`` where OIDC has ``post_logout_redirect_uri``
        (Kakao publishes no ``end_session_endpoint``)."""
        if not post_logout_redirect_uri:
            raise KakaoConfigError(
                "Kakao's account logout needs a logout_redirect_uri (registered under "
                "[Kakao Login] > [Logout Redirect URI])"
            )
        state = state or secrets.token_urlsafe(20)
        return {"url": self.logout_url(post_logout_redirect_uri, state), "state": state}

    def _cached_jwks(self) -> ParsedJWKS | None:
        """The JWKS parsed once: ours, or a document someone put in Authlib's slot (``jwks=``)."""
        document = self.server_metadata.get("jwks")
        if document is None:
            return None
        if self._jwks is None or self._jwks.document is not document:
            self._jwks = parse_jwks_document(document)
        return self._jwks

    def _refresh_session(self, token: Mapping[str, Any]) -> Any:
        oauth_client: Any = self._get_oauth_client(**self.server_metadata)  # type: ignore[attr-defined]
        oauth_client.token = dict(token)
        return oauth_client


class KakaoAppMixin(KakaoAppBase):
    """The Kakao face of a Flask or Django Authlib app (blocking calls over requests)."""

    _flights_cls = SingleFlight

    def authorize_access_token(self, *args: Any, **kwargs: Any) -> Any:
        with redirect_errors():
            return self._checked_login(super().authorize_access_token(*args, **kwargs))  # type: ignore[misc]

    def request(self, method: str, url: str, token: Any = None, **kwargs: Any) -> Any:
        with transport_errors(method, self._absolute(url)), token_errors(), self._store(kwargs):
            return super().request(method, url, token=token, **kwargs)  # type: ignore[misc]

    def fetch_access_token(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        with transport_errors("POST", self.access_token_url):
            return super().fetch_access_token(redirect_uri, **kwargs)  # type: ignore[misc]

    def refresh_token(self, token: Mapping[str, Any]) -> dict[str, Any]:
        """Refresh ``token`` now; the new token (the old refresh token kept if Kakao sent none)
        also reaches ``update_token``."""
        with transport_errors("POST", self.access_token_url), self._refresh_session(token) as s:
            return dict(
                s.refresh_token(self.access_token_url, refresh_token=token.get("refresh_token"))
            )

    def close(self) -> None:
        """Close the app's pooled connections (at shutdown; a later call opens new ones)."""
        self._shared.pool.close()

    def create_logout_url(
        self,
        post_logout_redirect_uri: str | None = None,
        id_token_hint: str | None = None,
        state: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Kakao-account logout as Authlib's RP-initiated logout: ``{"url", "state"}``
        (``id_token_hint`` is not used by Kakao)."""
        return self._logout(post_logout_redirect_uri, state)

    def _stored_token(self, request: Any) -> Any:
        # Django's fetch_token(request); Flask's app overrides this (fetch_token() with no request).
        return self._fetch_token(request) if self._fetch_token and request is not None else None

    userinfo = blocking(user_api.userinfo)
    parse_id_token = blocking(user_api.parse_id_token)
    me = blocking(user_api.me)
    token_info = blocking(user_api.token_info)
    logout = blocking(user_api.logout)
    unlink = blocking(user_api.unlink)
    update_profile = blocking(user_api.update_profile)
    signup = blocking(user_api.signup)
    scopes = blocking(user_api.scopes)
    revoke_scopes = blocking(user_api.revoke_scopes)
    service_terms = blocking(user_api.service_terms)
    revoke_service_terms = blocking(user_api.revoke_service_terms)
    upgrade_service_terms = blocking(user_api.upgrade_service_terms)
    missing_service_terms = blocking(user_api.missing_service_terms)
    shipping_addresses = blocking(user_api.shipping_addresses)
    login_with_sdk_token = blocking(user_api.login_with_sdk_token)

    def _run(self, bound: Bound[T]) -> T:
        return pump(bound.flow, lambda request: self._send(request, bound.send_kwargs))

    def _send(self, request: HTTPRequest, kwargs: Mapping[str, Any]) -> HTTPResponse:
        def send() -> HTTPResponse:
            sent = self._request_kwargs(request, kwargs)
            return to_http_response(self.request(request.method, request.url, **sent))

        key = self._flight_key(request)
        return send() if key is None else self._flights.do(key, send)


class AsyncKakaoAppMixin(KakaoAppBase):
    """The Kakao face of a Starlette/FastAPI Authlib app (awaited calls over httpx)."""

    _flights_cls = AsyncSingleFlight

    async def authorize_access_token(self, *args: Any, **kwargs: Any) -> Any:
        with redirect_errors():
            return self._checked_login(await super().authorize_access_token(*args, **kwargs))  # type: ignore[misc]

    async def request(self, method: str, url: str, token: Any = None, **kwargs: Any) -> Any:
        with transport_errors(method, self._absolute(url)), token_errors(), self._store(kwargs):
            return await super().request(method, url, token=token, **kwargs)  # type: ignore[misc]

    async def fetch_access_token(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        with transport_errors("POST", self.access_token_url):
            return await super().fetch_access_token(redirect_uri, **kwargs)  # type: ignore[misc]

    async def refresh_token(self, token: Mapping[str, Any]) -> dict[str, Any]:
        """Refresh ``token`` now; the new token (the old refresh token kept if Kakao sent none)
        also reaches ``update_token``."""
        with transport_errors("POST", self.access_token_url):
            async with self._refresh_session(token) as s:
                return dict(
                    await s.refresh_token(
                        self.access_token_url, refresh_token=token.get("refresh_token")
                    )
                )

    async def close(self) -> None:
        """Close the app's pooled connections of this event loop (also done when it shuts down)."""
        await self._shared.pool.aclose()

    async def create_logout_url(
        self,
        post_logout_redirect_uri: str | None = None,
        id_token_hint: str | None = None,
        state: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Kakao-account logout as Authlib's RP-initiated logout: ``{"url", "state"}``
        (``id_token_hint`` is not used by Kakao)."""
        return self._logout(post_logout_redirect_uri, state)

    async def _stored_token(self, request: Any) -> Any:
        return (
            await self._fetch_token(request) if self._fetch_token and request is not None else None
        )

    userinfo = awaited(user_api.userinfo)
    parse_id_token = awaited(user_api.parse_id_token)
    me = awaited(user_api.me)
    token_info = awaited(user_api.token_info)
    logout = awaited(user_api.logout)
    unlink = awaited(user_api.unlink)
    update_profile = awaited(user_api.update_profile)
    signup = awaited(user_api.signup)
    scopes = awaited(user_api.scopes)
    revoke_scopes = awaited(user_api.revoke_scopes)
    service_terms = awaited(user_api.service_terms)
    revoke_service_terms = awaited(user_api.revoke_service_terms)
    upgrade_service_terms = awaited(user_api.upgrade_service_terms)
    missing_service_terms = awaited(user_api.missing_service_terms)
    shipping_addresses = awaited(user_api.shipping_addresses)
    login_with_sdk_token = awaited(user_api.login_with_sdk_token)

    async def _run(self, bound: Bound[T]) -> T:
        return await pump_async(bound.flow, lambda request: self._send(request, bound.send_kwargs))

    async def _send(self, request: HTTPRequest, kwargs: Mapping[str, Any]) -> HTTPResponse:
        async def send() -> HTTPResponse:
            sent = self._request_kwargs(request, kwargs)
            return to_http_response(await self.request(request.method, request.url, **sent))

        key = self._flight_key(request)
        return await send() if key is None else await self._flights.do(key, send)
