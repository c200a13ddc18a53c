"""Kakao on Django: what ``register_kakao`` returns for ``authlib.integrations.django_client.OAuth``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from authlib.integrations.django_client import DjangoOAuth2App

from authlib_kakao.errors import ConsentRequiredError
from authlib_kakao.http.requests_session import KakaoOAuth2Session
from authlib_kakao.integrations.mixin import KakaoAppMixin

__all__ = ["KakaoDjangoApp", "require_consent"]

F = TypeVar("F", bound=Callable[..., Any])


class KakaoDjangoApp(KakaoAppMixin, DjangoOAuth2App):  # type: ignore[misc]  # Authlib: untyped
    """Authlib's ``DjangoOAuth2App`` with Kakao's behaviour; plain (blocking) calls."""

    client_cls = KakaoOAuth2Session

    def consent_redirect(
        self, request: Any, redirect_uri: str, scopes: Iterable[str], **kwargs: Any
    ) -> Any:
        """Send the user to agree to more consent items (``ConsentRequiredError.required_scopes``);
        the answer comes back to ``redirect_uri`` like a login (``openid`` is kept with OIDC)."""
        return self.authorize_redirect(request, redirect_uri, scope=",".join(scopes), **kwargs)

    def logout_redirect(
        self,
        request: Any,
        post_logout_redirect_uri: str | None = None,
        id_token_hint: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Redirect to Kakao's account logout, then to ``post_logout_redirect_uri``; the state is
        kept for Authlib's ``validate_logout_response``."""
        from django.http import HttpResponseRedirect

        result = self.create_logout_url(post_logout_redirect_uri, id_token_hint, **kwargs)
        data = {"post_logout_redirect_uri": post_logout_redirect_uri}
        self.framework.set_state_data(request.session, result["state"], data)
        return HttpResponseRedirect(result["url"])


def require_consent(
    kakao: KakaoDjangoApp, redirect_uri: str | Callable[[Any], str]
) -> Callable[[F], F]:
    """A view decorator: a view that raises ``ConsentRequiredError`` (-402) answers with the
    redirect that asks the user for the missing consent items instead of an error page.

    ``redirect_uri`` is the login callback, or a function of the request giving it
    (``request.build_absolute_uri(reverse("auth"))``).
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(request: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return view(request, *args, **kwargs)
            except ConsentRequiredError as exc:
                uri = redirect_uri(request) if callable(redirect_uri) else redirect_uri
                return kakao.consent_redirect(request, uri, exc.required_scopes)

        return cast("F", guarded)  # functools.wraps kept the view's signature

    return decorate
