"""Kakao Talk Channel relationships (talk_channels.py): the relationship API v1 and v2, its
consent and errors, adding a channel at login, and the control plane's way to set it all up."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from kapi_client import Kapi, arr
from kauth_client import Kauth
from test_consent_page import read_form, submit

from authlib_kakao.testing import ConsentItem, KakaoEmulator
from authlib_kakao.testing.profiles import rfc3339

CHANNEL = "_ZeUTxl"
OTHER = "_Bxkd"


@pytest.fixture
def channel_app(emu: KakaoEmulator) -> KakaoEmulator:
    """The default app with two linked channels and the plusfriends item the user agreed to."""
    emu.link_talk_channel(CHANNEL, uuid="@kakaodevelopers")
    emu.link_talk_channel(OTHER)
    emu.app.consent_items["plusfriends"] = ConsentItem.from_table("plusfriends")
    emu.link(emu.user, consents=["plusfriends"])
    return emu


def channels(response: httpx.Response) -> dict[str, dict[str, str]]:
    assert response.status_code == 200, response.text
    return {c["channel_public_id"]: c for c in response.json()["channels"]}


def test_v1_answers_each_linked_channel_with_the_users_relation(
    channel_app: KakaoEmulator, kapi: Kapi
) -> None:
    emu = channel_app
    emu.set_channel_relation(emu.user, CHANNEL, "ADDED")
    emu.clock.advance(60)
    emu.set_channel_relation(emu.user, CHANNEL, "BLOCKED")
    token = emu.issue_tokens()["access_token"]

    response = kapi.get("/v1/api/talk/channels", token=token)

    assert response.json()["user_id"] == emu.user.id
    assert channels(response) == {
        CHANNEL: {
            "channel_uuid": "@kakaodevelopers",
            "channel_public_id": CHANNEL,
            "relation": "BLOCKED",
            "created_at": rfc3339(emu.clock.now() - 60),
            "updated_at": rfc3339(emu.clock.now()),
        },
        OTHER: {"channel_uuid": "@bxkd", "channel_public_id": OTHER, "relation": "NONE"},
    }


def test_v1_filters_by_channel_public_ids_and_leaves_out_other_apps_channels(
    channel_app: KakaoEmulator, kapi: Kapi
) -> None:
    token = channel_app.issue_tokens()["access_token"]

    response = kapi.get(
        "/v1/api/talk/channels", token=token, params={"channel_public_ids": arr(OTHER, "_nope")}
    )

    assert list(channels(response)) == [OTHER]


def test_v2_takes_comma_separated_channel_ids_and_a_fixed_id_type(
    channel_app: KakaoEmulator, kapi: Kapi
) -> None:
    token = channel_app.issue_tokens()["access_token"]
    params = {"channel_ids": f"{CHANNEL},{OTHER}", "channel_id_type": "channel_public_id"}

    answered = kapi.get("/v2/api/talk/channels", token=token, params=params)
    wrong_type = kapi.get(
        "/v2/api/talk/channels", token=token, params={**params, "channel_id_type": "uuid"}
    )

    assert list(channels(answered)) == [CHANNEL, OTHER]
    assert wrong_type.json()["code"] == -2


@pytest.mark.parametrize("path", ["/v1/api/talk/channels", "/v2/api/talk/channels"])
def test_the_admin_key_asks_about_one_user_by_target_id(
    channel_app: KakaoEmulator, kapi: Kapi, path: str
) -> None:
    emu = channel_app
    emu.set_channel_relation(emu.user, OTHER, "ADDED")
    target = {"target_id_type": "user_id", "target_id": str(emu.user.id)}

    answered = kapi.get(path, admin=emu.app.admin_key, params=target)
    untargeted = kapi.get(path, admin=emu.app.admin_key)
    stranger = kapi.get(path, admin=emu.app.admin_key, params={**target, "target_id": "12345"})

    assert channels(answered)[OTHER]["relation"] == "ADDED"
    assert untargeted.json()["code"] == -2
    assert stranger.json()["code"] == -101


def test_without_the_plusfriends_consent_the_answer_is_402(
    channel_app: KakaoEmulator, kapi: Kapi
) -> None:
    emu = channel_app
    user = emu.add_user(consents=["profile_nickname"])
    token = emu.issue_tokens(user)["access_token"]

    response = kapi.get("/v1/api/talk/channels", token=token)

    assert response.status_code == 403
    assert response.json()["code"] == -402
    assert response.json()["required_scopes"] == ["plusfriends"]


def test_an_app_without_a_linked_channel_answers_819(emu: KakaoEmulator, kapi: Kapi) -> None:
    token = emu.issue_tokens()["access_token"]

    response = kapi.get("/v2/api/talk/channels", token=token)

    assert (response.status_code, response.json()["code"]) == (400, -819)


def test_a_relation_other_than_kakaos_three_is_refused(emu: KakaoEmulator) -> None:
    with pytest.raises(ValueError, match="ADDED, BLOCKED, NONE"):
        emu.set_channel_relation(emu.user, CHANNEL, "FRIENDS")

    assert emu.user.channel_relations == {}


# --- adding the channel at login (/oauth/authorize channel_public_id) -----------------------


def test_agreeing_at_login_adds_the_channel_but_keeps_a_block(
    channel_app: KakaoEmulator, kauth: Kauth
) -> None:
    emu = channel_app
    emu.set_channel_relation(emu.user, OTHER, "BLOCKED")

    kauth.code(channel_public_id=f"{CHANNEL},{OTHER}")

    assert emu.user.channel_relations[CHANNEL].relation == "ADDED"
    assert emu.user.channel_relations[OTHER].relation == "BLOCKED"


def test_a_channel_not_linked_to_the_app_is_koe102_and_adds_nothing(
    channel_app: KakaoEmulator, kauth: Kauth
) -> None:
    page = kauth.authorize(channel_public_id=f"{CHANNEL},_unlinked")

    assert "KOE102" in page.text
    assert channel_app.user.channel_relations == {}


def test_prompt_none_adds_no_channel(channel_app: KakaoEmulator, kauth: Kauth) -> None:
    kauth.code(channel_public_id=CHANNEL, prompt="none")

    assert channel_app.user.channel_relations == {}


@pytest.fixture
def page_mode(channel_app: KakaoEmulator) -> Iterator[KakaoEmulator]:
    channel_app.consent_page = True
    yield channel_app
    channel_app.consent_page = False


@pytest.mark.parametrize("ticked", [True, False])
def test_the_consent_page_offers_the_channel_ticked_and_adds_it_only_if_left_ticked(
    page_mode: KakaoEmulator, kauth: Kauth, ticked: bool
) -> None:
    emu = page_mode
    kauth.client.cookies.update(emu.sign_in())

    page = kauth.authorize(channel_public_id=CHANNEL)  # linked, nothing new: only the channel
    ticks = [("channel", CHANNEL)] if ticked else []
    answer = submit(kauth, page.text, ("action", "agree"), *ticks)

    assert f'name="channel" value="{CHANNEL}" checked' in page.text
    assert "code" in kauth.redirect_params(answer)
    assert (CHANNEL in emu.user.channel_relations) is ticked
    assert read_form(page.text).checkboxes == {}  # no consent item was asked


def test_a_linked_user_who_already_added_the_channel_gets_a_code_without_the_page(
    page_mode: KakaoEmulator, kauth: Kauth
) -> None:
    emu = page_mode
    emu.set_channel_relation(emu.user, CHANNEL, "ADDED")
    kauth.client.cookies.update(emu.sign_in())

    assert "code" in kauth.redirect_params(kauth.authorize(channel_public_id=CHANNEL))


# --- the control plane ----------------------------------------------------------------------


@pytest.fixture
def control(emu: KakaoEmulator) -> Iterator[httpx.Client]:
    assert emu.url is not None
    with httpx.Client(base_url=f"{emu.url}/_emulator", timeout=10) as client:
        yield client


def test_the_control_plane_links_a_channel_and_sets_a_relation(
    emu: KakaoEmulator, control: httpx.Client
) -> None:
    linked = control.post("/app/talk_channels", json={"public_id": CHANNEL, "uuid": "@dev"})
    related = control.post(
        "/channel_relations",
        json={"user_id": emu.user.id, "public_id": CHANNEL, "relation": "ADDED"},
    )
    refused = control.post("/channel_relations", json={"public_id": CHANNEL, "relation": "x"})

    assert linked.json()["talk_channels"] == [{"public_id": CHANNEL, "uuid": "@dev"}]
    assert related.json()["channel_relations"][CHANNEL]["relation"] == "ADDED"
    assert refused.status_code == 400
    assert emu.user.channel_relations[CHANNEL].relation == "ADDED"


def test_patching_the_app_takes_talk_channels_as_ids_or_objects(
    emu: KakaoEmulator, control: httpx.Client
) -> None:
    patched = control.patch(
        "/app", json={"talk_channels": [CHANNEL, {"public_id": OTHER, "uuid": "@other"}]}
    )
    bad = control.patch("/app", json={"talk_channels": [3]})

    assert patched.json()["talk_channels"] == [
        {"public_id": CHANNEL, "uuid": "@zeutxl"},
        {"public_id": OTHER, "uuid": "@other"},
    ]
    assert bad.status_code == 400
