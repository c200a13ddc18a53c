"""``KakaoAppBase``: what the sync and async Kakao apps share, with no I/O of its own.

Settings on the instance (``app.settings``), the app's connection to Kakao (``app.connection``: the
pool, the refresh coordination and the JWKS cache, handed to every Authlib session through
``client_kwargs``), the authorize parameters, how a call becomes Authlib's ``request`` keywords,
and Kakao's account-logout URL.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin

from authlib_kakao.core.messages import HTTPRequest
from authlib_kakao.errors import InvalidIDTokenError, KakaoConfigError
from authlib_kakao.http.connection import BaseConnection
from authlib_kakao.http.session import STORED_TOKEN
from authlib_kakao.refresh import Refresher
from authlib_kakao.settings import DEFAULT_TIMEOUT, MISSING_CLIENT_ID, KakaoSettings

__all__ = ["KakaoAppBase"]


class KakaoAppBase:
    """Logic shared by the sync and async faces; no I/O here."""

    _connection_cls: ClassVar[type[BaseConnection]]
    settings: KakaoSettings
    connection: BaseConnection
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
        super().__init__(*args, **kwargs)
        self.connection = self._connection_cls(
            self.settings,
            timeout=self._client_kwargs.get("timeout", DEFAULT_TIMEOUT),
            client_kwargs=self._client_kwargs,
            refresher=kakao_refresher or Refresher(),
        )
        document = self.server_metadata.get("jwks")
        if isinstance(document, Mapping):  # a JWKS given at registration (Authlib's ``jwks=``)
            self.connection.jwks.seed(document)

    # Authlib hands ``client_kwargs`` to every session it makes: the seam through which each
    # session gets the app's connection (pool, limits, refresher).
    @property
    def client_kwargs(self) -> dict[str, Any]:
        connection = getattr(self, "connection", None)
        return {**self._client_kwargs, **({"kakao_shared": connection} if connection else {})}

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
    def _request_kwargs(request: HTTPRequest, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """What Authlib's ``request`` takes for a bearer ``request``: the caller's
        ``token=``/``request=`` and the call's parameters (other calls the connection sends)."""
        sent: dict[str, Any] = dict(kwargs)
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

    def _refresh_session(self, token: Mapping[str, Any]) -> Any:
        oauth_client: Any = self._get_oauth_client(**self.server_metadata)  # type: ignore[attr-defined]  # Authlib's
        oauth_client.token = dict(token)
        return oauth_client
