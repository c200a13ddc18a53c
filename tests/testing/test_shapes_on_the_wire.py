"""The emulator answers in the shapes of ``authlib_kakao.core.shapes``: the kapi calls Kakao's docs
give no sample for (scopes, service terms, shipping addresses, user ids, app users) are held
against their TypedDict here, as tests/core/test_shapes.py holds Kakao's samples."""

from __future__ import annotations

from typing import Any

import pytest
from kapi_client import Kapi, arr, full_user
from shape_check import mismatches

from authlib_kakao.core import shapes
from authlib_kakao.testing import KakaoEmulator

ADDRESS = {
    "id": 1,
    "name": "home",
    "is_default": True,
    "updated_at": 1000,
    "type": "NEW",
    "base_address": "경기 성남시 분당구 판교역로 166",
    "detail_address": "1층",
    "receiver_name": "홍길동",
    "receiver_phone_number1": "010-1234-5678",
    "zone_number": "13529",
}

# (method, path, who calls, parameters, shape)
CALLS: list[tuple[str, str, str, dict[str, str], Any]] = [
    ("GET", "/v2/user/me", "user", {}, shapes.UserMe),
    ("GET", "/v1/user/access_token_info", "user", {}, shapes.TokenInfo),
    ("GET", "/v2/user/scopes", "user", {}, shapes.Scopes),
    ("POST", "/v2/user/revoke/scopes", "user", {"scopes": arr("account_email")}, shapes.Scopes),
    ("GET", "/v2/user/service_terms", "user", {}, shapes.ServiceTerms),
    ("GET", "/v2/user/service_terms", "user", {"result": "app_service_terms"}, shapes.ServiceTerms),
    ("POST", "/v2/user/revoke/service_terms", "user", {"tags": "terms_marketing"},
     shapes.RevokedServiceTerms),
    ("POST", "/v2/user/upgrade/service_terms", "user", {"tags": "terms_marketing"},
     shapes.AgreedServiceTerms),
    ("GET", "/v1/user/shipping_address", "user", {}, shapes.ShippingAddresses),
    ("POST", "/v1/user/logout", "user", {}, shapes.UserIdAnswer),
    ("GET", "/v2/user/me", "admin", {}, shapes.UserMe),
    ("GET", "/v1/user/ids", "app", {"limit": "2"}, shapes.UserIds),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "caller", "params", "shape"),
    CALLS,
    ids=[f"{c[0]} {c[1]} {c[2]} {sorted(c[3])}" for c in CALLS],
)
def test_the_emulator_answers_in_the_documented_shape(
    emu: KakaoEmulator,
    kapi: Kapi,
    method: str,
    path: str,
    caller: str,
    params: dict[str, str],
    shape: Any,
) -> None:
    emu.user.shipping_addresses = [dict(ADDRESS)]
    for _ in range(3):
        full_user(emu)
    link = emu.user.links[emu.app.app_id]
    link.service_terms = {"terms_service": emu.clock.now()}
    auth: dict[str, Any] = {"token": str(emu.issue_tokens()["access_token"])}
    if caller == "admin":
        auth = {"admin": emu.app.admin_key, "target": emu.user.id}
    elif caller == "app":
        auth = {"admin": emu.app.admin_key}
    key = "params" if method == "GET" else "form"

    response = kapi.request(method, path, **auth, **{key: params})

    assert response.status_code == 200, response.text
    assert mismatches(response.json(), shape) == []


def test_app_users_are_app_users(emu: KakaoEmulator, kapi: Kapi) -> None:
    users = [full_user(emu) for _ in range(3)]
    params = {"target_id_type": "user_id", "target_ids": arr(*(u.id for u in users))}

    body = kapi.get("/v2/app/users", admin=emu.app.admin_key, params=params).json()

    answered = body if isinstance(body, list) else body["elements"]
    assert len(answered) == 3
    assert [mismatches(user, shapes.AppUser) for user in answered] == [[]] * 3
