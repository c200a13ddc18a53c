"""The emulator's RS256 signing keys: the JWKS it publishes and the id_tokens it signs."""

from __future__ import annotations

import secrets
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

__all__ = ["SigningKeys"]


class SigningKeys:
    """A current signing key plus the older ones still published, as Kakao keeps them during rotation."""

    def __init__(self, first: RSAKey | None = None) -> None:
        # ``first``: start from an existing key, so a reset emulator publishes its original kid
        # again without paying for a new 2048-bit key.
        self._keys: list[RSAKey] = [first] if first is not None else [self._new_key()]

    @property
    def first(self) -> RSAKey:
        """The oldest published key (the emulator keeps its very first one to reset to)."""
        return self._keys[0]

    @property
    def kids(self) -> list[str]:
        """The published kids, oldest first."""
        return [str(k.kid) for k in self._keys]

    @staticmethod
    def _new_key() -> RSAKey:
        # Kakao's kids are 30 hex characters (reference §3.2).
        kid = secrets.token_hex(15)
        key: RSAKey = RSAKey.generate_key(
            2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"}
        )
        return key

    @property
    def current(self) -> RSAKey:
        return self._keys[-1]

    def rotate(self, *, keep_old: bool = True) -> str:
        """Start signing with a new key; returns its kid. ``keep_old=False`` unpublishes the others."""
        key = self._new_key()
        self._keys = [*self._keys, key] if keep_old else [key]
        return str(key.kid)

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document, newest key first."""
        return {"keys": [k.as_dict(private=False) for k in reversed(self._keys)]}

    def sign(self, claims: dict[str, Any], *, typ: str = "JWT") -> str:
        """An RS256 JWT over ``claims``, signed with the current key: an id_token, or with
        ``typ="secevent+jwt"`` a Security Event Token (RFC 8417)."""
        header = {"alg": "RS256", "kid": self.current.kid, "typ": typ}
        return jwt.encode(header, claims, self.current, algorithms=["RS256"])

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of an id_token this emulator signed, or None when the signature is not ours."""
        try:
            decoded = jwt.decode(token, KeySet(list(self._keys)), algorithms=["RS256"])
        except (JoseError, ValueError):
            return None
        return dict(decoded.claims)
