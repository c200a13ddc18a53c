"""Kakao's endpoints and OIDC metadata, derived from two base URLs and nothing else.

Pointing an app at the emulator or a proxy means changing ``kauth_url`` and ``kapi_url``; the expected
id_token issuer stays Kakao's (the emulator issues it too) unless ``issuer`` is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["KAKAO_ISSUER", "KAPI_URL", "KAUTH_URL", "KakaoEndpoints"]

KAUTH_URL = "https://kauth.kakao.com"
KAPI_URL = "https://kapi.kakao.com"
KAKAO_ISSUER = "https://kauth.kakao.com"


@dataclass(frozen=True)
class KakaoEndpoints:
    """Every Kakao URL the library uses, built from ``kauth_url`` and ``kapi_url``."""

    kauth_url: str = KAUTH_URL
    kapi_url: str = KAPI_URL
    issuer: str = KAKAO_ISSUER
    _kauth: str = field(init=False, repr=False)
    _kapi: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_kauth", self.kauth_url.rstrip("/"))
        object.__setattr__(self, "_kapi", self.kapi_url.rstrip("/"))

    def kauth(self, path: str) -> str:
        """Absolute kauth URL for ``path`` (``/oauth/token``)."""
        return f"{self._kauth}{path}"

    def kapi(self, path: str) -> str:
        """Absolute kapi URL for ``path`` (``/v2/user/me``)."""
        return f"{self._kapi}{path}"

    @property
    def authorize_url(self) -> str:
        return self.kauth("/oauth/authorize")

    @property
    def token_url(self) -> str:
        return self.kauth("/oauth/token")

    @property
    def jwks_uri(self) -> str:
        return self.kauth("/.well-known/jwks.json")

    @property
    def userinfo_url(self) -> str:
        """Kakao's own profile endpoint, which carries more than the OIDC one."""
        return self.kapi("/v2/user/me")

    @property
    def api_base_url(self) -> str:
        return f"{self._kapi}/"

    def oidc_metadata(self) -> dict[str, Any]:
        """Kakao's discovery document, built locally so no discovery request is ever made."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.authorize_url,
            "token_endpoint": self.token_url,
            "userinfo_endpoint": self.userinfo_url,
            "jwks_uri": self.jwks_uri,
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "request_uri_parameter_supported": False,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "iss",
                "aud",
                "sub",
                "auth_time",
                "exp",
                "iat",
                "nonce",
                "nickname",
                "picture",
                "email",
            ],
        }
