"""BodyReader: decoded size capped before anything is inflated past it; deadlines as errors."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import pytest

from authlib_kakao.errors import KakaoResponseError, KakaoTransportError
from authlib_kakao.http.limits import BodyReader, deadline_of, fits_whole

BODY = b'{"access_token": "' + b"a" * 5000 + b'"}'


def read(headers: dict[str, str], raw: bytes, limit: int = 1 << 20, step: int = 4096) -> bytes:
    reader = BodyReader(headers, limit)
    for start in range(0, len(raw), step):
        reader.feed(raw[start : start + step])
    return reader.body()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [("identity", lambda b: b), ("gzip", gzip.compress), ("deflate", zlib.compress),
     ("GZIP", gzip.compress)],
)  # fmt: skip
def test_encodings_kakao_may_use_are_decoded(encoding: str, encode: object) -> None:
    assert read({"content-encoding": encoding}, encode(BODY)) == BODY  # type: ignore[operator]


def test_a_plain_answer_over_the_limit_is_refused() -> None:
    with pytest.raises(KakaoResponseError, match="larger than 100 bytes"):
        read({}, BODY, limit=100)


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(KakaoResponseError, match="larger than 100 bytes"):
        BodyReader({"content-length": "101"}, 100)


def test_a_gzip_bomb_is_refused_without_being_inflated() -> None:
    bomb = gzip.compress(b"a" * 50_000_000, compresslevel=9)  # ~50 KB that inflate to 50 MB
    tracemalloc.start()
    try:
        with pytest.raises(KakaoResponseError, match="larger than"):
            read({"content-encoding": "gzip"}, bomb, limit=1 << 20, step=len(bomb))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert peak < 8 << 20  # a bound, not a speed target: inflating whole would take 50 MB


@pytest.mark.parametrize("headers", [{"content-encoding": "br"}, {"content-encoding": "gzip, br"}])
def test_encodings_that_were_not_asked_for_are_refused(headers: dict[str, str]) -> None:
    with pytest.raises(KakaoResponseError, match="not asked for"):
        BodyReader(headers, 100)


def test_a_corrupt_compressed_answer_is_a_response_error() -> None:
    with pytest.raises(KakaoResponseError, match="corrupt"):
        read({"content-encoding": "gzip"}, gzip.compress(BODY)[:10] + b"\xff" * 40)


def test_a_truncated_compressed_answer_keeps_what_arrived() -> None:
    assert read({"content-encoding": "gzip"}, gzip.compress(BODY)[:-8]) == BODY


def test_reading_past_the_deadline_is_a_timeout() -> None:
    reader = BodyReader({}, 100, until=time.monotonic() - 1)

    with pytest.raises(KakaoTransportError) as caught:
        reader.feed(b"x")
    assert caught.value.timeout is True


@pytest.mark.parametrize(
    ("timeout", "deadline"),
    [(10, 10.0), (2.5, 2.5), ((3, 7), 10.0), ((3, None), 3.0), (None, None), (True, None),
     ({"connect": 5.0, "read": 5.0, "write": 5.0, "pool": 5.0}, 5.0), ({"read": None}, None)],
)  # fmt: skip
def test_deadline_of_every_timeout_shape(timeout: object, deadline: float | None) -> None:
    assert deadline_of(timeout) == deadline


@pytest.mark.parametrize(
    ("headers", "fits"),
    [
        ({"content-length": "120"}, True),
        ({"content-length": "120", "content-encoding": "identity"}, True),
        ({"content-length": "1024"}, True),
        ({"content-length": "1025"}, False),  # over the cap: read by the BodyReader, refused
        ({"content-length": "120", "content-encoding": "gzip"}, False),  # inflates: read bounded
        ({}, False),  # chunked: length unknown
        ({"content-length": "-1"}, False),
        ({"content-length": "１２"}, False),  # non-ASCII digits
    ],
)
def test_only_a_plain_answer_of_a_declared_small_length_is_read_whole(
    headers: dict[str, str], fits: bool
) -> None:
    assert fits_whole(headers, 1024) is fits
