"""``KakaoSettings``: one registration's Kakao settings, held by the app ``register_kakao`` returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.scopes import with_openid

__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_TIMEOUT", "MISSING_CLIENT_ID", "KakaoSettings"]

DEFAULT_TIMEOUT = 10.0
"""Seconds allowed for each HTTP call to Kakao unless ``register_kakao(timeout=...)`` says otherwise."""

DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
"""Kakao's largest answers (a page of /v2/app/users) are tens of KiB; a MiB leaves ample room."""

MISSING_CLIENT_ID = (
    "no client_id: pass register_kakao(client_id=...) or set {prefix}_CLIENT_ID (Flask/Starlette) / "
    "AUTHLIB_OAUTH_CLIENTS (Django) to the app's REST API key from [App] > [App Keys]"
)


@dataclass(frozen=True)
class KakaoSettings:
    """What ``register_kakao`` was told, as ``app.settings``.

    Attributes:
        endpoints: every Kakao URL, derived from ``kauth_url``/``kapi_url`` (the one source).
        openid: OpenID Connect is used: ``openid`` is asked for and the id_token verified.
        allowed_audiences: app keys besides ``client_id`` accepted as id_token ``aud``.
        authorize_params: registered authorize parameters; per-call ones win over them.
        max_response_bytes: the largest answer read from Kakao (decoded); larger ones are refused.
        app_id: the app's numeric id ([App] > [General]); SDK tokens must carry it.
    """

    endpoints: KakaoEndpoints = field(default_factory=KakaoEndpoints)
    openid: bool = False
    allowed_audiences: tuple[str, ...] = ()
    authorize_params: Mapping[str, Any] = field(default_factory=dict)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    app_id: int | None = None

    def authorize_kwargs(self, per_call: Mapping[str, Any]) -> dict[str, Any]:
        """Registered ``authorize_params`` under per-call ones (Authlib does the reverse)."""
        merged = {**self.authorize_params, **per_call}
        if self.openid and "scope" in merged:
            # Kakao issues no new id_token for a consent request without `openid`.
            merged["scope"] = with_openid(merged["scope"])
        return merged
