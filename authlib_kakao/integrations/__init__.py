"""Framework glue: the Kakao mixins that register_kakao puts on Authlib's app classes."""

from __future__ import annotations

from authlib_kakao.integrations.mixin import AsyncKakaoAppMixin, KakaoAppMixin, KakaoSettings

__all__ = ["AsyncKakaoAppMixin", "KakaoAppMixin", "KakaoSettings"]
