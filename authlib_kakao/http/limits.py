"""Every call bounded: a deadline for the whole call, and a cap on the answer's decoded size.

The HTTP libraries' own ``timeout`` bounds each socket operation, not the call, and they decode a
compressed body whole: a 50 KB gzip answer can inflate to 50 MB in one step. The session classes
(``integrations.requests_client``, ``integrations.httpx_client``) therefore read raw bytes and feed
them to a :class:`BodyReader`, which decodes gzip/deflate itself, never producing more than the cap.
"""

from __future__ import annotations

import time
import zlib
from typing import Any

from authlib_kakao.errors import KakaoResponseError, KakaoTransportError

__all__ = ["ACCEPT_ENCODING", "BodyReader", "deadline_of", "fits_whole", "timed_out"]

ACCEPT_ENCODING = "gzip, deflate"
"""What the sessions ask for: the encodings :class:`BodyReader` decodes with a bound."""

_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def deadline_of(timeout: Any) -> float | None:
    """The whole-call deadline in seconds for a requests ``timeout`` (a number or a (connect,
    read) pair) or an httpx per-request timeout dict; ``None`` for no timeout at all."""
    if isinstance(timeout, dict):  # httpx: {"connect": 10.0, "read": 10.0, ...}
        values = [v for v in timeout.values() if isinstance(v, (int, float))]
        return max(values) if values else None
    if isinstance(timeout, (tuple, list)):  # requests: (connect, read)
        values = [v for v in timeout if isinstance(v, (int, float))]
        return float(sum(values)) if values else None
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return float(timeout)
    return None


def fits_whole(headers: Any, limit: int) -> bool:
    """Whether an answer can be read as it comes: not encoded, and a declared length within
    ``limit`` (the HTTP library then refuses a body longer or shorter than declared)."""
    encoding = str(headers.get("content-encoding") or "identity").strip().lower()
    declared = str(headers.get("content-length") or "").strip()
    return (
        encoding == "identity"
        and declared.isascii()
        and declared.isdigit()
        and int(declared) <= limit
    )


def timed_out(seconds: float | None = None) -> KakaoTransportError:
    """The error for a call that passed its deadline (of ``seconds``, when known)."""
    deadline = f"the {seconds:g} s deadline" if seconds is not None else "its deadline"
    return KakaoTransportError(f"Kakao did not answer completely within {deadline}", timeout=True)


class BodyReader:
    """Decode and collect an answer's raw bytes, refusing it past ``limit`` decoded bytes or the
    ``until`` deadline (``time.monotonic()``), before it is read or inflated any further."""

    def __init__(self, headers: Any, limit: int, until: float | None = None) -> None:
        self.limit = limit
        self.until = until
        self._body = bytearray()
        encoding = str(headers.get("content-encoding") or "identity").strip().lower()
        if encoding not in ("identity", *_WBITS):
            raise KakaoResponseError(
                f"Kakao's answer is encoded as {encoding[:40]!r}, which was not asked for"
            )
        self._inflate = zlib.decompressobj(_WBITS[encoding]) if encoding in _WBITS else None
        declared = str(headers.get("content-length") or "").strip()
        too_long = declared.isascii() and declared.isdigit() and int(declared) > limit
        if self._inflate is None and too_long:
            raise self._too_large()

    def feed(self, chunk: bytes) -> None:
        """Take the next raw chunk."""
        if self.until is not None and time.monotonic() > self.until:
            raise timed_out()
        if self._inflate is None:
            self._keep(chunk)
            return
        data = chunk
        try:
            while data:
                # At most one byte past the cap is ever inflated: enough to know it is too large.
                self._keep(self._inflate.decompress(data, self.limit - len(self._body) + 1))
                data = self._inflate.unconsumed_tail
        except zlib.error:
            raise KakaoResponseError("Kakao's compressed answer is corrupt") from None

    def body(self) -> bytes:
        """The whole decoded body."""
        if self._inflate is not None:
            try:
                self._keep(self._inflate.flush())
            except zlib.error:
                raise KakaoResponseError("Kakao's compressed answer is corrupt") from None
        return bytes(self._body)

    def _keep(self, data: bytes) -> None:
        self._body += data
        if len(self._body) > self.limit:
            raise self._too_large()

    def _too_large(self) -> KakaoResponseError:
        return KakaoResponseError(
            f"Kakao's answer is larger than {self.limit} bytes "
            f"(register_kakao(max_response_bytes=...)); it was not read"
        )
