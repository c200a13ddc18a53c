"""Framework glue: one named Kakao app class per framework, picked for an Authlib registry.

``flask.KakaoFlaskApp``, ``django.KakaoDjangoApp`` and ``starlette.KakaoStarletteApp`` are
imported only when a registry of that framework registers Kakao, so importing authlib_kakao loads
no web framework and no HTTP library.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from typing import Any

__all__ = ["app_class"]

# Authlib's client package -> our module and class for it.
_NAMED = {
    "authlib.integrations.flask_client": ("flask", "KakaoFlaskApp"),
    "authlib.integrations.django_client": ("django", "KakaoDjangoApp"),
    "authlib.integrations.starlette_client": ("starlette", "KakaoStarletteApp"),
}


@functools.cache
def app_class(base: type) -> type:
    """The Kakao app class for Authlib's app class ``base`` (a registry's ``oauth2_client_cls``).

    Authlib's own three get the named classes; a custom subclass gets the same mixins composed
    onto it once (cached), so ``isinstance`` and subclassing keep working.
    """
    package = base.__module__.rpartition(".")[0]
    if package in _NAMED:
        module, name = _NAMED[package]
        named: type = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        if named.__bases__[-1] is base:
            return named
    from authlib_kakao.integrations.mixin import AsyncKakaoAppMixin, KakaoAppMixin

    is_async = inspect.iscoroutinefunction(base.authorize_access_token)  # type: ignore[attr-defined]  # Authlib
    if is_async:
        from authlib_kakao.http.httpx_session import AsyncKakaoOAuth2Client as ours
    else:
        from authlib_kakao.http.requests_session import KakaoOAuth2Session as ours
    theirs: Any = base.client_cls  # type: ignore[attr-defined]  # Authlib's app class
    session = (
        ours if issubclass(ours, theirs) else type(f"Kakao{theirs.__name__}", (ours, theirs), {})
    )
    mixin = AsyncKakaoAppMixin if is_async else KakaoAppMixin
    return type(f"Kakao{base.__name__}", (mixin, base), {"client_cls": session})
