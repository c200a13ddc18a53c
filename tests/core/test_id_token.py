"""verify_id_token: the good token passes, every attack from issue 3 is rejected."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jws, jwt
from joserfc.jwk import JWKRegistry, RSAKey
from tables import resolve, table

from authlib_kakao.core.id_token import MAX_JWKS_KEYS, parse_jwks_document, verify_id_token
from authlib_kakao.errors import InvalidIDTokenError, UnknownSigningKeyError

ISSUER = "https://kauth.kakao.com"
CLIENT_ID = "rest-api-key"
NOW = 1_700_000_000
KEY = RSAKey.generate_key(
    2048, parameters={"kid": "3f96980381e451efad0d2ddd30e3d3", "alg": "RS256"}
)
JWKS = {"keys": [KEY.as_dict(private=False)]}
# The same private key without its "alg": RS256 label, so joserfc lets an attacker sign RS512.
KEY_ANY_ALG = RSAKey.import_key({k: v for k, v in KEY.as_dict(private=True).items() if k != "alg"})


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


@pytest.mark.parametrize("case", table("id_tokens", "good"))
def test_kakaos_documented_payloads_verify(case: dict[str, Any]) -> None:
    payload = resolve(case["claims"])
    token = sign(payload)

    verified = verify_id_token(
        token,
        JWKS,
        issuer=ISSUER,
        audiences=case["audiences"],
        nonce=case["nonce"],
        now=case["now"],
    )

    assert verified == payload


OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "9f252dadd5f233f93d2fa528d12fea"})


def payload_swapped() -> str:
    """Someone else's claims under our valid header and signature."""
    header, _, signature = sign(claims()).split(".")
    return f"{header}.{b64(json.dumps(claims(sub='1')).encode())}.{signature}"


def signed_array_payload() -> str:
    return jws.serialize_compact({"alg": "RS256", "kid": KEY.kid}, b"[1]", KEY)


# Each attack and the reason the error must give (so a rejection for the wrong reason fails).
ATTACKS: dict[str, tuple[Callable[[], str], str]] = {
    "bad_signature": (lambda: sign(claims())[:-6] + "AAAAAA", "signature"),
    "payload_swapped_under_a_valid_signature": (payload_swapped, "signature"),
    "alg_none": (lambda: unsigned({"alg": "none", "kid": KEY.kid}, claims()), "RS256"),
    "alg_none_without_signature_or_kid": (lambda: unsigned({"alg": "none"}, claims()), "RS256"),
    "hs256_signed_with_public_key": (hs256_with_public_key, "RS256"),
    "rs512_with_our_key": (
        lambda: jwt.encode(
            {"alg": "RS512", "kid": KEY.kid}, claims(), KEY_ANY_ALG, algorithms=["RS512"]
        ),
        "RS256",
    ),
    "signed_by_another_key_with_our_kid": (
        lambda: sign(claims(), RSAKey.generate_key(2048), kid=str(KEY.kid)),
        "signature",
    ),
    "no_kid": (lambda: jwt.encode({"alg": "RS256"}, claims(), KEY), "kid"),
    "wrong_aud": (lambda: sign(claims(aud="someone-else")), "aud"),
    "aud_list_without_us": (lambda: sign(claims(aud=["a", "b"], azp="a")), "aud"),
    "aud_not_a_string": (lambda: sign(claims(aud=[{"app": CLIENT_ID}])), "aud"),
    "several_aud_without_azp": (lambda: sign(claims(aud=[CLIENT_ID, "other"])), "azp"),
    "azp_of_another_app": (lambda: sign(claims(azp="other-app")), "azp"),
    "wrong_iss": (lambda: sign(claims(iss="https://evil.example")), "issued by"),
    "iss_with_a_trailing_slash": (lambda: sign(claims(iss=ISSUER + "/")), "issued by"),
    "expired_beyond_leeway": (lambda: sign(claims(exp=NOW - 121)), "expired"),
    "exp_not_a_number": (lambda: sign(claims(exp=str(NOW + 60))), "exp"),
    "exp_not_finite": (lambda: sign(claims(exp=float("nan"))), "exp is not a usable time"),
    "issued_in_the_future": (lambda: sign(claims(iat=NOW + 600)), "future"),
    "nonce_missing": (lambda: sign(claims(nonce=None)), "nonce"),
    "nonce_different": (lambda: sign(claims(nonce="n-2")), "nonce"),
    "missing_sub": (lambda: sign(claims(sub=None)), "'sub'"),
    "sub_null": (lambda: sign({**claims(), "sub": None}), "sub is not a user id"),
    "sub_a_number": (lambda: sign(claims(sub=4242)), "sub is not a user id"),
    "sub_an_object": (lambda: sign(claims(sub={"id": "4242"})), "sub is not a user id"),
    "sub_empty": (lambda: sign(claims(sub="")), "sub is not a user id"),
    "exp_absurdly_large": (lambda: sign(claims(exp=10**400)), "exp is not a usable time"),
    "iat_absurdly_large": (lambda: sign(claims(iat=10**400)), "iat is not a usable time"),
    "missing_exp": (lambda: sign(claims(exp=None)), "'exp'"),
    "not_a_jwt": (lambda: "not-a-token", "JWS"),
    "garbage_header": (lambda: "e30x.e30.e30", "header"),
    "signed_payload_not_a_claims_object": (signed_array_payload, "rejected"),
}


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacks_are_rejected_for_the_right_reason(attack: str) -> None:
    make, reason = ATTACKS[attack]

    with pytest.raises(InvalidIDTokenError, match=reason) as caught:
        verify(make())

    # Only an unknown kid may make the provider refetch the JWKS.
    assert type(caught.value) is InvalidIDTokenError


def test_the_reason_is_in_the_message_with_a_hint() -> None:
    with pytest.raises(InvalidIDTokenError) as caught:
        verify(sign(claims(aud="someone-else")))

    assert str(caught.value).startswith("invalid_id_token: the id_token was issued for another app")
    assert "allowed_audiences" in caught.value.hint


def test_audiences_may_be_any_collection() -> None:
    token = sign(claims(aud=[{"app": CLIENT_ID}, CLIENT_ID], azp=CLIENT_ID))

    assert verify(token, audiences=frozenset({CLIENT_ID}))["azp"] == CLIENT_ID


def test_unknown_kid_says_so_so_the_caller_can_refetch_the_jwks() -> None:
    with pytest.raises(UnknownSigningKeyError, match="not in Kakao's JWKS"):
        verify(sign(claims(), OTHER_KEY))


def test_after_a_refetch_the_rotated_key_verifies() -> None:
    rotated = {"keys": [*JWKS["keys"], OTHER_KEY.as_dict(private=False)]}

    claims_ = verify_id_token(sign(claims(), OTHER_KEY), rotated, issuer=ISSUER,
                              audiences=[CLIENT_ID], nonce="n-1", now=NOW)  # fmt: skip

    assert claims_["sub"] == "4242"


def test_an_empty_jwks_is_an_unknown_key() -> None:
    with pytest.raises(UnknownSigningKeyError):
        verify_id_token(sign(claims()), {"keys": []}, issuer=ISSUER,
                        audiences=[CLIENT_ID], nonce="n-1", now=NOW)  # fmt: skip


@pytest.mark.parametrize(
    "jwks",
    [{"keys": [{"kty": "nope", "kid": KEY.kid}]}, {"keys": "x"}, {}, {"keys": [{"kid": KEY.kid}]}],
)
def test_a_broken_jwks_is_an_id_token_error(jwks: dict[str, Any]) -> None:
    with pytest.raises(InvalidIDTokenError):
        verify_id_token(sign(claims()), jwks, issuer=ISSUER,
                        audiences=[CLIENT_ID], nonce="n-1", now=NOW)  # fmt: skip


def test_a_parsed_jwks_verifies_without_importing_keys_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed = parse_jwks_document(JWKS)

    def no_import(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a key was imported again")

    monkeypatch.setattr(JWKRegistry, "import_key", no_import)
    for _ in range(3):
        verified = verify_id_token(sign(claims()), parsed, issuer=ISSUER,
                                   audiences=[CLIENT_ID], nonce="n-1", now=NOW)  # fmt: skip
        assert verified["sub"] == "4242"


def test_one_unreadable_key_does_not_spoil_the_others() -> None:
    mixed = {"keys": [{"kty": "nope", "kid": "broken"}, *JWKS["keys"]]}
    parsed = parse_jwks_document(mixed)

    assert verify_id_token(sign(claims()), parsed, issuer=ISSUER, audiences=[CLIENT_ID],
                           nonce="n-1", now=NOW)["sub"] == "4242"  # fmt: skip
    with pytest.raises(InvalidIDTokenError, match="could not be read") as caught:
        verify_id_token(sign(claims(), kid="broken"), parsed, issuer=ISSUER,
                        audiences=[CLIENT_ID], nonce="n-1", now=NOW)  # fmt: skip
    assert type(caught.value) is InvalidIDTokenError  # refetching would not help


def test_a_jwks_document_with_too_many_keys_is_refused() -> None:
    many = {"keys": [dict(JWKS["keys"][0], kid=str(i)) for i in range(MAX_JWKS_KEYS + 1)]}

    with pytest.raises(InvalidIDTokenError, match="more than the"):
        parse_jwks_document(many)
