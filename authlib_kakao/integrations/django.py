"""Kakao on Django: what ``register_kakao`` returns for ``authlib.integrations.django_client.OAuth``."""

from __future__ import annotations

from authlib.integrations.django_client import DjangoOAuth2App

from authlib_kakao.integrations.mixin import KakaoAppMixin
from authlib_kakao.integrations.requests_client import KakaoOAuth2Session

__all__ = ["KakaoDjangoApp"]


class KakaoDjangoApp(KakaoAppMixin, DjangoOAuth2App):  # type: ignore[misc]
    """Authlib's ``DjangoOAuth2App`` with Kakao's behaviour; plain (blocking) calls."""

    client_cls = KakaoOAuth2Session
