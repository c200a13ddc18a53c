"""Kakao Talk Channel relationships end to end: ``talk_channels`` on every face and on the admin
client, the login that offers a channel (``channel_public_id``), and Kakao's refusals."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
import requests
from harness import Harness
from test_user_api import Face

from authlib_kakao import (
    AsyncKakaoAdmin,
    ConsentRequiredError,
    KakaoAdmin,
    KakaoAPIError,
)
from authlib_kakao.core.calls import TALK_CHANNELS
from authlib_kakao.core.endpoints import KakaoEndpoints
from authlib_kakao.testing import ConsentItem, KakaoEmulator

CHANNEL = "_ZeUTxl"
OTHER = "_Bxkd"


@pytest.fixture
def channel_app(kakao_emulator: KakaoEmulator) -> KakaoEmulator:
    """The default app with two linked channels and the plusfriends item the user agreed to."""
    emu = kakao_emulator
    emu.link_talk_channel(CHANNEL, uuid="@kakaodevelopers")
    emu.link_talk_channel(OTHER)
    emu.app.consent_items["plusfriends"] = ConsentItem.from_table("plusfriends")
    emu.link(emu.user, consents=["plusfriends"])
    return emu


@pytest.fixture(params=["flask", "django", "starlette"])
def face(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> Face:
    return Face(request.param, kakao_emulator)


def relations(answer: dict[str, Any]) -> dict[str, str]:
    return {c["channel_public_id"]: c["relation"] for c in answer["channels"]}


def test_every_face_reads_the_users_relation_with_each_linked_channel(
    face: Face, channel_app: KakaoEmulator
) -> None:
    channel_app.set_channel_relation(channel_app.user, CHANNEL, "ADDED")
    token = channel_app.issue_tokens(scopes=["plusfriends"])

    answer = face("talk_channels", token=token)
    only = face("talk_channels", channel_ids=[OTHER], token=token)

    assert answer["user_id"] == channel_app.user.id
    assert relations(answer) == {CHANNEL: "ADDED", OTHER: "NONE"}
    assert relations(only) == {OTHER: "NONE"}


def test_channel_ids_go_as_kakaos_comma_list_with_their_id_type() -> None:
    params = TALK_CHANNELS.params(channel_ids=[CHANNEL, OTHER])

    request = TALK_CHANNELS.request(KakaoEndpoints(), params)

    assert dict(request.query) == {
        "channel_ids": f"{CHANNEL},{OTHER}",
        "channel_id_type": "channel_public_id",
    }
    assert dict(TALK_CHANNELS.request(KakaoEndpoints(), TALK_CHANNELS.params()).query) == {}


def test_without_the_plusfriends_consent_the_call_needs_consent(
    face: Face, kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.link_talk_channel(CHANNEL)
    token = kakao_emulator.issue_tokens()

    with pytest.raises(ConsentRequiredError) as caught:
        face("talk_channels", token=token)

    assert caught.value.required_scopes == ["plusfriends"]
    assert caught.value.path == "/v2/api/talk/channels"


def test_an_app_without_a_linked_channel_is_told_to_link_one(
    face: Face, kakao_emulator: KakaoEmulator
) -> None:
    kakao_emulator.app.consent_items["plusfriends"] = ConsentItem.from_table("plusfriends")
    kakao_emulator.link(kakao_emulator.user, consents=["plusfriends"])

    with pytest.raises(KakaoAPIError) as caught:
        face("talk_channels", token=kakao_emulator.issue_tokens(scopes=["plusfriends"]))

    assert caught.value.code == -819
    assert "[Kakao Talk Channel]" in str(caught.value)


def test_the_admin_client_reads_any_users_relation(channel_app: KakaoEmulator) -> None:
    channel_app.set_channel_relation(channel_app.user, OTHER, "BLOCKED")
    admin = KakaoAdmin(channel_app.app.admin_key, kapi_url=channel_app.url)
    async_admin = AsyncKakaoAdmin(channel_app.app.admin_key, kapi_url=channel_app.url)

    blocking = admin.talk_channels(channel_app.user.id, channel_ids=[OTHER])
    awaited = asyncio.run(async_admin.talk_channels(channel_app.user.id))

    assert relations(blocking) == {OTHER: "BLOCKED"}
    assert relations(awaited) == {CHANNEL: "NONE", OTHER: "BLOCKED"}


def test_a_login_that_offers_a_linked_channel_adds_it(
    harness: Harness, build: Callable[..., Any], channel_app: KakaoEmulator
) -> None:
    build()
    admin = KakaoAdmin(channel_app.app.admin_key, kapi_url=channel_app.url)
    assert relations(admin.talk_channels(channel_app.user.id))[CHANNEL] == "NONE"

    assert "access_token" in harness.login(channel_public_id=CHANNEL).data

    assert relations(admin.talk_channels(channel_app.user.id))[CHANNEL] == "ADDED"


def test_a_login_that_offers_a_channel_the_app_has_not_linked_stops_at_kakao_with_koe102(
    harness: Harness, build: Callable[..., Any], kakao_emulator: KakaoEmulator
) -> None:
    build()
    login = harness.get("/login", {"channel_public_id": CHANNEL})
    authorize_url = login.headers["location"]
    assert f"channel_public_id={CHANNEL}" in authorize_url

    # Kakao shows its own error page: the app's callback is never called.
    kakao = requests.get(authorize_url, allow_redirects=False, timeout=10)

    assert kakao.status_code >= 400  # no redirect back to the app
    assert "KOE102" in kakao.text
