"""verify_id_token: the good token passes, every attack from issue 3 is rejected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from authlib_kakao.core.id_token import verify_id_token
from authlib_kakao.errors import InvalidIDTokenError, UnknownSigningKeyError

ISSUER = "https://kauth.kakao.com"
CLIENT_ID = "rest-api-key"
NOW = 1_700_000_000
KEY = RSAKey.generate_key(
    2048, parameters={"kid": "3f96980381e451efad0d2ddd30e3d3", "alg": "RS256"}
)
JWKS = {"keys": [KEY.as_dict(private=False)]}


def claims(**changes: Any) -> dict[str, Any]:
    base = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "4242", "iat": NOW, "exp": NOW + 7199,
            "auth_time": NOW, "nonce": "n-1", "nickname": "홍길동"}  # fmt: skip
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: RSAKey = KEY, kid: str | None = None) -> str:
    header = {"alg": "RS256", "kid": kid or key.kid}
    return jwt.encode(header, payload, key)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    head = b64(json.dumps(header).encode())
    body = b64(json.dumps(payload).encode())
    return f"{head}.{body}.{b64(signature)}"


def hs256_with_public_key() -> str:
    """The classic key-confusion attack: HMAC keyed with the RSA public key."""
    header, payload = {"alg": "HS256", "kid": KEY.kid}, claims()
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    mac = hmac.new(KEY.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def verify(token: str, **options: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "issuer": ISSUER,
        "audiences": [CLIENT_ID],
        "nonce": "n-1",
        "now": NOW,
    }
    kwargs.update(options)
    return verify_id_token(token, JWKS, **kwargs)


def test_a_valid_token_returns_its_claims() -> None:
    assert verify(sign(claims()))["nickname"] == "홍길동"


def test_a_native_app_key_is_accepted_when_allowed() -> None:
    token = sign(claims(aud="native-app-key"))

    assert verify(token, audiences=[CLIENT_ID, "native-app-key"])["aud"] == "native-app-key"


def test_expiry_within_leeway_is_accepted() -> None:
    assert verify(sign(claims(exp=NOW - 60)), leeway=120)["sub"] == "4242"


def test_no_nonce_expected_accepts_a_token_without_one() -> None:
    assert verify(sign(claims(nonce=None)), nonce=None)["sub"] == "4242"


ATTACKS: dict[str, Callable[[], str]] = {
    "bad_signature": lambda: sign(claims())[:-6] + "AAAAAA",
    "alg_none": lambda: unsigned({"alg": "none", "kid": KEY.kid}, claims()),
    "hs256_signed_with_public_key": hs256_with_public_key,
    "signed_by_another_key_with_our_kid": lambda: sign(
        claims(), RSAKey.generate_key(2048), kid=str(KEY.kid)
    ),
    "wrong_aud": lambda: sign(claims(aud="someone-else")),
    "several_aud_without_azp": lambda: sign(claims(aud=[CLIENT_ID, "other"])),
    "wrong_iss": lambda: sign(claims(iss="https://evil.example")),
    "expired": lambda: sign(claims(exp=NOW - 121)),
    "issued_in_the_future": lambda: sign(claims(iat=NOW + 600)),
    "nonce_missing": lambda: sign(claims(nonce=None)),
    "nonce_different": lambda: sign(claims(nonce="n-2")),
    "missing_sub": lambda: sign(claims(sub=None)),
    "not_a_jwt": lambda: "not-a-token",
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_rejected(attack: str) -> None:
    with pytest.raises(InvalidIDTokenError):
        verify(ATTACKS[attack]())


def test_unknown_kid_says_so_so_the_caller_can_refetch_the_jwks() -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "9f252dadd5f233f93d2fa528d12fea"})

    with pytest.raises(UnknownSigningKeyError):
        verify(sign(claims(), other))


def test_a_broken_jwks_is_an_id_token_error() -> None:
    with pytest.raises(InvalidIDTokenError):
        verify_id_token(sign(claims()), {"keys": [{"kty": "nope"}]}, issuer=ISSUER,
                        audiences=[CLIENT_ID], nonce="n-1", now=NOW)  # fmt: skip
