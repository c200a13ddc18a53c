"""Kakao, registered once for the site: the app every view uses, and the webhook's keys."""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.django_client import OAuth
from django.conf import settings

from authlib_kakao import register_kakao
from kakao_login.models import KakaoToken


def fetch_token(request: Any) -> dict[str, Any] | None:
    """The logged-in user's token: what ``kakao.userinfo(request=request)`` and friends use."""
    row = KakaoToken.objects.filter(user_id=request.session.get("kakao_user_id")).first()
    return row.to_token() if row is not None else None


def update_token(
    token: dict[str, Any], refresh_token: str | None = None, access_token: str | None = None
) -> None:
    """Store a refreshed token: called once per refresh, even when many requests raced."""
    if refresh_token:
        KakaoToken.objects.filter(refresh_token=refresh_token).update(**KakaoToken.fields(token))


def _emulator_options(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """register_kakao's keywords for the emulator at ``url`` (keys from its control plane), and
    the webhook's keys."""
    app = requests.get(f"{url}/_emulator/state", timeout=10).json()["app"]
    options = {
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "kauth_url": url,
        "kapi_url": url,
    }
    return options, {"admin_key": app["admin_key"], "app_id": app["app_id"]}


if settings.KAKAO_EMULATOR_URL:
    _options, WEBHOOK_KEYS = _emulator_options(settings.KAKAO_EMULATOR_URL)
else:  # the real Kakao: client id and secret from settings.AUTHLIB_OAUTH_CLIENTS
    _options = {}
    WEBHOOK_KEYS = {"admin_key": settings.KAKAO_ADMIN_KEY, "app_id": settings.KAKAO_APP_ID}

oauth = OAuth()
kakao = register_kakao(
    oauth, openid=True, fetch_token=fetch_token, update_token=update_token, **_options
)
