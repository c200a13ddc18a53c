"""Security event tokens for the tests: signed with Kakao's (the emulator's) key, or forged."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

from authlib_kakao.webhooks import EventType

__all__ = [
    "ISSUER",
    "alg_none",
    "foreign_key",
    "hs256_with_public_key",
    "set_claims",
    "sign",
    "tampered",
    "unsigned",
]

ISSUER = "https://kauth.kakao.com"
USER_ID = 9_007_199_254_740_993  # 2**53 + 1: a float would round it


def set_claims(audience: str, **changes: Any) -> dict[str, Any]:
    """A Kakao-shaped security event (reference §6.2); ``None`` removes a claim."""
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": audience,
        "sub": str(USER_ID),
        "iat": int(time.time()),
        "jti": uuid.uuid4().hex,
        "toe": int(time.time()) - 5,
        "txn": "txn-1",
        "events": {EventType.USER_UNLINKED: {"subject": {"format": "opaque", "id": str(USER_ID)}}},
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims: dict[str, Any], key: RSAKey, *, kid: str | None = None) -> str:
    """An RS256 SET, ``typ: secevent+jwt``, signed with ``key`` (named ``kid``, else its own)."""
    header = {"alg": "RS256", "typ": "secevent+jwt", "kid": kid or key.kid}
    return jwt.encode(header, claims, key, algorithms=["RS256"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """A token with any header and signature bytes, signed by nobody."""
    return f"{_segment(header)}.{_segment(claims)}.{_b64(signature)}"


def alg_none(claims: dict[str, Any], kid: str) -> str:
    """An unsigned token: ``alg: none`` and an empty signature."""
    return unsigned({"alg": "none", "kid": kid}, claims)


def hs256_with_public_key(claims: dict[str, Any], key: RSAKey) -> str:
    """The key-confusion attack: HMAC-SHA256 keyed with the RSA public key's PEM."""
    signing_input = f"{_segment({'alg': 'HS256', 'kid': key.kid})}.{_segment(claims)}"
    mac = hmac.new(key.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def tampered(token: str, **changes: Any) -> str:
    """``token`` with its payload changed and the original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{_segment(claims)}.{signature}"


@functools.cache
def foreign_key() -> RSAKey:
    """Somebody else's RS256 key (generated once per run)."""
    return RSAKey.generate_key(2048, parameters={"kid": "f0reign" * 4, "alg": "RS256"})
