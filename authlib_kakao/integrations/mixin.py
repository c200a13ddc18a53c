"""What every framework's Kakao app adds to Authlib's own app class, and to its HTTP session.

``KakaoFlaskApp`` is ``KakaoAppMixin`` + Authlib's ``FlaskOAuth2App`` (likewise Django; Starlette
takes ``AsyncKakaoAppMixin``), so everything Authlib users know keeps working. Kakao calls are core
flows driven by one pump per face: each Kakao method is written once in ``user_api`` and served by
both faces (``faces.blocking`` / ``faces.awaited``); what differs is only how a face sends.

Seams used, all Authlib's own: the ``client_cls`` class attribute (our session class), the session's
``parse_response_token`` (token normalisation and the refresh merge), ``compliance_fix`` (client
authentication), and ``request(...)`` for the user-token calls; everything else (the JWKS, a single flight for it)
is the app's connection's (``app.connection``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from authlib.integrations.base_client.errors import InvalidTokenError, OAuthError
from authlib.oauth2.rfc6749.errors import MissingCodeException

from authlib_kakao.core.messages import HTTPRequest, HTTPResponse
from authlib_kakao.core.responses import redirect_error
from authlib_kakao.errors import (
    InvalidAccessTokenError,
)
from authlib_kakao.faces import Bound, awaited, blocking
from authlib_kakao.http.connection import AsyncKakaoConnection, KakaoConnection
from authlib_kakao.http.transport import to_http_response, transport_errors
from authlib_kakao.integrations import user_api
from authlib_kakao.integrations.base import KakaoAppBase

__all__ = ["AsyncKakaoAppMixin", "KakaoAppMixin"]

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


class KakaoAppMixin(KakaoAppBase):
    """The Kakao face of a Flask or Django Authlib app (blocking calls over requests)."""

    _connection_cls = KakaoConnection
    connection: KakaoConnection

    def authorize_access_token(self, *args: Any, **kwargs: Any) -> Any:
        with redirect_errors():
            return self._checked_login(super().authorize_access_token(*args, **kwargs))  # type: ignore[misc]  # Authlib's app: untyped

    def request(self, method: str, url: str, token: Any = None, **kwargs: Any) -> Any:
        with transport_errors(method, self._absolute(url)), token_errors(), self._store(kwargs):
            return super().request(method, url, token=token, **kwargs)  # type: ignore[misc]  # Authlib's app: untyped

    def fetch_access_token(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        with transport_errors("POST", self.access_token_url):
            return super().fetch_access_token(redirect_uri, **kwargs)  # type: ignore[misc]  # Authlib's app: untyped

    def refresh_token(self, token: Mapping[str, Any]) -> dict[str, Any]:
        """Refresh ``token`` now; the new token (the old refresh token kept if Kakao sent none)
        also reaches ``update_token``."""
        with transport_errors("POST", self.access_token_url), self._refresh_session(token) as s:
            return dict(
                s.refresh_token(self.access_token_url, refresh_token=token.get("refresh_token"))
            )

    def close(self) -> None:
        """Close the app's pooled connections (at shutdown; a later call opens new ones)."""
        self.connection.close()

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
    talk_channels = blocking(user_api.talk_channels)
    login_with_sdk_token = blocking(user_api.login_with_sdk_token)

    def _run(self, bound: Bound[T]) -> T:
        def bearer(request: HTTPRequest) -> HTTPResponse:
            sent = self._request_kwargs(request, bound.send_kwargs)
            return to_http_response(self.request(request.method, request.url, **sent))

        return self.connection.run(bound.flow, bearer)


class AsyncKakaoAppMixin(KakaoAppBase):
    """The Kakao face of a Starlette/FastAPI Authlib app (awaited calls over httpx)."""

    _connection_cls = AsyncKakaoConnection
    connection: AsyncKakaoConnection

    async def authorize_access_token(self, *args: Any, **kwargs: Any) -> Any:
        with redirect_errors():
            return self._checked_login(await super().authorize_access_token(*args, **kwargs))  # type: ignore[misc]  # Authlib's app: untyped

    async def request(self, method: str, url: str, token: Any = None, **kwargs: Any) -> Any:
        with transport_errors(method, self._absolute(url)), token_errors(), self._store(kwargs):
            return await super().request(method, url, token=token, **kwargs)  # type: ignore[misc]  # Authlib's app: untyped

    async def fetch_access_token(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        with transport_errors("POST", self.access_token_url):
            return await super().fetch_access_token(redirect_uri, **kwargs)  # type: ignore[misc]  # Authlib's app: untyped

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
        await self.connection.close()

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
    talk_channels = awaited(user_api.talk_channels)
    login_with_sdk_token = awaited(user_api.login_with_sdk_token)

    async def _run(self, bound: Bound[T]) -> T:
        async def bearer(request: HTTPRequest) -> HTTPResponse:
            sent = self._request_kwargs(request, bound.send_kwargs)
            return to_http_response(await self.request(request.method, request.url, **sent))

        return await self.connection.run(bound.flow, bearer)
