"""The one JWKS cache: its rules (unit), and the connection that follows them against the emulator:
one fetch and one parse for a crowd, one refetch per interval for a flood of made-up kids, a
fetched set kept when the token then fails, an unusable answer never cached."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

import authlib_kakao.http.connection as connection_module
from authlib_kakao import InvalidIDTokenError, KakaoResponseError, UnknownSigningKeyError
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.core.flows import id_token_flow
from authlib_kakao.core.id_token import parse_jwks_document
from authlib_kakao.http.connection import AsyncKakaoConnection, KakaoConnection
from authlib_kakao.http.jwks import JWKSCache
from authlib_kakao.settings import KakaoSettings
from authlib_kakao.testing import KakaoEmulator

KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def document(*keys: RSAKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


# -- the rules ---------------------------------------------------------------------------------


def test_an_empty_cache_fetches_and_a_known_kid_does_not() -> None:
    cache = JWKSCache(clock=Clock())
    assert cache.usable_for("k1") is None

    keys = cache.store(parse_jwks_document(document(KEY)))

    assert cache.usable_for("k1") is keys
    assert cache.fetches == 1


def test_an_unknown_kid_refetches_only_once_the_interval_has_passed() -> None:
    clock = Clock()
    cache = JWKSCache(refetch_interval=60, clock=clock)
    cache.store(parse_jwks_document(document(KEY)))

    clock.now += 59.9
    assert cache.usable_for("made-up") is not None  # verified (and refused) with the set held
    clock.now += 0.1
    assert cache.usable_for("made-up") is None


def test_a_set_past_its_max_age_is_fetched_again_even_for_a_known_kid() -> None:
    clock = Clock()
    cache = JWKSCache(max_age=3600, clock=clock)
    cache.store(parse_jwks_document(document(KEY)))

    clock.now += 3600

    assert cache.usable_for("k1") is None


# -- the connection, against the emulator ------------------------------------------------------


def token(emulator: KakaoEmulator, kid: str | None = None) -> str:
    """An id_token the emulator signed, or one naming a ``kid`` Kakao never published."""
    if kid is None:
        emulator.app.oidc = True
        return str(emulator.issue_tokens(openid=True)["id_token"])
    claims = {"iss": "https://kauth.kakao.com", "aud": emulator.app.client_id, "sub": "1"}
    return jwt.encode({"alg": "RS256", "kid": kid}, claims, KEY)


def verify_flow(emulator: KakaoEmulator, id_token: str) -> Any:
    return id_token_flow(
        id_token,
        endpoints=KakaoEndpoints(kauth_url=str(emulator.url)),
        audiences=(emulator.app.client_id,),
        nonce=None,
        leeway=120,
    )


def connect(emulator: KakaoEmulator, cls: type[Any] = KakaoConnection, **cache: Any) -> Any:
    settings = KakaoSettings(endpoints=KakaoEndpoints(kauth_url=str(emulator.url)))
    return cls(settings, jwks=JWKSCache(**cache))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts key-set parses (RSA key imports are what a parse costs)."""
    import authlib_kakao.core.calls as calls

    counted: list[int] = []
    real = calls.parse_jwks_document

    def counting(doc: Any, **kwargs: Any) -> Any:
        counted.append(1)
        return real(doc, **kwargs)

    monkeypatch.setattr(calls, "parse_jwks_document", counting)
    return counted


def test_100_concurrent_first_verifications_make_one_fetch_and_one_parse(
    kakao_emulator: KakaoEmulator, parses: list[int]
) -> None:
    conn = connect(kakao_emulator)
    id_token = token(kakao_emulator)
    start = threading.Barrier(100)
    results: list[Any] = []

    def verify() -> None:
        start.wait()
        results.append(conn.run(verify_flow(kakao_emulator, id_token))["sub"])

    threads = [threading.Thread(target=verify) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == [str(kakao_emulator.user.id)] * 100
    assert kakao_emulator.count("/.well-known/jwks.json") == 1
    assert len(parses) == 1


async def test_100_concurrent_first_verifications_on_asyncio_make_one_fetch_and_one_parse(
    kakao_emulator: KakaoEmulator, parses: list[int]
) -> None:
    conn = connect(kakao_emulator, AsyncKakaoConnection)
    id_token = token(kakao_emulator)

    claims = await asyncio.gather(
        *(conn.run(verify_flow(kakao_emulator, id_token)) for _ in range(100))
    )

    assert {c["sub"] for c in claims} == {str(kakao_emulator.user.id)}
    assert kakao_emulator.count("/.well-known/jwks.json") == 1
    assert len(parses) == 1
    await conn.close()


def test_a_flood_of_made_up_kids_costs_one_fetch_per_interval(
    kakao_emulator: KakaoEmulator,
) -> None:
    clock = Clock()
    conn = connect(kakao_emulator, refetch_interval=60, clock=clock)
    conn.run(verify_flow(kakao_emulator, token(kakao_emulator)))

    refused = 0
    for second in range(120):  # two minutes of one forged token a second
        clock.now += 1
        with pytest.raises(UnknownSigningKeyError):
            conn.run(verify_flow(kakao_emulator, token(kakao_emulator, kid=f"forged-{second}")))
        refused += 1

    assert refused == 120
    assert kakao_emulator.count("/.well-known/jwks.json") == 1 + 2


def test_a_set_fetched_for_a_token_that_then_fails_is_kept(kakao_emulator: KakaoEmulator) -> None:
    conn = connect(kakao_emulator)
    wrong_audience = token(kakao_emulator).split(".")  # valid signature, another app's aud
    flow = id_token_flow(
        ".".join(wrong_audience),
        endpoints=KakaoEndpoints(kauth_url=str(kakao_emulator.url)),
        audiences=("another-app",),
        nonce=None,
        leeway=120,
    )
    with pytest.raises(InvalidIDTokenError, match="another app"):
        conn.run(flow)

    conn.run(verify_flow(kakao_emulator, token(kakao_emulator)))

    assert kakao_emulator.count("/.well-known/jwks.json") == 1
    assert conn.jwks.fetches == 1


def test_an_answer_that_is_not_a_key_set_is_not_cached(
    kakao_emulator: KakaoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = connect(kakao_emulator)
    kakao_emulator.inject_fault("/.well-known/jwks.json", status=502, body="<html>bad</html>")

    with pytest.raises(KakaoResponseError):
        conn.run(verify_flow(kakao_emulator, token(kakao_emulator)))
    assert conn.jwks.keys is None

    assert conn.run(verify_flow(kakao_emulator, token(kakao_emulator)))["sub"]
    assert kakao_emulator.count("/.well-known/jwks.json") == 2


def test_the_connection_module_imports_no_http_library_at_import() -> None:
    assert "requests" not in vars(connection_module)
    assert "httpx" not in vars(connection_module)
