"""The httpx (or httpx2, as Authlib prefers) client behind Kakao's Starlette/FastAPI app."""

from __future__ import annotations

from authlib.integrations.httpx_client import AsyncOAuth2Client

from authlib_kakao.integrations.mixin import KakaoSessionMixin

__all__ = ["AsyncKakaoOAuth2Client"]


class AsyncKakaoOAuth2Client(KakaoSessionMixin, AsyncOAuth2Client):  # type: ignore[misc]
    """Authlib's ``AsyncOAuth2Client`` reading Kakao's token responses."""
