"""Kakao on Starlette/FastAPI: what ``register_kakao`` returns for
``authlib.integrations.starlette_client.OAuth``."""

from __future__ import annotations

from authlib.integrations.starlette_client import StarletteOAuth2App

from authlib_kakao.integrations.httpx_client import AsyncKakaoOAuth2Client
from authlib_kakao.integrations.mixin import AsyncKakaoAppMixin

__all__ = ["KakaoStarletteApp"]


class KakaoStarletteApp(AsyncKakaoAppMixin, StarletteOAuth2App):  # type: ignore[misc]
    """Authlib's ``StarletteOAuth2App`` with Kakao's behaviour; every call is awaited."""

    client_cls = AsyncKakaoOAuth2Client
