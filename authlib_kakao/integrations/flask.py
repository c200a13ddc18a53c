"""Kakao on Flask: what ``register_kakao`` returns for ``authlib.integrations.flask_client.OAuth``."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import FlaskOAuth2App

from authlib_kakao.integrations.mixin import KakaoAppMixin
from authlib_kakao.integrations.requests_client import KakaoOAuth2Session

__all__ = ["KakaoFlaskApp"]


class KakaoFlaskApp(KakaoAppMixin, FlaskOAuth2App):  # type: ignore[misc]
    """Authlib's ``FlaskOAuth2App`` with Kakao's behaviour; plain (blocking) calls."""

    client_cls = KakaoOAuth2Session

    def _stored_token(self, request: Any) -> Any:
        # Flask's fetch_token takes no request (Authlib reads it from the app context).
        return self._fetch_token() if self._fetch_token else None
