"""Verify a Kakao id_token against a JWKS: RS256 only, then ``iss``, ``aud``, time and ``nonce``.

Authlib's client checks the signature and ``iss`` but not ``aud`` (reference: authlib-notes §4.3),
so a token minted for another app would pass; this check is ours and complete.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from authlib_kakao.core.shapes import IDTokenClaims
from authlib_kakao.errors import InvalidIDTokenError, UnknownSigningKeyError

if TYPE_CHECKING:
    from joserfc.jwk import Key

# joserfc (and cryptography under it) is imported inside the functions: this module is on the
# path of every Kakao call (core.calls), and only OpenID Connect and webhooks verify (issue #15).

__all__ = [
    "ALGORITHMS",
    "MAX_JWKS_KEYS",
    "ParsedJWKS",
    "ReadJWS",
    "Refusal",
    "parse_jwks_document",
    "read_jws",
    "verify_id_token",
    "verify_jws",
]

ALGORITHMS = ["RS256"]  # Kakao's discovery: id_token_signing_alg_values_supported
MAX_JWKS_KEYS = 32
"""Kakao publishes two or three keys; a JWKS with more than this is refused unread."""


Refusal = Callable[[str], Exception]
"""Builds the exception for a refused token from its description (an error class will do)."""

_jose: Any = None


def _joserfc() -> Any:
    """joserfc's parts, imported on the first token (``import authlib_kakao`` loads no JOSE) and
    kept: an import statement in a function costs a lookup on every call of a hot path."""
    global _jose
    if _jose is None:
        import types

        from joserfc import errors, jws
        from joserfc.jwk import JWKRegistry

        _jose = types.SimpleNamespace(jws=jws, errors=errors, JWKRegistry=JWKRegistry)
    return _jose


@dataclass(frozen=True)
class ReadJWS:
    """A compact JWS read once: its header checked (RS256, a ``kid``), the parsed object kept for
    the signature check, so the id_token and security events are never read twice."""

    kid: str
    header: Mapping[str, Any]
    compact: Any  # joserfc's CompactSignature


def read_jws(
    token: str | ReadJWS, *, noun: str = "id_token", malformed: Refusal = InvalidIDTokenError,
    refused: Refusal = InvalidIDTokenError,
) -> ReadJWS:  # fmt: skip
    """``token`` read before any key is chosen, so that ``alg`` and ``kid`` fail clearly: RS256
    and a ``kid``, or ``refused``; not a readable compact JWS, ``malformed``.

    ``noun`` names the token in messages (``"id_token"``).
    """
    if isinstance(token, ReadJWS):
        return token
    jose = _joserfc()
    if not isinstance(token, str) or token.count(".") != 2:
        raise malformed(f"the {noun} is not a JWS compact token")
    try:
        compact = jose.jws.extract_compact(token.encode("ascii"))
        header = compact.headers()
    except (jose.errors.JoseError, ValueError, TypeError, UnicodeError):
        raise malformed(f"the {noun}'s header cannot be read") from None
    if header.get("alg") not in ALGORITHMS:
        # Covers alg "none" and HS256 keyed with the public key (key confusion).
        raise refused(f"the {noun} is signed with {header.get('alg')!r}, not RS256")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise refused(f"the {noun}'s header names no signing key (kid)")
    return ReadJWS(kid, dict(header), compact)


@dataclass(frozen=True)
class ParsedJWKS:
    """A JWKS document with its keys imported once, ready for any number of verifications.

    Importing an RSA key costs far more than checking a signature, so a fetched JWKS is parsed
    once (``parse_jwks_document``) and cached parsed; an entry that cannot be imported is
    remembered by its ``kid`` so that a token naming it fails clearly.
    """

    document: Mapping[str, Any]
    keys: Mapping[str, Key]
    unreadable: frozenset[str] = frozenset()


def parse_jwks_document(
    document: Mapping[str, Any], *, max_keys: int = MAX_JWKS_KEYS
) -> ParsedJWKS:
    """Import every key of a JWKS document once.

    Raises:
        InvalidIDTokenError: no ``keys`` list, or more than ``max_keys`` keys (Kakao publishes a
            handful; thousands would make every login slow, so they are refused unread).
    """
    jose = _joserfc()

    keys = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(keys, list):
        raise InvalidIDTokenError("the JWKS has no 'keys' list")
    if len(keys) > max_keys:
        raise InvalidIDTokenError(
            f"the JWKS has {len(keys)} keys, more than the {max_keys} accepted"
        )
    imported: dict[str, Key] = {}
    unreadable: set[str] = set()
    for entry in keys:
        kid = entry.get("kid") if isinstance(entry, Mapping) else None
        if not isinstance(kid, str) or not kid:
            continue  # a key without kid can never be chosen: Kakao's tokens always name one
        try:
            imported[kid] = jose.JWKRegistry.import_key(dict(entry))
        except (jose.errors.JoseError, ValueError, TypeError, KeyError):
            unreadable.add(kid)
    return ParsedJWKS(dict(document), imported, frozenset(unreadable - set(imported)))


def verify_jws(
    token: str | ReadJWS, jwks: Mapping[str, Any] | ParsedJWKS, *, noun: str = "id_token",
    malformed: Refusal = InvalidIDTokenError, refused: Refusal = InvalidIDTokenError,
    unknown_key: Refusal = UnknownSigningKeyError,
) -> dict[str, Any]:  # fmt: skip
    """The payload of ``token`` (a JSON object) once its RS256 signature checks against the key
    of ``jwks`` its header names; the id_token and Kakao's security event tokens share this.

    ``token`` is the compact text or what :func:`read_jws` read of it; ``jwks`` is parsed
    (:class:`ParsedJWKS`) or a JWKS document, parsed once the header passed.

    Raises (each built from a description naming the ``noun``):
        unknown_key: the header's ``kid`` is not in ``jwks`` (refetch it and retry once).
        refused: another algorithm, no ``kid``, an unreadable key, or a bad signature.
        malformed: not a compact JWS, or its payload is not a JSON object.
    """
    jose = _joserfc()
    errors = jose.errors
    read = read_jws(token, noun=noun, malformed=malformed, refused=refused)
    kid = read.kid
    parsed = jwks if isinstance(jwks, ParsedJWKS) else parse_jwks_document(jwks)
    key = parsed.keys.get(kid)
    if key is None:
        if kid in parsed.unreadable:
            raise refused(f"the JWKS entry for the {noun}'s kid could not be read")
        raise unknown_key(
            f"the {noun} is signed with a key not in Kakao's JWKS (keys rotate: refetch it)"
        )
    try:
        # What jwt.decode does once it has read the token; its errors are refused alike.
        if not jose.jws.validate_compact(read.compact, key, algorithms=ALGORITHMS):
            raise errors.BadSignatureError()
    except errors.InvalidKeyIdError:
        raise unknown_key(f"the {noun} is signed with a key not in Kakao's JWKS") from None
    except errors.UnsupportedAlgorithmError:
        raise refused(f"the {noun} is not signed with RS256") from None
    except errors.BadSignatureError:
        raise refused(f"the {noun}'s signature is invalid") from None
    except (errors.JoseError, ValueError, TypeError, KeyError) as exc:
        raise malformed(f"the {noun} was rejected ({type(exc).__name__})") from None
    try:
        claims = json.loads(read.compact.payload)
    except (TypeError, ValueError):
        claims = None
    if not isinstance(claims, dict):  # where jwt.decode raises InvalidPayloadError
        raise malformed(f"the {noun} was rejected (InvalidPayloadError)")
    return claims


def _timestamp(claims: Mapping[str, Any], name: str) -> float:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidIDTokenError(f"the id_token's {name} is not a number")
    try:
        seconds = float(value)  # 10**400 is a valid JSON int, but no float
    except OverflowError:
        seconds = math.inf
    if not math.isfinite(seconds):
        raise InvalidIDTokenError(f"the id_token's {name} is not a usable time")
    return seconds


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
    sub = claims["sub"]
    if not isinstance(sub, str) or not sub:
        # Kakao's sub is the user id as a string; null, a number or an object names nobody.
        raise InvalidIDTokenError(f"the id_token's sub is not a user id ({type(sub).__name__})")
    if claims["iss"] != issuer:
        shown = str(claims["iss"])[:80]
        raise InvalidIDTokenError(f"the id_token was issued by {shown!r}, not {issuer!r}")
    aud = claims["aud"]
    token_audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    # Only strings can name an app; anything else (a hash-unfriendly object) is skipped.
    if not any(isinstance(a, str) and a in audiences for a in token_audiences):
        raise InvalidIDTokenError("the id_token was issued for another app (aud)")
    # OIDC Core 3.1.3.7 (3, 4): several audiences need an azp; an azp present must be ours.
    if len(token_audiences) > 1 and "azp" not in claims:
        raise InvalidIDTokenError("the id_token has several audiences and no azp")
    azp = claims.get("azp")
    if "azp" in claims and not (isinstance(azp, str) and azp in audiences):
        raise InvalidIDTokenError("the id_token was authorized for another app (azp)")
    if _timestamp(claims, "exp") + leeway < now:
        raise InvalidIDTokenError("the id_token has expired")
    if _timestamp(claims, "iat") - leeway > now:
        raise InvalidIDTokenError("the id_token was issued in the future (check the server clock)")
    # Without an expected nonce a token's own nonce proves nothing and harms nothing.
    if nonce is not None and claims.get("nonce") != nonce:
        raise InvalidIDTokenError("the id_token's nonce does not match the login's nonce")


def verify_id_token(
    id_token: str | ReadJWS,
    jwks: Mapping[str, Any] | ParsedJWKS,
    *,
    issuer: str,
    audiences: Collection[str],
    nonce: str | None,
    leeway: int = 120,
    now: float | None = None,
) -> IDTokenClaims:
    """The verified claims of ``id_token``.

    Args:
        jwks: Kakao's JWKS, parsed (:class:`ParsedJWKS`, the fast path) or as its document
            (``{"keys": [...]}``, parsed on the spot).
        issuer: the expected ``iss`` (``https://kauth.kakao.com``).
        audiences: app keys accepted as ``aud``: the REST API key, plus native/JS keys if used.
        nonce: the nonce sent at /oauth/authorize; ``None`` when none was sent.
        leeway: seconds of clock skew tolerated for ``exp`` and ``iat``.

    Raises:
        UnknownSigningKeyError: the token's ``kid`` is not in ``jwks`` (refetch it and retry).
        InvalidIDTokenError: any other failure: signature, algorithm, or a claim.
    """
    claims = verify_jws(id_token, jwks)
    _check_claims(
        claims,
        issuer=issuer,
        audiences=audiences,
        nonce=nonce,
        leeway=leeway,
        now=time.time() if now is None else now,
    )
    return cast("IDTokenClaims", claims)  # the claims _check_claims just required are there
