"""What every framework's Kakao app adds to Authlib's own app class.

``register_kakao`` builds ``type(..., (KakaoAppMixin, FlaskOAuth2App), ...)`` (or Django's, or
``AsyncKakaoAppMixin`` with Starlette's), so everything Authlib users know keeps working. The shared
logic lives in :class:`_KakaoBase` and the core; the sync and async faces differ only in how they
send (one-line delegations, compared by ``tests/test_public_api.py``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.integrations.base_client.errors import OAuthError
from authlib.oidc.core import UserInfo

from authlib_kakao.core.claims import normalize_userinfo
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.flows import id_token_flow
from authlib_kakao.core.responses import HTTPResponse, parse_kapi
from authlib_kakao.errors import KakaoAuthError
from authlib_kakao.transport import pump, pump_async, to_http_response, transport_errors

__all__ = ["AsyncKakaoAppMixin", "KakaoAppMixin", "KakaoSettings", "with_openid"]


def with_openid(scope: object) -> str:
    """``scope`` (a string with commas or spaces, or a list) as a space-separated string with ``openid``."""
    if isinstance(scope, (list, tuple)):
        items = [str(item) for item in scope]
    else:
        items = str(scope or "").replace(",", " ").split()
    return " ".join(items if "openid" in items else ["openid", *items])


@dataclass(frozen=True)
class KakaoSettings:
    """One registration's Kakao settings, stored on the app class built for that registration."""

    endpoints: KakaoEndpoints
    openid: bool = False
    allowed_audiences: tuple[str, ...] = ()
    authorize_params: Mapping[str, Any] = field(default_factory=dict)

    def authorize_kwargs(self, per_call: Mapping[str, Any]) -> dict[str, Any]:
        """Registered ``authorize_params`` under per-call ones (Authlib does the reverse)."""
        merged = {**self.authorize_params, **per_call}
        if self.openid and "scope" in merged:
            # Kakao issues no new id_token for a consent request without `openid`.
            merged["scope"] = with_openid(merged["scope"])
        return merged


@contextmanager
def redirect_errors() -> Iterator[None]:
    """Kakao's ``?error=`` callbacks (Cancel, ``prompt=none`` refusals) as :class:`KakaoAuthError`.

    Authlib raises a bare ``OAuthError`` for them; its subclasses (``MismatchingStateError``, …) and
    our own errors pass through unchanged.
    """
    try:
        yield
    except OAuthError as exc:
        if type(exc) is not OAuthError:
            raise
        raise KakaoAuthError(exc.error, exc.description) from None


class _KakaoBase:
    """Logic shared by the sync and async faces; no I/O here."""

    kakao: ClassVar[KakaoSettings]
    client_id: str
    access_token_url: str
    server_metadata: dict[str, Any]

    def create_authorization_url(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        """Authlib's, with per-call ``prompt``/``scope``/``login_hint``/``service_terms`` winning."""
        parent: Any = super()
        return parent.create_authorization_url(redirect_uri, **self.kakao.authorize_kwargs(kwargs))

    def _id_token_flow(self, token: Mapping[str, Any], nonce: str | None, leeway: int) -> Any:
        return id_token_flow(
            str(token["id_token"]),
            jwks=self.server_metadata.get("jwks"),
            jwks_uri=self.kakao.endpoints.jwks_uri,
            issuer=self.kakao.endpoints.issuer,
            audiences=(self.client_id, *self.kakao.allowed_audiences),
            nonce=nonce,
            leeway=leeway,
        )

    def _id_token_result(self, result: tuple[dict[str, Any], dict[str, Any] | None]) -> UserInfo:
        claims, fetched = result
        if fetched is not None:
            self.server_metadata["jwks"] = fetched  # Authlib's own JWKS cache slot
        return UserInfo(claims)

    def _plain_session(self) -> Any:
        """A token-less session for the JWKS (Authlib 1.7+ has ``_get_session``; 1.6 has not)."""
        session = self.client_cls(**self.client_kwargs)  # type: ignore[attr-defined]
        agent = getattr(self, "_user_agent", None)
        if agent:
            session.headers["User-Agent"] = agent
        return session

    @staticmethod
    def _userinfo_result(resp: Any) -> UserInfo:
        return UserInfo(normalize_userinfo(parse_kapi(to_http_response(resp))))


class KakaoAppMixin(_KakaoBase):
    """The Kakao face of a Flask or Django Authlib app (blocking calls over requests)."""

    def authorize_access_token(self, *args: Any, **kwargs: Any) -> Any:
        with redirect_errors():
            return super().authorize_access_token(*args, **kwargs)  # type: ignore[misc]

    def request(self, method: str, url: str, token: Any = None, **kwargs: Any) -> Any:
        with transport_errors():
            return super().request(method, url, token=token, **kwargs)  # type: ignore[misc]

    def fetch_access_token(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        with transport_errors():
            return super().fetch_access_token(redirect_uri, **kwargs)  # type: ignore[misc]

    def refresh_token(self, token: Mapping[str, Any]) -> dict[str, Any]:
        """Refresh ``token`` now; the new token (old refresh token kept if Kakao sent none) also
        reaches ``update_token``."""
        with transport_errors(), self._get_oauth_client(**self.load_server_metadata()) as session:  # type: ignore[attr-defined]
            session.token = dict(token)
            return dict(
                session.refresh_token(
                    self.access_token_url, refresh_token=token.get("refresh_token")
                )
            )

    def userinfo(self, **kwargs: Any) -> UserInfo:
        """The user's profile from ``/v2/user/me`` as OpenID Connect claims (``sub``, ``nickname``, ...)."""
        return self._userinfo_result(self.get(self.kakao.endpoints.userinfo_url, **kwargs))  # type: ignore[attr-defined]

    def parse_id_token(
        self,
        token: Mapping[str, Any],
        nonce: str | None,
        claims_options: Any = None,
        claims_cls: Any = None,
        leeway: int = 120,
    ) -> UserInfo:
        """Verify the login's id_token (signature, iss, aud, exp, nonce) and return its claims."""
        return self._id_token_result(pump(self._id_token_flow(token, nonce, leeway), self._get_url))

    def _get_url(self, url: str) -> HTTPResponse:
        with transport_errors(), self._plain_session() as session:
            return to_http_response(session.request("GET", url, withhold_token=True))


class AsyncKakaoAppMixin(_KakaoBase):
    """The Kakao face of a Starlette/FastAPI Authlib app (awaited calls over httpx)."""

    async def authorize_access_token(self, *args: Any, **kwargs: Any) -> Any:
        with redirect_errors():
            return await super().authorize_access_token(*args, **kwargs)  # type: ignore[misc]

    async def request(self, method: str, url: str, token: Any = None, **kwargs: Any) -> Any:
        with transport_errors():
            return await super().request(method, url, token=token, **kwargs)  # type: ignore[misc]

    async def fetch_access_token(self, redirect_uri: str | None = None, **kwargs: Any) -> Any:
        with transport_errors():
            return await super().fetch_access_token(redirect_uri, **kwargs)  # type: ignore[misc]

    async def refresh_token(self, token: Mapping[str, Any]) -> dict[str, Any]:
        """Refresh ``token`` now; the new token (old refresh token kept if Kakao sent none) also
        reaches ``update_token``."""
        with transport_errors():
            async with self._get_oauth_client(**await self.load_server_metadata()) as session:  # type: ignore[attr-defined]
                session.token = dict(token)
                return dict(
                    await session.refresh_token(
                        self.access_token_url, refresh_token=token.get("refresh_token")
                    )
                )

    async def userinfo(self, **kwargs: Any) -> UserInfo:
        """The user's profile from ``/v2/user/me`` as OpenID Connect claims (``sub``, ``nickname``, ...)."""
        return self._userinfo_result(await self.get(self.kakao.endpoints.userinfo_url, **kwargs))  # type: ignore[attr-defined]

    async def parse_id_token(
        self,
        token: Mapping[str, Any],
        nonce: str | None,
        claims_options: Any = None,
        claims_cls: Any = None,
        leeway: int = 120,
    ) -> UserInfo:
        """Verify the login's id_token (signature, iss, aud, exp, nonce) and return its claims."""
        return self._id_token_result(
            await pump_async(self._id_token_flow(token, nonce, leeway), self._get_url)
        )

    async def _get_url(self, url: str) -> HTTPResponse:
        with transport_errors():
            async with self._plain_session() as session:
                return to_http_response(await session.request("GET", url, withhold_token=True))
