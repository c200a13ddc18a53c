"""Verify a Kakao id_token against a JWKS: RS256 only, then ``iss``, ``aud``, time and ``nonce``.

Authlib's client checks the signature and ``iss`` but not ``aud`` (reference: authlib-notes §4.3),
so a token minted for another app would pass; this check is ours and complete.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    InvalidKeyIdError,
    JoseError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet

from authlib_kakao.errors import InvalidIDTokenError, UnknownSigningKeyError

__all__ = ["ALGORITHMS", "verify_id_token"]

ALGORITHMS = ["RS256"]  # Kakao's discovery: id_token_signing_alg_values_supported


def _key_set(jwks: Mapping[str, Any]) -> KeySet:
    try:
        key_set: KeySet = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        return key_set
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise InvalidIDTokenError(f"the JWKS could not be read ({type(exc).__name__})") from None


def _check_claims(
    claims: Mapping[str, Any],
    *,
    issuer: str,
    audiences: Collection[str],
    nonce: str | None,
    leeway: int,
    now: float,
) -> None:
    for name in ("iss", "sub", "aud", "exp", "iat"):
        if name not in claims:
            raise InvalidIDTokenError(f"the id_token has no {name!r} claim")
    if claims["iss"] != issuer:
        raise InvalidIDTokenError(f"the id_token was issued by {claims['iss']!r}, not {issuer!r}")
    aud = claims["aud"]
    token_audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if not any(a in audiences for a in token_audiences):
        raise InvalidIDTokenError("the id_token was issued for another app (aud)")
    if len(token_audiences) > 1 and claims.get("azp") not in audiences:
        raise InvalidIDTokenError("the id_token has several audiences and no matching azp")
    exp, iat = claims["exp"], claims["iat"]
    if not isinstance(exp, (int, float)) or isinstance(exp, bool):
        raise InvalidIDTokenError("the id_token's exp is not a number")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        raise InvalidIDTokenError("the id_token's iat is not a number")
    if exp + leeway < now:
        raise InvalidIDTokenError("the id_token has expired")
    if iat - leeway > now:
        raise InvalidIDTokenError("the id_token was issued in the future (check the server clock)")
    if nonce is not None and claims.get("nonce") != nonce:
        raise InvalidIDTokenError("the id_token's nonce does not match the login's nonce")


def verify_id_token(
    id_token: str,
    jwks: Mapping[str, Any],
    *,
    issuer: str,
    audiences: Collection[str],
    nonce: str | None,
    leeway: int = 120,
    now: float | None = None,
) -> dict[str, Any]:
    """The verified claims of ``id_token``.

    Args:
        jwks: Kakao's JWKS document (``{"keys": [...]}``).
        issuer: the expected ``iss`` (``https://kauth.kakao.com``).
        audiences: app keys accepted as ``aud``: the REST API key, plus native/JS keys if used.
        nonce: the nonce sent at /oauth/authorize; ``None`` when none was sent.
        leeway: seconds of clock skew tolerated for ``exp`` and ``iat``.

    Raises:
        UnknownSigningKeyError: the token's ``kid`` is not in ``jwks`` (refetch it and retry).
        InvalidIDTokenError: any other failure: signature, algorithm, or a claim.
    """
    if not isinstance(id_token, str) or id_token.count(".") != 2:
        raise InvalidIDTokenError("the id_token is not a JWS compact token")
    key_set = _key_set(jwks)
    try:
        decoded = jwt.decode(id_token, key_set, algorithms=ALGORITHMS)
    except InvalidKeyIdError:
        raise UnknownSigningKeyError(
            "the id_token is signed with a key not in Kakao's JWKS"
        ) from None
    except UnsupportedAlgorithmError:
        raise InvalidIDTokenError("the id_token is not signed with RS256") from None
    except BadSignatureError:
        raise InvalidIDTokenError("the id_token's signature is invalid") from None
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise InvalidIDTokenError(f"the id_token was rejected ({type(exc).__name__})") from None
    claims = dict(decoded.claims)
    _check_claims(
        claims,
        issuer=issuer,
        audiences=audiences,
        nonce=nonce,
        leeway=leeway,
        now=time.time() if now is None else now,
    )
    return claims
