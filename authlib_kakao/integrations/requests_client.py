"""The requests session behind Kakao's Flask and Django apps."""

from __future__ import annotations

from authlib.integrations.requests_client import OAuth2Session

from authlib_kakao.integrations.mixin import KakaoSessionMixin

__all__ = ["KakaoOAuth2Session"]


class KakaoOAuth2Session(KakaoSessionMixin, OAuth2Session):  # type: ignore[misc]
    """Authlib's requests ``OAuth2Session`` reading Kakao's token responses."""
