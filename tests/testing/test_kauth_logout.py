"""GET /oauth/logout: the Kakao-account logout redirect (reference §4, last row)."""

from __future__ import annotations

from kauth_client import Kauth
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator


@BOTH_WIRES
def test_ref_4_account_logout_redirects_with_state(emu: KakaoEmulator, kauth: Kauth) -> None:
    response = kauth.client.get(
        "/oauth/logout",
        params={
            "client_id": emu.app.client_id,
            "logout_redirect_uri": "http://localhost/logged-out",
            "state": "bye",
        },
    )

    assert response.status_code == 302
    assert response.headers["location"] == "http://localhost/logged-out?state=bye"


def test_ref_5_1_unregistered_logout_redirect_uri_is_koe007(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    response = kauth.client.get(
        "/oauth/logout",
        params={"client_id": emu.app.client_id, "logout_redirect_uri": "http://evil.example/"},
    )

    assert response.status_code == 400
    assert "KOE007" in response.text


def test_ref_4_account_logout_leaves_app_tokens_alone(emu: KakaoEmulator, kauth: Kauth) -> None:
    token = kauth.login()["access_token"]
    kauth.client.get(
        "/oauth/logout",
        params={
            "client_id": emu.app.client_id,
            "logout_redirect_uri": "http://localhost/logged-out",
        },
    )

    me = kauth.client.get("/v2/user/me", headers={"Authorization": f"Bearer {token}"})

    assert me.status_code == 200
