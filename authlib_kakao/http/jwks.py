"""The one cache of Kakao's JWKS: parsed once per fetched document, refetched by rule, not on demand.

Login (the id_token), SDK-token login and both webhook verifiers ask the cache for the key set
that should hold a ``kid``; the cache says whether that needs a request to Kakao. The rules:

* nothing cached, or the cached set older than ``max_age``: fetch;
* the ``kid`` is in the cached set: no request;
* an unknown ``kid``: fetch again only if the last fetch is at least ``refetch_interval`` old.
  Whoever holds a token chooses its ``kid`` (an SDK id_token, a pushed security event), so a flood
  of made-up ``kid`` s costs Kakao one request per interval, never one per token (Kakao may block
  a client that fetches its JWKS too often).

A fetched set is parsed once (its RSA keys imported, :class:`~authlib_kakao.core.id_token.ParsedJWKS`)
and kept even when the verification that fetched it then fails; an answer that is not a usable
key set is not cached. Concurrent callers share one fetch (the connection's single flight).

The cache holds no I/O: a connection asks :meth:`JWKSCache.usable_for` (``None``: fetch), sends
the request, and hands the parsed set to :meth:`JWKSCache.store`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authlib_kakao.core.id_token import ParsedJWKS

__all__ = ["JWKS_MAX_AGE", "JWKS_REFETCH_INTERVAL", "JWKSCache"]

JWKS_REFETCH_INTERVAL = 60.0
"""Seconds between two JWKS fetches for unknown ``kid`` s: anyone can present tokens naming made-up
keys, and Kakao may block clients that fetch its JWKS too often."""

JWKS_MAX_AGE = 86400.0
"""Seconds a fetched JWKS is used before it is fetched again (a key Kakao withdrew stops counting)."""


class JWKSCache:
    """Kakao's key set for one ``kauth_url``, shared by every verifier of a connection.

    Args:
        refetch_interval: the least time between two fetches made for an unknown ``kid``.
        max_age: how long a fetched set is used before it is fetched again.
        clock: monotonic seconds (a test may move its own clock).
    """

    def __init__(
        self,
        *,
        refetch_interval: float = JWKS_REFETCH_INTERVAL,
        max_age: float = JWKS_MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.refetch_interval = refetch_interval
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: ParsedJWKS | None = None
        self._fetched_at = -math.inf
        self.fetches = 0
        """Key sets fetched and stored so far (what a benchmark or a test counts)."""

    def __repr__(self) -> str:
        held = "empty" if self._keys is None else f"{len(self._keys.keys)} keys"
        return f"JWKSCache({held}, refetch_interval={self.refetch_interval:g})"

    @property
    def keys(self) -> ParsedJWKS | None:
        """The cached key set, if any (fresh or not)."""
        return self._keys

    def usable_for(self, kid: str | None) -> ParsedJWKS | None:
        """The cached set when a token naming ``kid`` should be verified with it, ``None`` when
        the rules say to fetch first."""
        with self._lock:
            keys, age = self._keys, self._clock() - self._fetched_at
        if keys is None or age >= self.max_age:
            return None
        if kid is None or kid in keys.keys or kid in keys.unreadable:
            return keys
        return None if age >= self.refetch_interval else keys

    def store(self, keys: ParsedJWKS) -> ParsedJWKS:
        """Keep ``keys``, fetched just now; returns them."""
        with self._lock:
            self._keys, self._fetched_at = keys, self._clock()
            self.fetches += 1
        return keys

    def seed(self, document: Mapping[str, Any]) -> None:
        """Start from a JWKS document given at registration (Authlib's ``jwks`` metadata); it
        counts as fetched now."""
        from authlib_kakao.core.id_token import parse_jwks_document

        with self._lock:
            self._keys, self._fetched_at = parse_jwks_document(document), self._clock()
