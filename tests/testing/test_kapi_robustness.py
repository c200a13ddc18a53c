"""Reference §5.2: whatever a client sends to kapi, the answer is Kakao's ``{msg, code}``, not a 500."""

from __future__ import annotations

import itertools

import pytest
from kapi_client import JSON_CT, Kapi

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.routes import ROUTES

KAPI_ROUTES = sorted(route for route in ROUTES if route[1].startswith(("/v1/", "/v2/")))

GARBAGE = {
    "property_keys": "[",
    "secure_resource": "maybe",
    "target_ids": '{"a":1}',
    "target_id_type": "user_id",
    "target_id": "-1x",
    "scopes": "null",
    "tags": ",,,",
    "result": "🙂",
    "properties": "[[",
    "limit": "1e3",
    "from_id": "0x10",
    "order": "sideways",
    "address_id": "NaN",
    "from_updated_at": "yesterday",
    "page_size": "-5",
    "channel_public_ids": '["_a", 3',
    "channel_ids": ",,",
    "channel_id_type": "channel_uuid",
}


def test_ref_4_every_documented_kapi_endpoint_is_served() -> None:
    expected = {
        ("GET", "/v2/user/me"),
        ("POST", "/v2/user/me"),
        ("GET", "/v1/user/access_token_info"),
        ("POST", "/v1/user/logout"),
        ("POST", "/v1/user/unlink"),
        ("POST", "/v1/user/update_profile"),
        ("POST", "/v1/user/signup"),
        ("GET", "/v1/user/ids"),
        ("GET", "/v2/app/users"),
        ("GET", "/v2/user/scopes"),
        ("POST", "/v2/user/revoke/scopes"),
        ("GET", "/v2/user/service_terms"),
        ("POST", "/v2/user/revoke/service_terms"),
        ("POST", "/v2/user/upgrade/service_terms"),
        ("GET", "/v1/user/shipping_address"),
        ("GET", "/v1/oidc/userinfo"),
        ("POST", "/v1/oidc/userinfo"),
        ("GET", "/v1/api/talk/channels"),
        ("GET", "/v2/api/talk/channels"),
    }

    assert set(KAPI_ROUTES) == expected


@pytest.mark.parametrize(
    ("route", "auth"),
    list(itertools.product(KAPI_ROUTES, ["bearer", "admin", "none"])),
    ids=lambda v: "-".join(v) if isinstance(v, tuple) else v,
)
def test_ref_5_2_malformed_params_get_kakao_error_bodies_not_500(
    emu: KakaoEmulator, kapi: Kapi, route: tuple[str, str], auth: str
) -> None:
    method, path = route
    token = emu.issue_tokens()["access_token"] if auth == "bearer" else None
    admin = emu.app.admin_key if auth == "admin" else None
    send = {"params": GARBAGE} if method == "GET" else {"form": GARBAGE}

    response = kapi.request(method, path, token=token, admin=admin, **send)

    assert response.status_code < 500
    assert response.headers["content-type"] == JSON_CT
    body = response.json()
    if response.status_code != 200:
        assert isinstance(body["msg"], str)
        assert body["code"] < 0
