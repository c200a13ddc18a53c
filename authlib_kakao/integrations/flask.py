"""Kakao on Flask: what ``register_kakao`` returns for ``authlib.integrations.flask_client.OAuth``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from authlib.integrations.flask_client import FlaskOAuth2App

from authlib_kakao.errors import ConsentRequiredError
from authlib_kakao.http.requests_session import KakaoOAuth2Session
from authlib_kakao.integrations.mixin import KakaoAppMixin

__all__ = ["KakaoFlaskApp", "require_consent"]

F = TypeVar("F", bound=Callable[..., Any])


class KakaoFlaskApp(KakaoAppMixin, FlaskOAuth2App):  # type: ignore[misc]  # Authlib: untyped
    """Authlib's ``FlaskOAuth2App`` with Kakao's behaviour; plain (blocking) calls."""

    client_cls = KakaoOAuth2Session

    def _stored_token(self, request: Any) -> Any:
        # Flask's fetch_token takes no request (Authlib reads it from the app context).
        return self._fetch_token() if self._fetch_token else None

    def consent_redirect(self, redirect_uri: str, scopes: Iterable[str], **kwargs: Any) -> Any:
        """Send the user to agree to more consent items (``ConsentRequiredError.required_scopes``);
        the answer comes back to ``redirect_uri`` like a login (``openid`` is kept with OIDC)."""
        return self.authorize_redirect(redirect_uri, scope=",".join(scopes), **kwargs)

    def logout_redirect(
        self,
        post_logout_redirect_uri: str | None = None,
        id_token_hint: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Redirect to Kakao's account logout, then to ``post_logout_redirect_uri``; the state is
        kept for Authlib's ``validate_logout_response``."""
        from flask import redirect, session

        result = self.create_logout_url(post_logout_redirect_uri, id_token_hint, **kwargs)
        data = {"post_logout_redirect_uri": post_logout_redirect_uri}
        self.framework.set_state_data(session, result["state"], data)
        return redirect(result["url"])


def require_consent(
    kakao: KakaoFlaskApp, redirect_uri: str | Callable[[], str]
) -> Callable[[F], F]:
    """A view decorator: a view that raises ``ConsentRequiredError`` (-402) answers with the
    redirect that asks the user for the missing consent items instead of an error page.

    ``redirect_uri`` is the login callback (or a function giving it, e.g. ``url_for``).
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except ConsentRequiredError as exc:
                uri = redirect_uri() if callable(redirect_uri) else redirect_uri
                return kakao.consent_redirect(uri, exc.required_scopes)

        return cast("F", guarded)  # functools.wraps kept the view's signature

    return decorate
