"""Kakao on Starlette/FastAPI: what ``register_kakao`` returns for
``authlib.integrations.starlette_client.OAuth``."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar, cast

from authlib.integrations.starlette_client import StarletteOAuth2App

from authlib_kakao.errors import ConsentRequiredError
from authlib_kakao.http.httpx_session import AsyncKakaoOAuth2Client
from authlib_kakao.integrations.mixin import AsyncKakaoAppMixin

__all__ = ["KakaoStarletteApp", "consent_exception_handler", "require_consent"]

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class KakaoStarletteApp(AsyncKakaoAppMixin, StarletteOAuth2App):  # type: ignore[misc]  # Authlib: untyped
    """Authlib's ``StarletteOAuth2App`` with Kakao's behaviour; every call is awaited."""

    client_cls = AsyncKakaoOAuth2Client

    async def consent_redirect(
        self, request: Any, redirect_uri: str, scopes: Iterable[str], **kwargs: Any
    ) -> Any:
        """Send the user to agree to more consent items (``ConsentRequiredError.required_scopes``);
        the answer comes back to ``redirect_uri`` like a login (``openid`` is kept with OIDC)."""
        scope = ",".join(scopes)
        return await self.authorize_redirect(request, redirect_uri, scope=scope, **kwargs)

    async def logout_redirect(
        self,
        request: Any,
        post_logout_redirect_uri: str | None = None,
        id_token_hint: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Redirect to Kakao's account logout, then to ``post_logout_redirect_uri``; the state is
        kept for Authlib's ``validate_logout_response``."""
        from starlette.responses import RedirectResponse

        uri = str(post_logout_redirect_uri) if post_logout_redirect_uri else None
        result = await self.create_logout_url(uri, id_token_hint, **kwargs)
        data = {"post_logout_redirect_uri": uri}
        await self.framework.set_state_data(request.session, result["state"], data)
        # 303: after a logout form's POST the browser must GET Kakao's logout page (307 would POST).
        return RedirectResponse(result["url"], status_code=303)


def consent_exception_handler(
    kakao: KakaoStarletteApp, redirect_uri: str | Callable[[Any], str]
) -> Callable[[Any, Exception], Awaitable[Any]]:
    """An exception handler: ``ConsentRequiredError`` (-402) from any route answers with the
    redirect that asks the user for the missing consent items.

    ``app.add_exception_handler(ConsentRequiredError, consent_exception_handler(kakao, uri))``;
    ``redirect_uri`` is the login callback or a function of the request giving it
    (``request.url_for("auth")``).
    """

    async def handle(request: Any, exc: Exception) -> Any:
        if not isinstance(exc, ConsentRequiredError):
            raise exc
        uri = redirect_uri(request) if callable(redirect_uri) else redirect_uri
        return await kakao.consent_redirect(request, str(uri), exc.required_scopes)

    return handle


def require_consent(
    kakao: KakaoStarletteApp, redirect_uri: str | Callable[[Any], str]
) -> Callable[[F], F]:
    """An endpoint decorator: an endpoint that raises ``ConsentRequiredError`` answers with the
    consent redirect. The endpoint must take the ``request`` (by that name, as FastAPI passes it).
    """

    def decorate(endpoint: F) -> F:
        @functools.wraps(endpoint)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return await endpoint(*args, **kwargs)
            except ConsentRequiredError as exc:
                request = kwargs.get("request", args[0] if args else None)
                uri = redirect_uri(request) if callable(redirect_uri) else redirect_uri
                return await kakao.consent_redirect(request, str(uri), exc.required_scopes)

        return cast("F", guarded)  # functools.wraps kept the view's signature

    return decorate
