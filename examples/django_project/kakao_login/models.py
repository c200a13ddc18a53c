"""The user's Kakao token, as a Django model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models


class KakaoToken(models.Model):
    """One Kakao user's token. ``update_token`` finds the row by the refresh token it replaces."""

    # Kakao's user ids are 64-bit and above 2**53: an integer column, never a float.
    user_id = models.BigIntegerField(primary_key=True)
    access_token = models.CharField(max_length=255)
    refresh_token = models.CharField(max_length=255, blank=True, default="", db_index=True)
    expires_at = models.BigIntegerField()
    refresh_token_expires_at = models.BigIntegerField(null=True, blank=True)
    scope = models.TextField(blank=True, default="")

    @staticmethod
    def fields(token: Mapping[str, Any]) -> dict[str, Any]:
        """The columns of a token from Authlib (a login's, or a refresh's with the kept refresh
        token)."""
        return {
            "access_token": token["access_token"],
            "refresh_token": token.get("refresh_token") or "",
            "expires_at": int(token["expires_at"]),
            "refresh_token_expires_at": token.get("refresh_token_expires_at"),
            "scope": token.get("scope", ""),
        }

    def to_token(self) -> dict[str, Any]:
        """The token as Authlib takes it (``token=`` or from ``fetch_token``)."""
        return {
            "token_type": "bearer",
            "access_token": self.access_token,
            "refresh_token": self.refresh_token or None,
            "expires_at": self.expires_at,
            "refresh_token_expires_at": self.refresh_token_expires_at,
            "scope": self.scope,
        }
