"""Reference §6.2: the Security Event Tokens the emulator POSTs, checked by a real HTTP receiver.

Each SET is verified the way a service must: against the JWKS the emulator serves, with joserfc.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from kapi_client import Kapi
from kauth_client import Kauth
from webhook_receiver import Hit, Receiver, running_receiver

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing import event_tokens as se


@pytest.fixture
def sets() -> Iterator[Receiver]:
    """The service's SET endpoint: answers 202, as a receiver should."""
    with running_receiver("/kakao/events", status=202) as rec:
        yield rec


@pytest.fixture
def hook() -> Iterator[Receiver]:
    """The service's unlink webhook."""
    with running_receiver("/kakao/unlink") as rec:
        yield rec


@pytest.fixture
def emu(emu: KakaoEmulator, sets: Receiver) -> KakaoEmulator:
    emu.app.security_event_url = sets.url
    return emu


def verified(emu: KakaoEmulator, token: str) -> jwt.Token:
    """The SET decoded with the JWKS the emulator serves (signature checked)."""
    jwks = httpx.get(f"{emu.url}/.well-known/jwks.json", timeout=10).json()
    return jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])


def claims_of(emu: KakaoEmulator, hit: Hit) -> dict[str, Any]:
    return dict(verified(emu, hit.body.decode("ascii")).claims)


def event_of(claims: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    [(uri, event)] = claims["events"].items()  # one event per SET
    return uri, event


# -- the request --------------------------------------------------------------------------------


def test_ref_6_2_a_set_is_posted_as_the_raw_jwt(emu: KakaoEmulator, sets: Receiver) -> None:
    entry = emu.send_security_event(emu.user, se.TOKENS_REVOKED)

    [hit] = sets.hits
    assert hit.method == "POST"
    assert hit.path == "/kakao/events"
    assert hit.headers["content-type"] == "application/secevent+jwt"
    assert "authorization" not in hit.headers  # the signature is the proof, not the admin key
    assert hit.body.count(b".") == 2
    assert hit.body.decode("ascii") == entry.token


def test_ref_6_2_the_set_verifies_against_the_served_jwks(
    emu: KakaoEmulator, sets: Receiver
) -> None:
    emu.send_security_event(emu.user, se.TOKENS_REVOKED)

    token = verified(emu, sets.hits[0].body.decode("ascii"))
    assert token.header == {"alg": "RS256", "typ": "secevent+jwt", "kid": emu.keys.kids[-1]}


def test_ref_6_2_after_key_rotation_sets_carry_the_new_kid(
    emu: KakaoEmulator, sets: Receiver
) -> None:
    kid = emu.rotate_keys()

    emu.send_security_event(emu.user, se.TOKENS_REVOKED)

    assert verified(emu, sets.hits[0].body.decode("ascii")).header["kid"] == kid


def test_ref_6_2_claims(emu: KakaoEmulator, sets: Receiver) -> None:
    entry = emu.send_security_event(emu.user, se.TOKENS_REVOKED)

    claims = claims_of(emu, sets.hits[0])
    now = int(emu.clock.now())
    assert claims == {
        "iss": "https://kauth.kakao.com",
        "aud": emu.app.client_id,
        "sub": str(emu.user.id),
        "iat": now,
        "toe": now,
        "jti": entry.jti,
        "txn": entry.txn,
        "events": {
            se.TOKENS_REVOKED: {
                "subject": {
                    "subject_type": "iss-sub",
                    "iss": "https://kauth.kakao.com",
                    "sub": str(emu.user.id),
                }
            }
        },
    }
    assert entry.jti
    assert entry.txn


def test_ref_6_2_iss_is_the_emulators_issuer(emu: KakaoEmulator, sets: Receiver) -> None:
    emu.config.issuer = "https://kauth.example.test"

    emu.send_security_event(emu.user, se.ACCOUNT_DISABLED)

    claims = claims_of(emu, sets.hits[0])
    assert claims["iss"] == "https://kauth.example.test"
    assert event_of(claims)[1]["subject"]["iss"] == "https://kauth.example.test"


def test_ref_6_2_every_set_has_its_own_jti(emu: KakaoEmulator, sets: Receiver) -> None:
    for _ in range(3):
        emu.send_security_event(emu.user, se.SESSIONS_REVOKED)

    jtis = [claims_of(emu, hit)["jti"] for hit in sets.hits]
    assert len(set(jtis)) == 3


def test_ref_6_2_toe_is_when_it_happened_iat_when_it_was_sent(
    emu: KakaoEmulator, sets: Receiver
) -> None:
    happened = emu.clock.now() - 60

    emu.send_security_event(emu.user, se.CREDENTIAL_COMPROMISE, toe=happened)

    claims = claims_of(emu, sets.hits[0])
    assert (claims["toe"], claims["iat"]) == (int(happened), int(emu.clock.now()))


@pytest.mark.parametrize("uri", sorted(se.EVENT_TYPES.values()))
def test_ref_6_2_every_listed_event_type_is_sent_by_uri_and_by_short_name(
    emu: KakaoEmulator, sets: Receiver, uri: str
) -> None:
    emu.send_security_event(emu.user, uri)
    emu.send_security_event(emu.user, uri.rsplit("/", 1)[1])

    assert [event_of(claims_of(emu, hit))[0] for hit in sets.hits] == [uri, uri]


def test_ref_6_2_an_unknown_event_type_is_refused(emu: KakaoEmulator, sets: Receiver) -> None:
    with pytest.raises(ValueError, match="tokens-revoked"):
        emu.send_security_event(emu.user, "https://schemas.openid.net/secevent/oauth/event-type/x")

    assert sets.hits == []


def test_ref_6_2_reason_and_payload_go_into_the_event(emu: KakaoEmulator, sets: Receiver) -> None:
    emu.send_security_event(
        emu.user, se.ACCOUNT_DISABLED, reason="hijacking", payload={"initiating_entity": "admin"}
    )

    _, event = event_of(claims_of(emu, sets.hits[0]))
    assert event["reason"] == "hijacking"
    assert event["initiating_entity"] == "admin"


def test_ref_6_2_202_is_success_and_nothing_else(emu: KakaoEmulator, sets: Receiver) -> None:
    sets.statuses = [202, 200, 204, 400]

    entries = [emu.send_security_event(emu.user, se.TOKENS_REVOKED) for _ in range(4)]

    assert [(e.status, e.ok) for e in entries] == [
        (202, True),
        (200, False),
        (204, False),
        (400, False),
    ]


def test_ref_6_2_a_slow_receiver_is_a_failed_delivery(emu: KakaoEmulator, sets: Receiver) -> None:
    sets.hold = True
    emu.config.webhook_timeout = 0.05  # Kakao's 3 s, shortened so the test does not wait

    entry = emu.send_security_event(emu.user, se.TOKENS_REVOKED)

    assert (entry.status, entry.ok) == (None, False)
    assert entry.error is not None
    assert "timed out" in entry.error


def test_ref_6_2_an_app_without_a_receiver_is_refused(emu: KakaoEmulator) -> None:
    emu.app.security_event_url = None

    with pytest.raises(ValueError, match="security_event_url"):
        emu.send_security_event(emu.user, se.TOKENS_REVOKED)


def test_ref_6_2_sse_configuration(emu: KakaoEmulator) -> None:
    document = httpx.get(f"{emu.url}/.well-known/sse-configuration", timeout=10).json()

    assert document == {
        "issuer": "https://kauth.kakao.com",
        "jwks_uri": f"{emu.url}/.well-known/jwks.json",
        "delivery_methods_supported": "http://schemas.openid.net/secevent/risc/delivery-method/push",
    }


# -- redelivery ---------------------------------------------------------------------------------


def test_ref_6_2_redelivery_sends_the_same_set_with_the_same_jti(
    emu: KakaoEmulator, sets: Receiver
) -> None:
    first = emu.send_security_event(emu.user, se.TOKENS_REVOKED)

    again = emu.redeliver(first.jti or "")

    assert sets.hits[0].body == sets.hits[1].body
    assert claims_of(emu, sets.hits[1])["jti"] == first.jti
    assert (again.jti, again.redelivery, again.ok) == (first.jti, True, True)
    assert [d.redelivery for d in emu.webhook_deliveries()] == [False, True]


def test_ref_6_2_redelivering_an_unknown_jti_is_refused(emu: KakaoEmulator) -> None:
    with pytest.raises(ValueError, match="no security event"):
        emu.redeliver("never-sent")


def test_ref_6_2_a_retry_keeps_the_jti(emu: KakaoEmulator, sets: Receiver) -> None:
    emu.config.webhook_retries = 1
    sets.statuses = [503]

    entry = emu.send_security_event(emu.user, se.TOKENS_REVOKED)

    assert [claims_of(emu, hit)["jti"] for hit in sets.hits] == [entry.jti, entry.jti]
    assert [(d.attempt, d.ok) for d in emu.webhook_deliveries()] == [(1, False), (2, True)]


# -- Kakao-side changes: state and SETs ---------------------------------------------------------


def test_ref_6_2_account_deleted_unlinks_revokes_notifies_and_forgets_the_account(
    emu: KakaoEmulator, sets: Receiver, hook: Receiver, kapi: Kapi, kauth: Kauth
) -> None:
    emu.app.webhook_url = hook.url
    tokens = emu.issue_tokens()
    user_id = emu.user.id

    emu.delete_account(emu.user)

    assert kapi.get("/v2/user/me", token=tokens["access_token"]).json()["code"] == -401
    assert kauth.refresh(tokens["refresh_token"]).json()["error_code"] == "KOE322"
    assert kapi.get("/v2/user/me", admin=emu.app.admin_key, target=user_id).json()["code"] == -101
    assert user_id not in emu.state.users
    assert hook.hits[0].form["referrer_type"] == ["ACCOUNT_DELETE"]
    unlinked, purged = (claims_of(emu, hit) for hit in sets.hits)
    assert event_of(unlinked) == (
        se.USER_UNLINKED,
        {"subject": event_of(unlinked)[1]["subject"], "reason": "ACCOUNT_DELETE"},
    )
    assert event_of(purged)[0] == se.ACCOUNT_PURGED
    assert unlinked["txn"] == purged["txn"]  # one change, one transaction
    assert unlinked["jti"] != purged["jti"]


def test_ref_6_2_forced_deletion_says_so(
    emu: KakaoEmulator, sets: Receiver, hook: Receiver
) -> None:
    emu.app.webhook_url = hook.url

    emu.delete_account(emu.user, forced=True)

    assert hook.hits[0].form["referrer_type"] == ["FORCED_ACCOUNT_DELETE"]
    assert event_of(claims_of(emu, sets.hits[0]))[1]["reason"] == "FORCED_ACCOUNT_DELETE"


def test_ref_6_2_a_deleted_account_notifies_every_linked_app(emu: KakaoEmulator) -> None:
    with running_receiver("/other/events", status=202) as other_sets:
        other = emu.add_app(preset="biz", security_event_url=other_sets.url)
        unrelated = emu.add_app(preset="biz", security_event_url=other_sets.url)
        emu.link(emu.user, other)

        emu.delete_account(emu.user)

        audiences = {claims_of(emu, hit)["aud"] for hit in other_sets.hits}
    assert audiences == {other.client_id}
    assert unrelated.client_id not in audiences
    assert {d.app_id for d in emu.webhook_deliveries()} == {emu.app.app_id, other.app_id}


def test_ref_6_2_tokens_revoked_kills_the_tokens_and_says_so(
    emu: KakaoEmulator, sets: Receiver, kapi: Kapi, kauth: Kauth
) -> None:
    tokens = emu.issue_tokens()
    assert kapi.get("/v2/user/me", token=tokens["access_token"]).status_code == 200

    [entry] = emu.revoke_tokens(emu.user)

    revoked = kapi.get("/v2/user/me", token=tokens["access_token"])
    assert (revoked.status_code, revoked.json()["code"]) == (401, -401)
    assert kauth.refresh(tokens["refresh_token"]).json()["error_code"] == "KOE322"
    # Still linked: only the tokens died.
    assert kapi.get("/v2/user/me", admin=emu.app.admin_key, target=emu.user.id).status_code == 200
    assert event_of(claims_of(emu, sets.hits[0]))[0] == se.TOKENS_REVOKED
    assert entry.ok


def test_ref_6_2_account_disabled_then_enabled(
    emu: KakaoEmulator, sets: Receiver, kapi: Kapi
) -> None:
    token = emu.issue_tokens()["access_token"]

    emu.disable_account(emu.user, reason="hijacking")
    disabled = kapi.get("/v2/user/me", token=token).json()["code"]
    emu.enable_account(emu.user)
    enabled = kapi.get("/v2/user/me", token=token).status_code

    assert (disabled, enabled) == (-4, 200)
    first, second = (event_of(claims_of(emu, hit)) for hit in sets.hits)
    assert (first[0], first[1]["reason"]) == (se.ACCOUNT_DISABLED, "hijacking")
    assert second[0] == se.ACCOUNT_ENABLED
    assert "reason" not in second[1]


def test_ref_6_2_a_disabled_account_loses_its_web_sessions(emu: KakaoEmulator) -> None:
    cookie = emu.sign_in()

    emu.disable_account(emu.user)

    assert emu.state.session_user(next(iter(cookie.values()))) is None


def test_ref_6_2_scope_withdrawn_on_kakao(emu: KakaoEmulator, sets: Receiver, kapi: Kapi) -> None:
    token = emu.issue_tokens()["access_token"]

    emu.withdraw_scopes(emu.user, ["account_email"])

    scopes = kapi.get("/v2/user/scopes", token=token).json()["scopes"]
    assert next(s for s in scopes if s["id"] == "account_email")["agreed"] is False
    assert "account_email" not in emu.state.access_tokens[token].scopes
    uri, event = event_of(claims_of(emu, sets.hits[0]))
    assert (uri, event["scopes"]) == (se.USER_SCOPE_WITHDRAW, ["account_email"])


@pytest.mark.parametrize("scopes", [["profile_nickname"], ["never_agreed"], []])
def test_ref_6_2_required_or_unagreed_items_cannot_be_withdrawn(
    emu: KakaoEmulator, sets: Receiver, scopes: list[str]
) -> None:
    before = set(emu.user.links[emu.app.app_id].consents)

    with pytest.raises(ValueError, match="cannot withdraw"):
        emu.withdraw_scopes(emu.user, scopes)

    assert emu.user.links[emu.app.app_id].consents == before
    assert sets.hits == []


@pytest.mark.parametrize(
    "referrer_type",
    ["ACCOUNT_DELETE", "FORCED_ACCOUNT_DELETE", "UNLINK_FROM_ADMIN", "UNLINK_FROM_APPS"],
)
def test_ref_6_2_kakao_side_unlinks_send_user_unlinked_with_the_reason(
    emu: KakaoEmulator, sets: Receiver, hook: Receiver, referrer_type: str
) -> None:
    emu.app.webhook_url = hook.url

    emu.unlink_from_kakao(emu.user, referrer_type=referrer_type)

    [hit] = sets.hits  # only unlinked: the account itself was not deleted (no account-purged)
    uri, event = event_of(claims_of(emu, hit))
    assert (uri, event["reason"]) == (se.USER_UNLINKED, referrer_type)


def test_ref_6_2_expired_preregistrations_send_user_unlinked(
    emu: KakaoEmulator, sets: Receiver
) -> None:
    emu.app.auto_link = False
    late = emu.add_user(preset="agreed_all")
    emu.clock.advance(24 * 3600)

    assert emu.expire_preregistrations() == []  # no unlink webhook configured: only the SET

    claims = claims_of(emu, sets.hits[0])
    assert (claims["sub"], event_of(claims)[1]["reason"]) == (str(late.id), "INCOMPLETE_SIGN_UP")


def test_ref_6_2_only_subscribed_event_types_are_sent(
    emu: KakaoEmulator, sets: Receiver, hook: Receiver
) -> None:
    emu.app.webhook_url = hook.url
    emu.app.security_event_types = [se.USER_UNLINKED]

    emu.revoke_tokens(emu.user)
    emu.delete_account(emu.user)

    assert [event_of(claims_of(emu, hit))[0] for hit in sets.hits] == [se.USER_UNLINKED]
    assert len(hook.hits) == 1  # the unlink webhook is its own setting


def test_ref_6_2_without_a_receiver_the_state_still_changes(emu: KakaoEmulator, kapi: Kapi) -> None:
    emu.app.security_event_url = None
    token = emu.issue_tokens()["access_token"]

    assert emu.revoke_tokens(emu.user) == []
    assert kapi.get("/v2/user/me", token=token).json()["code"] == -401
