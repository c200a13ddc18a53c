"""Reference §6.1: the unlink webhook the emulator sends, checked by a real HTTP receiver."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx
import pytest
from kapi_client import Kapi
from kauth_client import Kauth
from webhook_receiver import Hit, Receiver, running_receiver

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.webhooks_out import (
    REFERRER_TYPES,
    WebhookDeliveryError,
    send_unlink_webhook,
    unlink_webhook_request,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver("/kakao/unlink") as rec:
        yield rec


@pytest.fixture
def emu(emu: KakaoEmulator, receiver: Receiver) -> KakaoEmulator:
    """The suite's emulator, its default app's unlink webhook pointed at ``receiver``."""
    emu.app.webhook_url = receiver.url
    return emu


def test_ref_6_1_post_webhook_sends_form_params_and_admin_key(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    emu.app.webhook_method = "POST"

    status = emu.unlink_from_kakao(emu.user)

    assert status == 200
    [hit] = receiver.hits
    assert hit.method == "POST"
    assert hit.path == "/kakao/unlink"
    assert hit.headers["authorization"] == f"KakaoAK {emu.app.admin_key}"
    assert hit.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(hit.body.decode()) == {
        "app_id": [str(emu.app.app_id)],
        "user_id": [str(emu.user.id)],
        "referrer_type": ["UNLINK_FROM_APPS"],
    }


def test_ref_6_1_get_webhook_sends_query_params(emu: KakaoEmulator, receiver: Receiver) -> None:
    emu.app.webhook_method = "GET"

    emu.unlink_from_kakao(emu.user, referrer_type="ACCOUNT_DELETE")

    [hit] = receiver.hits
    assert hit.method == "GET"
    assert hit.body == b""
    assert hit.headers["authorization"] == f"KakaoAK {emu.app.admin_key}"
    assert hit.query == {
        "app_id": [str(emu.app.app_id)],
        "user_id": [str(emu.user.id)],
        "referrer_type": ["ACCOUNT_DELETE"],
    }


def test_ref_6_1_unlink_is_done_before_the_webhook_arrives(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    """The receiver asks the emulator about the user while handling the hook: already unlinked."""
    token = emu.issue_tokens()["access_token"]
    seen: list[httpx.Response] = []

    def call_back(hit: Hit) -> None:
        seen.append(
            httpx.get(
                f"{emu.url}/v2/user/me",
                params={"target_id_type": "user_id", "target_id": hit.query["user_id"][0]},
                headers={"Authorization": f"KakaoAK {emu.app.admin_key}"},
                timeout=5,
            )
        )
        seen.append(
            httpx.get(
                f"{emu.url}/v2/user/me", headers={"Authorization": f"Bearer {token}"}, timeout=5
            )
        )

    emu.app.webhook_method = "GET"
    receiver.on_hit = call_back
    assert emu.unlink_from_kakao(emu.user) == 200

    admin_view, user_view = seen
    assert admin_view.json()["code"] == -101
    assert user_view.status_code == 401
    assert emu.app.app_id not in emu.user.links


def test_ref_6_1_returns_the_receivers_status(emu: KakaoEmulator, receiver: Receiver) -> None:
    receiver.status = 500

    assert emu.unlink_from_kakao(emu.user) == 500
    assert emu.app.app_id not in emu.user.links


def test_ref_6_1_redirects_are_not_followed(emu: KakaoEmulator, receiver: Receiver) -> None:
    receiver.status = 302
    receiver.headers = {"Location": receiver.url + "/elsewhere"}

    assert emu.unlink_from_kakao(emu.user) == 302
    assert [h.path for h in receiver.hits] == ["/kakao/unlink"]


@pytest.mark.parametrize("referrer_type", REFERRER_TYPES)
def test_ref_6_1_every_documented_referrer_type_is_sent(
    emu: KakaoEmulator, receiver: Receiver, referrer_type: str
) -> None:
    emu.unlink_from_kakao(emu.user, referrer_type=referrer_type)

    assert parse_qs(receiver.hits[0].body.decode())["referrer_type"] == [referrer_type]


def test_ref_6_1_unknown_referrer_type_is_refused_and_nothing_changes(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    with pytest.raises(ValueError, match="UNLINK_FROM_APPS"):
        emu.unlink_from_kakao(emu.user, referrer_type="UNLINK_FROM_SERVICE")

    assert emu.app.app_id in emu.user.links
    assert receiver.hits == []


def test_ref_6_1_unreachable_webhook_raises_a_clear_error(emu: KakaoEmulator) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = closed.server_address[1]
    closed.server_close()
    emu.app.webhook_url = f"http://127.0.0.1:{port}/hook"

    with pytest.raises(WebhookDeliveryError, match=f"127.0.0.1:{port}/hook") as info:
        emu.unlink_from_kakao(emu.user)

    assert emu.app.admin_key not in str(info.value)
    assert emu.app.app_id not in emu.user.links  # Kakao unlinks whether or not the hook answers


def test_ref_6_1_a_slow_receiver_times_out(emu: KakaoEmulator, receiver: Receiver) -> None:
    receiver.hold = True
    request = unlink_webhook_request(emu.app, emu.user.id, "UNLINK_FROM_APPS")

    with pytest.raises(WebhookDeliveryError, match="timed out"):
        send_unlink_webhook(request, timeout=0.05)


def test_ref_6_1_unlink_from_kakao_waits_config_webhook_timeout(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    receiver.hold = True
    emu.config.webhook_timeout = 0.05  # Kakao's 3 s, shortened so the test does not wait

    with pytest.raises(WebhookDeliveryError, match="timed out"):
        emu.unlink_from_kakao(emu.user)

    assert [h.path for h in receiver.hits] == ["/kakao/unlink"]
    assert emu.app.app_id not in emu.user.links  # unlinked before the hook, as Kakao does


def test_ref_6_1_app_without_webhook_url_is_refused(emu: KakaoEmulator) -> None:
    emu.app.webhook_url = None

    with pytest.raises(ValueError, match="webhook_url"):
        emu.unlink_from_kakao(emu.user)
    assert emu.app.app_id in emu.user.links


def test_ref_6_1_no_webhook_when_the_service_unlinks_through_the_api(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    token = emu.issue_tokens()["access_token"]
    response = httpx.post(
        f"{emu.url}/v1/user/unlink", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )

    assert response.json() == {"id": emu.user.id}
    assert receiver.hits == []


def test_ref_6_1_preregistered_users_unlinked_after_24_hours_get_incomplete_sign_up(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    emu.app.auto_link = False
    late = emu.add_user(preset="agreed_all")
    emu.clock.advance(3600)
    on_time = emu.add_user(preset="agreed_all")
    emu.clock.advance(23 * 3600)

    statuses = emu.expire_preregistrations()

    assert statuses == [200]
    [hit] = receiver.hits
    assert parse_qs(hit.body.decode())["referrer_type"] == ["INCOMPLETE_SIGN_UP"]
    assert parse_qs(hit.body.decode())["user_id"] == [str(late.id)]
    assert emu.app.app_id not in late.links
    assert emu.app.app_id in on_time.links


def test_ref_6_1_the_control_plane_unlinks_and_calls_the_webhook(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    assert emu.url is not None
    user = emu.add_user(preset="agreed_all")

    with httpx.Client(base_url=emu.url, timeout=15) as client:
        answer = client.post(
            "/_emulator/unlink_from_kakao",
            json={"user_id": user.id, "referrer_type": "UNLINK_FROM_ADMIN"},
        )
        assert emu.app.app_id not in user.links  # unlinked before the answer
        # The webhook is sent from a thread; ?wait=1 answers once its outcome is logged.
        deliveries = client.get("/_emulator/webhooks", params={"wait": 1}).json()

    assert answer.status_code == 200
    assert parse_qs(receiver.hits[0].body.decode())["referrer_type"] == ["UNLINK_FROM_ADMIN"]
    [entry] = deliveries
    assert {k: entry[k] for k in ("kind", "user_id", "referrer_type", "status", "ok")} == {
        "kind": "unlink",
        "user_id": user.id,
        "referrer_type": "UNLINK_FROM_ADMIN",
        "status": 200,
        "ok": True,
    }


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_ref_6_1_apps_in_an_app_group_also_get_the_group_user_token(
    emu: KakaoEmulator, receiver: Receiver, method: str
) -> None:
    emu.app.app_group = "family"
    emu.app.webhook_method = method
    sibling = emu.add_app(preset="biz", app_group="family")
    emu.link(emu.user, sibling)
    # What the group's other app sees for the user through the API (still linked there).
    seen = httpx.get(
        f"{emu.url}/v2/user/me",
        params={"target_id_type": "user_id", "target_id": str(emu.user.id)},
        headers={"Authorization": f"KakaoAK {sibling.admin_key}"},
        timeout=5,
    ).json()["group_user_token"]

    emu.unlink_from_kakao(emu.user)

    hit = receiver.hits[0]
    params = hit.form if method == "POST" else hit.query
    assert params["group_user_token"] == [seen]
    assert sorted(params) == ["app_id", "group_user_token", "referrer_type", "user_id"]


def test_ref_6_1_apps_outside_a_group_get_no_group_user_token(
    emu: KakaoEmulator, receiver: Receiver
) -> None:
    emu.unlink_from_kakao(emu.user)

    assert "group_user_token" not in receiver.hits[0].form


def _unlink_for(emu: KakaoEmulator, referrer_type: str) -> None:
    """Make Kakao unlink the default user for the reason ``referrer_type`` names."""
    if referrer_type == "ACCOUNT_DELETE":
        emu.delete_account(emu.user)
    elif referrer_type == "FORCED_ACCOUNT_DELETE":
        emu.delete_account(emu.user, forced=True)
    elif referrer_type == "INCOMPLETE_SIGN_UP":
        emu.user.links[emu.app.app_id].signed_up = False
        emu.clock.advance(emu.config.signup_deadline)
        emu.expire_preregistrations()
    else:  # the user (UNLINK_FROM_APPS) or Kakao's admin (UNLINK_FROM_ADMIN) unlinks
        emu.unlink_from_kakao(emu.user, referrer_type=referrer_type)


@pytest.mark.parametrize("referrer_type", REFERRER_TYPES)
def test_ref_6_1_every_referrer_type_comes_from_the_change_it_names(
    emu: KakaoEmulator, receiver: Receiver, referrer_type: str
) -> None:
    _unlink_for(emu, referrer_type)

    [hit] = receiver.hits
    assert hit.form["referrer_type"] == [referrer_type]
    assert hit.form["user_id"] == [str(emu.user.id)]
    assert emu.app.app_id not in emu.user.links
    [entry] = emu.webhook_deliveries("unlink")
    assert (entry.referrer_type, entry.ok) == (referrer_type, True)


def test_ref_6_1_a_preregistration_past_its_deadline_is_refused_everywhere_and_still_notified(
    emu: KakaoEmulator, receiver: Receiver, kapi: Kapi, kauth: Kauth
) -> None:
    emu.app.auto_link = False
    late = emu.add_user(preset="agreed_all")
    emu.clock.advance(emu.config.signup_deadline - 60)
    tokens = emu.issue_tokens(late)  # fresh tokens, a minute before the deadline
    emu.clock.advance(60)

    me = kapi.get("/v2/user/me", token=tokens["access_token"])
    refreshed = kauth.refresh(tokens["refresh_token"])
    statuses = emu.expire_preregistrations()  # a refused call did not unlink it quietly

    assert me.json()["code"] == -101
    assert refreshed.json()["error_code"] == "KOE322"
    assert statuses == [200]
    assert parse_qs(receiver.hits[0].body.decode())["referrer_type"] == ["INCOMPLETE_SIGN_UP"]
