"""OpenID Connect (reference §3): discovery, JWKS, id_token claims, tokeninfo, key rotation."""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet
from kauth_client import Kauth
from wire import BOTH_WIRES

from authlib_kakao.testing import KakaoEmulator


def decode(kauth: Kauth, id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    jwks = kauth.client.get("/.well-known/jwks.json").json()
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    return dict(token.header), dict(token.claims)


@BOTH_WIRES
def test_ref_3_1_discovery_document(kauth: Kauth) -> None:
    base = kauth.base_url

    doc = kauth.client.get("/.well-known/openid-configuration").json()

    assert doc["issuer"] == "https://kauth.kakao.com"
    assert doc["token_endpoint"] == f"{base}/oauth/token"
    assert doc["userinfo_endpoint"] == f"{base}/v1/oidc/userinfo"
    assert doc["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256"]


@BOTH_WIRES
def test_ref_3_2_jwks_has_rs256_keys_with_kakao_style_kids(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    keys = kauth.client.get("/.well-known/jwks.json").json()["keys"]

    assert [key["kid"] for key in keys] == emu.keys.kids
    for key in keys:
        assert (key["kty"], key["alg"], key["use"], key["e"]) == ("RSA", "RS256", "sig", "AQAB")
        assert len(key["kid"]) == 30
        assert "d" not in key  # never the private part


@BOTH_WIRES
def test_ref_3_3_id_token_claims(emu: KakaoEmulator, kauth: Kauth) -> None:
    body = kauth.login(scope="openid", nonce="n-123")

    header, claims = decode(kauth, body["id_token"])

    assert header["alg"] == "RS256"
    assert header["kid"]
    assert claims["iss"] == "https://kauth.kakao.com"
    assert claims["aud"] == emu.app.client_id
    assert claims["sub"] == str(emu.user.id)
    assert claims["nonce"] == "n-123"
    assert claims["iat"] == claims["auth_time"] == int(emu.clock.now())
    assert claims["exp"] - claims["iat"] == body["expires_in"] == 21599
    assert claims["nickname"] == emu.user.nickname
    assert claims["picture"] == emu.user.thumbnail_image_url
    assert claims["email"] == emu.user.email
    assert "openid" in body["scope"].split()


def test_ref_3_3_email_only_when_valid_and_verified(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.approve_as(emu.add_user(email="x@example.com", is_email_verified=False))

    _, claims = decode(kauth, kauth.login(scope="openid")["id_token"])

    assert "email" not in claims


def test_ref_3_3_profile_claims_only_with_consent(emu: KakaoEmulator, kauth: Kauth) -> None:
    user = emu.add_user(
        nickname="n", thumbnail_image_url="http://img", consents=["profile_nickname"]
    )
    emu.approve_as(user, consents=[])

    _, claims = decode(kauth, kauth.login(scope="openid")["id_token"])

    assert claims["nickname"] == "n"
    assert "picture" not in claims


def test_ref_2_4_no_id_token_without_openid_by_default(kauth: Kauth) -> None:
    assert "id_token" not in kauth.login()


def test_ref_2_4_oidc_on_can_issue_id_tokens_without_openid(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    emu.config.id_token_without_openid_scope = True

    assert "id_token" in kauth.login()


def test_ref_2_5_refresh_reissues_id_token_when_the_grant_had_one(kauth: Kauth) -> None:
    first = kauth.login(scope="openid", nonce="n")

    refreshed = kauth.refresh(first["refresh_token"]).json()

    _, claims = decode(kauth, refreshed["id_token"])
    assert "nonce" not in claims


def test_ref_3_2_rotation_publishes_the_new_key_and_signs_with_it(
    emu: KakaoEmulator, kauth: Kauth
) -> None:
    kid = emu.rotate_keys()

    header, _ = decode(kauth, kauth.login(scope="openid")["id_token"])

    assert header["kid"] == kid
    published = [k["kid"] for k in kauth.client.get("/.well-known/jwks.json").json()["keys"]]
    assert published == [kid, *emu.keys.kids[:-1]]
    assert len(published) == 2


def test_ref_3_4_tokeninfo_returns_the_payload(kauth: Kauth) -> None:
    id_token = kauth.login(scope="openid", nonce="n")["id_token"]

    response = kauth.client.post("/oauth/tokeninfo", data={"id_token": id_token})

    assert response.status_code == 200
    assert response.json()["nonce"] == "n"


def test_ref_3_4_tokeninfo_invalid_token_is_koe400(kauth: Kauth) -> None:
    response = kauth.client.post("/oauth/tokeninfo", data={"id_token": "a.b.c"})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_token"
    assert response.json()["error_code"] == "KOE400"


def test_ref_3_4_tokeninfo_expires_with_the_id_token(emu: KakaoEmulator, kauth: Kauth) -> None:
    id_token = kauth.login(scope="openid")["id_token"]
    emu.clock.advance(21598)
    assert kauth.client.post("/oauth/tokeninfo", data={"id_token": id_token}).status_code == 200
    emu.clock.advance(1)

    response = kauth.client.post("/oauth/tokeninfo", data={"id_token": id_token})

    assert response.status_code == 400
    assert response.json()["error_description"] == "id_token expired"


def test_reset_restores_the_original_signing_key(emu: KakaoEmulator, kauth: Kauth) -> None:
    original = emu.keys.kids
    emu.rotate_keys(keep_old=False)
    assert emu.keys.kids != original

    emu.reset()

    assert emu.keys.kids == original
    assert len(original) == 1
    header, _ = decode(kauth, kauth.login(scope="openid")["id_token"])
    assert header["kid"] == original[0]


def test_ref_3_3_issuer_is_configurable(emu: KakaoEmulator, kauth: Kauth) -> None:
    emu.config.issuer = "http://issuer.test"

    _, claims = decode(kauth, kauth.login(scope="openid")["id_token"])

    assert claims["iss"] == "http://issuer.test"
