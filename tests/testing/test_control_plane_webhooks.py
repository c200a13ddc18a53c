"""The control plane drives Kakao-side changes and their webhooks (issue #11), as a test suite in
another language would: change the state, then wait on ``GET /_emulator/webhooks?wait=N``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from kapi_client import Kapi
from webhook_receiver import Receiver, running_receiver

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing import event_tokens as se


@pytest.fixture
def sets() -> Iterator[Receiver]:
    with running_receiver("/kakao/events", status=202) as rec:
        yield rec


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with running_receiver("/kakao/unlink") as rec:
        yield rec


@pytest.fixture
def control(emu: KakaoEmulator, sets: Receiver, hook: Receiver) -> Iterator[httpx.Client]:
    """A plain HTTP client on the served emulator; the app's receivers set over HTTP too."""
    assert emu.url is not None
    with httpx.Client(base_url=emu.url, timeout=15) as client:
        answer = client.patch(
            "/_emulator/app", json={"webhook_url": hook.url, "security_event_url": sets.url}
        )
        assert answer.status_code == 200
        yield client


def wait(control: httpx.Client, count: int, **params: Any) -> list[dict[str, Any]]:
    """The delivery log once it holds ``count`` entries (sent from the emulator's thread)."""
    answer = control.get("/_emulator/webhooks", params={"wait": count, **params})
    assert answer.status_code == 200, answer.text
    log: list[dict[str, Any]] = answer.json()
    return log


def claims_of(control: httpx.Client, body: bytes) -> dict[str, Any]:
    jwks = KeySet.import_key_set(control.get("/.well-known/jwks.json").json())
    return dict(jwt.decode(body.decode("ascii"), jwks, algorithms=["RS256"]).claims)


def test_delete_an_account(
    emu: KakaoEmulator, control: httpx.Client, sets: Receiver, hook: Receiver, kapi: Kapi
) -> None:
    user = emu.add_user(preset="agreed_all")

    answer = control.post("/_emulator/accounts/delete", json={"user_id": user.id}).json()

    assert [(c["kind"], c["event_type"]) for c in answer["calls"]] == [
        ("unlink", None),
        ("security_event", se.USER_UNLINKED),
        ("security_event", se.ACCOUNT_PURGED),
    ]
    log = wait(control, 3)
    assert [entry["ok"] for entry in log] == [True, True, True]
    assert hook.hits[0].form["referrer_type"] == ["ACCOUNT_DELETE"]
    assert [claims_of(control, h.body)["jti"] for h in sets.hits] == [
        c["jti"] for c in answer["calls"][1:]
    ]
    assert kapi.get("/v2/user/me", admin=emu.app.admin_key, target=user.id).json()["code"] == -101


def test_delete_an_account_forced(control: httpx.Client, hook: Receiver) -> None:
    control.post("/_emulator/accounts/delete", json={"forced": True})

    wait(control, 3)
    assert hook.hits[0].form["referrer_type"] == ["FORCED_ACCOUNT_DELETE"]


def test_revoke_tokens(
    emu: KakaoEmulator, control: httpx.Client, sets: Receiver, kapi: Kapi
) -> None:
    token = control.post("/_emulator/tokens", json={}).json()["access_token"]

    [call] = control.post("/_emulator/accounts/revoke_tokens", json={}).json()["calls"]

    assert kapi.get("/v2/user/me", token=token).json()["code"] == -401
    [entry] = wait(control, 1)
    assert (entry["jti"], entry["event_type"], entry["status"]) == (
        call["jti"],
        se.TOKENS_REVOKED,
        202,
    )
    assert claims_of(control, sets.hits[0].body)["jti"] == call["jti"]


def test_disable_and_enable_an_account(
    emu: KakaoEmulator, control: httpx.Client, kapi: Kapi
) -> None:
    token = emu.issue_tokens()["access_token"]

    control.post("/_emulator/accounts/disable", json={"reason": "bulk-account"})
    disabled = kapi.get("/v2/user/me", token=token).json()["code"]
    control.post("/_emulator/accounts/enable", json={})

    assert disabled == -4
    assert kapi.get("/v2/user/me", token=token).status_code == 200
    assert [e["event_type"] for e in wait(control, 2)] == [se.ACCOUNT_DISABLED, se.ACCOUNT_ENABLED]


def test_withdraw_scopes(emu: KakaoEmulator, control: httpx.Client, sets: Receiver) -> None:
    answer = control.post("/_emulator/accounts/withdraw_scopes", json={"scopes": ["gender"]})

    assert answer.status_code == 200
    assert "gender" not in emu.user.links[emu.app.app_id].consents
    wait(control, 1)
    [(uri, event)] = claims_of(control, sets.hits[0].body)["events"].items()
    assert (uri, event["scopes"]) == (se.USER_SCOPE_WITHDRAW, ["gender"])


def test_withdrawing_a_required_item_is_a_400(control: httpx.Client) -> None:
    answer = control.post(
        "/_emulator/accounts/withdraw_scopes", json={"scopes": ["profile_nickname"]}
    )

    assert answer.status_code == 400
    assert "required" in answer.json()["error"]


def test_send_a_security_event_and_redeliver_it(
    emu: KakaoEmulator, control: httpx.Client, sets: Receiver
) -> None:
    [call] = control.post(
        "/_emulator/security_events",
        json={"event": "account-disabled", "reason": "hijacking", "toe": 1_700_000_000},
    ).json()["calls"]
    wait(control, 1)

    control.post("/_emulator/security_events/redeliver", json={"jti": call["jti"]})
    log = wait(control, 2)

    first, again = (claims_of(control, hit.body) for hit in sets.hits)
    assert first == again
    assert first["toe"] == 1_700_000_000
    assert first["events"][se.ACCOUNT_DISABLED]["reason"] == "hijacking"
    assert [(e["jti"], e["redelivery"]) for e in log] == [
        (call["jti"], False),
        (call["jti"], True),
    ]


@pytest.mark.parametrize(
    ("path", "body", "says"),
    [
        ("/_emulator/security_events", {"event": "user-deleted"}, "user-unlinked"),
        ("/_emulator/security_events/redeliver", {"jti": "nope"}, "no security event"),
        ("/_emulator/accounts/delete", {"user_id": 1}, "unknown user_id"),
        ("/_emulator/unlink_from_kakao", {"referrer_type": "UNLINK_FROM_SERVICE"}, "one of"),
        ("/_emulator/webhooks/resume", {"kind": "callback"}, "security_event"),
    ],
)
def test_what_the_emulator_cannot_do_is_a_400(
    control: httpx.Client, path: str, body: dict[str, Any], says: str
) -> None:
    answer = control.post(path, json=body)

    assert answer.status_code == 400
    assert says in answer.json()["error"]


def test_the_log_filters_by_kind(control: httpx.Client) -> None:
    control.post("/_emulator/unlink_from_kakao", json={})
    wait(control, 2)

    only = control.get("/_emulator/webhooks", params={"kind": "unlink"}).json()

    assert [e["kind"] for e in only] == ["unlink"]


def test_waiting_for_more_than_was_sent_answers_408_with_the_log(control: httpx.Client) -> None:
    answer = control.get("/_emulator/webhooks", params={"wait": 1, "timeout": 0.05})

    assert (answer.status_code, answer.json()) == (408, [])


def test_pause_settings_listing_and_resuming(
    emu: KakaoEmulator, control: httpx.Client, hook: Receiver
) -> None:
    control.patch("/_emulator/config", json={"webhook_pause_after": 60, "webhook_retries": 0})
    hook.status = 500
    for sent, user_id in enumerate((emu.add_user().id, emu.add_user().id), start=1):
        control.post("/_emulator/unlink_from_kakao", json={"user_id": user_id})
        wait(control, 2 * sent)  # the unlink webhook and the user-unlinked SET
        control.post("/_emulator/clock/advance", json={"seconds": 61})

    paused = control.get("/_emulator/webhooks/paused").json()
    control.post("/_emulator/webhooks/resume", json={"kind": "unlink"})

    assert [(p["app_id"], p["kind"]) for p in paused] == [(emu.app.app_id, "unlink")]
    assert control.get("/_emulator/webhooks/paused").json() == []


def test_the_command_line_sets_the_security_event_url() -> None:
    from authlib_kakao.testing.__main__ import build_config, build_parser

    args = build_parser().parse_args(["--security-event-url", "http://localhost:3000/kakao/sets"])

    settings = build_config(args).app_settings
    assert settings["security_event_url"] == "http://localhost:3000/kakao/sets"
    assert (
        KakaoEmulator(config=build_config(args)).app.security_event_url
        == settings["security_event_url"]
    )


def test_the_app_json_shows_the_receiver_settings(control: httpx.Client, sets: Receiver) -> None:
    app = control.patch(
        "/_emulator/app", json={"security_event_types": [se.USER_UNLINKED, se.ACCOUNT_PURGED]}
    ).json()

    assert app["security_event_url"] == sets.url
    assert app["security_event_types"] == [se.USER_UNLINKED, se.ACCOUNT_PURGED]


def test_a_python_test_waits_for_control_plane_deliveries(
    emu: KakaoEmulator, control: httpx.Client
) -> None:
    control.post("/_emulator/accounts/revoke_tokens", json={})

    [entry] = emu.wait_for_deliveries(1)

    assert (entry.event_type, entry.ok) == (se.TOKENS_REVOKED, True)
    with pytest.raises(TimeoutError, match="1 of 2"):
        emu.wait_for_deliveries(2, timeout=0.01)
