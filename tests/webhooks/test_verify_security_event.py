"""verify_security_event: Kakao's token is accepted; forged, foreign and garbled ones are refused."""

from __future__ import annotations

import contextlib
import functools
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc.jwk import RSAKey
from webhook_tokens import (
    ISSUER,
    USER_ID,
    alg_none,
    foreign_key,
    hs256_with_public_key,
    set_claims,
    sign,
    tampered,
    unsigned,
)

from authlib_kakao.core.id_token import parse_jwks_document
from authlib_kakao.webhooks import (
    EVENT_TYPES,
    EventType,
    SecurityEvent,
    WebhookAuthError,
    WebhookPayloadError,
    verify_security_event,
)

CLIENT_ID = "rest-api-key"


@functools.cache
def kakao_key() -> RSAKey:
    return RSAKey.generate_key(
        2048, parameters={"kid": "9f252dadd5f233f93d2fa528d12fea", "alg": "RS256"}
    )


def jwks() -> dict[str, Any]:
    return {"keys": [kakao_key().as_dict(private=False)]}


def token(**changes: Any) -> str:
    return sign(set_claims(CLIENT_ID, **changes), kakao_key())


def verify(value: str | bytes, **options: Any) -> SecurityEvent:
    kwargs: dict[str, Any] = {"audience": CLIENT_ID, "jwks": jwks()}
    kwargs.update(options)
    return verify_security_event(value, **kwargs)


def test_kakaos_token_gives_the_event() -> None:
    claims = set_claims(CLIENT_ID)

    event = verify(sign(claims, kakao_key()))

    assert event.jti == claims["jti"]
    assert event.iat == claims["iat"]
    assert event.sub == str(USER_ID)
    assert event.user_id == USER_ID
    assert event.iss == ISSUER
    assert event.aud == (CLIENT_ID,)
    assert event.types == (EventType.USER_UNLINKED,)
    assert event.events[EventType.USER_UNLINKED]["subject"]["id"] == str(USER_ID)
    assert (event.toe, event.txn) == (claims["toe"], "txn-1")
    assert event.claims == claims


def test_the_raw_body_as_bytes_with_a_trailing_newline() -> None:
    assert verify(token().encode() + b"\r\n").user_id == USER_ID


def test_a_parsed_jwks_serves_too() -> None:
    assert verify(token(), jwks=parse_jwks_document(jwks())).sub == str(USER_ID)


def test_another_app_key_is_accepted_when_allowed() -> None:
    event = verify(token(aud=["native-app-key", "other"]), audience=[CLIENT_ID, "native-app-key"])

    assert event.aud == ("native-app-key", "other")


def test_a_token_without_sub_is_accepted() -> None:
    event = verify(token(sub=None))

    assert (event.sub, event.user_id) == (None, None)


def test_an_unknown_event_type_arrives_under_its_uri() -> None:
    uri = "https://schemas.kakao.com/platevent/kakao/event-type/something-new"

    assert verify(token(events={uri: {}})).types == (uri,)


def test_the_event_types_are_the_referenced_uris() -> None:
    assert len(EVENT_TYPES) == 18
    assert all(uri.startswith("https://schemas.") for uri in EVENT_TYPES)
    assert EventType.USER_PROFILE_CHANGED in EVENT_TYPES


NOW = int(time.time())

# name -> (token builder, expected error class, RFC 8935 err)
REFUSALS: dict[str, tuple[Any, type[Exception], str]] = {
    "bad signature": (lambda: tampered(token(), sub="1"), WebhookAuthError, "invalid_key"),
    "foreign kid": (
        lambda: sign(set_claims(CLIENT_ID), foreign_key()),
        WebhookAuthError,
        "invalid_key",
    ),
    "foreign key, Kakao's kid": (
        lambda: sign(set_claims(CLIENT_ID), foreign_key(), kid=kakao_key().kid),
        WebhookAuthError,
        "invalid_key",
    ),
    "alg none": (
        lambda: alg_none(set_claims(CLIENT_ID), kakao_key().kid),
        WebhookAuthError,
        "invalid_key",
    ),
    "HS256 with the public key": (
        lambda: hs256_with_public_key(set_claims(CLIENT_ID), kakao_key()),
        WebhookAuthError,
        "invalid_key",
    ),
    "RS512": (
        lambda: unsigned(
            {"alg": "RS512", "kid": kakao_key().kid}, set_claims(CLIENT_ID), b"s" * 256
        ),
        WebhookAuthError,
        "invalid_key",
    ),
    "wrong aud": (lambda: token(aud="another-app"), WebhookAuthError, "invalid_audience"),
    "aud a number": (lambda: token(aud=12), WebhookAuthError, "invalid_audience"),
    "wrong iss": (lambda: token(iss="https://evil.example"), WebhookAuthError, "invalid_issuer"),
    "events missing": (lambda: token(events=None), WebhookPayloadError, "invalid_request"),
    "events empty": (lambda: token(events={}), WebhookPayloadError, "invalid_request"),
    "events a list": (
        lambda: token(events=[EventType.USER_UNLINKED]),
        WebhookPayloadError,
        "invalid_request",
    ),
    "event not an object": (
        lambda: token(events={EventType.USER_UNLINKED: "yes"}),
        WebhookPayloadError,
        "invalid_request",
    ),
    "jti missing": (lambda: token(jti=None), WebhookPayloadError, "invalid_request"),
    "jti a number": (lambda: token(jti=7), WebhookPayloadError, "invalid_request"),
    "iat missing": (lambda: token(iat=None), WebhookPayloadError, "invalid_request"),
    "iat a string": (lambda: token(iat=str(NOW)), WebhookPayloadError, "invalid_request"),
    "iat huge": (lambda: token(iat=10**400), WebhookPayloadError, "invalid_request"),
    "iat in the future": (lambda: token(iat=NOW + 3600), WebhookPayloadError, "invalid_request"),
    "expired": (lambda: token(exp=NOW - 3600), WebhookPayloadError, "invalid_request"),
    "sub an object": (lambda: token(sub={"id": 1}), WebhookPayloadError, "invalid_request"),
    "not a JWS": (lambda: "hello", WebhookPayloadError, "invalid_request"),
    "two parts": (lambda: "a.b", WebhookPayloadError, "invalid_request"),
    "unreadable header": (lambda: "!!.??.**", WebhookPayloadError, "invalid_request"),
    "no kid": (
        lambda: unsigned({"alg": "RS256"}, set_claims(CLIENT_ID), b"s" * 256),
        WebhookAuthError,
        "invalid_key",
    ),
    "not ascii": (lambda: "토큰.토큰.토큰".encode(), WebhookPayloadError, "invalid_request"),
    "too long": (lambda: "a." * 40_000 + "a", WebhookPayloadError, "invalid_request"),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_token_raises_a_webhook_error(case: tuple[Any, type[Exception], str]) -> None:
    build, error, err = case
    value = build()

    with pytest.raises(error) as info:
        verify(value)

    assert info.value.status_code == 400  # type: ignore[attr-defined]
    assert info.value.err == err  # type: ignore[attr-defined]
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    for part in text.split("."):
        if len(part) >= 8:
            assert part not in str(info.value)


def test_an_id_token_is_not_a_security_event() -> None:
    # Same issuer, key and audience: only the events claim tells them apart.
    id_token = sign(
        {"iss": ISSUER, "aud": CLIENT_ID, "sub": "1", "iat": NOW, "exp": NOW + 60}, kakao_key()
    )

    with pytest.raises(WebhookPayloadError, match="no events"):
        verify(id_token)


def test_an_old_token_is_refused_when_max_age_is_given() -> None:
    old = token(iat=NOW - 3 * 86400)

    assert verify(old).jti
    with pytest.raises(WebhookPayloadError, match="older than"):
        verify(old, max_age=86400)


def test_an_unusable_jwks_is_refused_as_a_key_problem() -> None:
    with pytest.raises(WebhookAuthError, match="JWKS"):
        verify(token(), jwks={"no": "keys"})


def test_no_audience_to_check_is_refused() -> None:
    with pytest.raises(WebhookAuthError):
        verify(token(), audience=[])


@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_any_body_is_either_an_event_or_a_webhook_error(body: str | bytes) -> None:
    with contextlib.suppress(WebhookAuthError, WebhookPayloadError):
        verify(body)


@given(st.dictionaries(st.sampled_from(["iss", "aud", "jti", "iat", "exp", "sub", "toe", "txn", "events"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                                    max_leaves=5)))  # fmt: skip
def test_any_signed_claims_are_either_an_event_or_a_webhook_error(changes: dict[str, Any]) -> None:
    try:
        event = verify(sign(set_claims(CLIENT_ID, **changes), kakao_key()))
    except (WebhookAuthError, WebhookPayloadError):
        return
    assert isinstance(event.events, dict)
