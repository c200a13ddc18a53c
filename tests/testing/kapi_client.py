"""A plain HTTP client for the emulator's kapi side, used by the test_kapi_* suites.

Deliberately not our provider: these tests check the emulator against the reference, so they speak
raw HTTP (httpx) exactly as the docs describe the wire.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from authlib_kakao.testing import KakaoEmulator, User

__all__ = ["JSON_CT", "Kapi", "arr", "full_user"]

JSON_CT = "application/json;charset=UTF-8"


def arr(*items: Any) -> str:
    """A JSON-array string parameter, as Kakao expects arrays (``["a","b"]``)."""
    return json.dumps(list(items))


PROFILE_FIELDS = (
    "nickname",
    "profile_image_url",
    "thumbnail_image_url",
    "email",
    "name",
    "age_range",
    "birthday",
    "birthyear",
    "gender",
    "phone_number",
)


def full_user(emu: KakaoEmulator, **values: Any) -> User:
    """``emu.add_user`` with every profile field filled like the default user's (then ``values``)."""
    profile = {name: getattr(emu.user, name) for name in PROFILE_FIELDS}
    return emu.add_user(**{**profile, **values})


class Kapi:
    """``kapi.get("/v2/user/me", token=...)`` / ``kapi.post(..., admin=key, form={...})``."""

    def __init__(self, base_url: str, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=10, transport=transport)

    def close(self) -> None:
        self.client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        admin: str | None = None,
        target: int | None = None,
        params: dict[str, Any] | None = None,
        form: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if admin is not None:
            sent["Authorization"] = f"KakaoAK {admin}"
        query = dict(params or {})
        if target is not None:
            query.update(target_id_type="user_id", target_id=str(target))
        return self.client.request(
            method, path, params=query or None, data=form, headers=sent or None
        )

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)
