"""Kakao Talk Channel relationships: channels linked to apps, users' relations to them.

What Kakao documents (read 2026 from developers.kakao.com; "UNCONFIRMED" marks what it does not):

* **Check Kakao Talk Channel relationship, v1** — ``GET https://kapi.kakao.com/v1/api/talk/channels``
  (https://developers.kakao.com/docs/latest/ko/kakaotalk-channel/legacy-rest-api,
  https://developers.kakao.com/docs/latest/en/kakaotalk-channel/legacy-rest-api): a user access
  token (``Authorization: Bearer``) or the app's admin key (``KakaoAK``) with
  ``target_id_type=user_id`` and ``target_id``. Optional ``channel_public_ids``: a JSON array of
  channel profile ids (default: every channel linked to the app). Only channels linked to the
  calling app are answered, never the user's other channels.
* **v2** — ``GET https://kapi.kakao.com/v2/api/talk/channels``
  (https://developers.kakao.com/docs/latest/en/kakaotalk-channel/rest-api,
  https://developers.kakao.com/docs/latest/ko/kakaotalk-channel/rest-api): the same auth;
  ``channel_ids`` is a **comma-separated** string (``_Bxkd,_RQxl``) and ``channel_id_type`` is
  fixed to ``channel_public_id``. The docs' table marks ``channel_ids`` required, yet Kakao's
  Flutter SDK (``TalkApi.channels``, developers.kakao.com/sdk/reference/flutter) leaves it out when
  given no ids, so the emulator treats it as optional (default: every linked channel).
* **Body** (both versions; field names from Kakao's SDK models ``Channels`` / ``Channel``,
  developers.kakao.com/sdk/reference/android-rx/.../com.kakao.sdk.talk.model):
  ``{"user_id": <id>, "channels": [{"channel_uuid": "@...", "channel_public_id": "_ZeUTxl",
  "relation": "ADDED" | "BLOCKED" | "NONE", "created_at": ..., "updated_at": ...}]}``;
  timestamps are RFC 3339. ``created_at`` is in the v1 sample only; v2 with it is UNCONFIRMED.
* **Consent** — both need the user's consent to ``plusfriends`` ("Kakao Talk Channel addition
  status and details"; https://developers.kakao.com/docs/in/kakaotalk-channel/common names the
  id). Without it Kakao's general ``-402`` "insufficient scopes" answers (error-code page,
  https://developers.kakao.com/docs/latest/en/rest-api/error-code); its ``api_type`` value here
  (``TALK_CHANNEL``) is UNCONFIRMED.
* **Errors** (https://developers.kakao.com/docs/latest/en/kakaotalk-channel/trouble-shooting):
  ``-819`` (400) when no channel is linked to the app; its ``msg`` text is UNCONFIRMED.
* **Several users at once** — "여러 사용자 카카오톡 채널 관계 조회" is listed only in the docs for
  Kakao's in-house apps (https://developers.kakao.com/docs/in/kakaotalk-channel/common); no public
  path or ``target_ids`` form was found (a ``/v2/api/talk/channels/multi`` is UNCONFIRMED), so the
  emulator does not serve one.
* **Adding the channel at login** — ``/oauth/authorize``'s ``channel_public_id`` (comma-joined ids;
  reference §1.1, Kakao's SDKs' ``channelPublicIds``) offers to add the channels on the consent
  screen; an id not linked to the app is KOE102.

Here: :class:`TalkChannels`, the backend's half that owns this state, and the body; the kapi
handlers (``kapi.channels_v1`` / ``channels_v2``) read parameters and call it.

Emulator choices (documented nowhere; each can be changed in one place here):

* a relation belongs to the Kakao Account (``User.channel_relations``), so every app linked to a
  channel sees the same one and it outlives an unlink;
* a login with ``channel_public_id`` adds each channel (``ADDED``) when the user agrees: in
  auto-approve mode always, on the consent page when its box stays ticked; a channel the user
  blocked stays ``BLOCKED`` and is not offered; ``prompt=none`` adds nothing (no screen);
* a requested id not linked to the app is left out of the answer, as Kakao says it answers
  about linked channels only; a linked channel the user never added answers ``NONE`` without
  timestamps.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from authlib_kakao.testing.presets import channel_uuid
from authlib_kakao.testing.profiles import rfc3339
from authlib_kakao.testing.state import (
    CHANNEL_RELATIONS,
    App,
    Caller,
    ChannelRelation,
    Clock,
    TalkChannel,
    User,
)
from authlib_kakao.testing.surface import operation
from authlib_kakao.testing.wire_errors import consent_required, kapi_fail

__all__ = [
    "API_TYPE",
    "CONSENT_ITEM",
    "TalkChannels",
    "relations_body",
]

CONSENT_ITEM = "plusfriends"
API_TYPE = "TALK_CHANNEL"  # the -402 body's api_type: UNCONFIRMED


class TalkChannels:
    """The backend's Talk Channel half: channels linked to apps and users' relations to them."""

    # Set by KakaoBackend.__init__; declared here for the type checker.
    clock: Clock
    lock: threading.RLock
    app: App

    @operation
    def link_talk_channel(
        self, public_id: str, app: App | None = None, *, uuid: str | None = None
    ) -> TalkChannel:
        """Link the Kakao Talk Channel ``public_id`` to ``app`` (default app), as the console does.

        ``uuid`` is Kakao's ``channel_uuid`` (default ``"@"`` + the id without its ``_``).
        """
        target = app or self.app
        channel = TalkChannel(public_id, uuid or channel_uuid(public_id))
        with self.lock:
            target.talk_channels[public_id] = channel
        return channel

    @operation
    def set_channel_relation(self, user: User, public_id: str, relation: str) -> ChannelRelation:
        """The user adds (``"ADDED"``), blocks (``"BLOCKED"``) or deletes (``"NONE"``) the
        channel ``public_id`` in Kakao Talk; ``ValueError`` for another relation."""
        if relation not in CHANNEL_RELATIONS:
            raise ValueError(f"relation must be one of {', '.join(CHANNEL_RELATIONS)}")
        now = self.clock.now()
        with self.lock:
            old = user.channel_relations.get(public_id)
            created = old.created_at if old is not None else now
            user.channel_relations[public_id] = ChannelRelation(relation, created, now)
            return user.channel_relations[public_id]

    def talk_channel_relations(
        self, caller: Caller, public_ids: list[str] | None
    ) -> dict[str, Any]:
        """The relationship API's body for ``caller``; ``-819`` when the app has no linked
        channel, ``-402`` without the ``plusfriends`` consent."""
        if not caller.app.talk_channels:
            raise kapi_fail(-819)
        if CONSENT_ITEM not in caller.link.consents:
            raise consent_required(API_TYPE, [CONSENT_ITEM], caller.link.consents)
        return relations_body(caller.user, caller.app, public_ids)

    def channels_to_offer(self, user: User | None, public_ids: Iterable[str]) -> list[str]:
        """The channels a login may add for ``user``: not added yet and not blocked."""
        settled = ("ADDED", "BLOCKED")
        relations = user.channel_relations if user is not None else {}
        return [
            c
            for c in dict.fromkeys(public_ids)
            if getattr(relations.get(c), "relation", None) not in settled
        ]

    def add_channels_on_login(self, user: User, public_ids: Iterable[str]) -> None:
        """The user agreed at login to add ``public_ids`` (those still on offer become ADDED)."""
        with self.lock:
            for public_id in self.channels_to_offer(user, public_ids):
                self.set_channel_relation(user, public_id, "ADDED")


def relations_body(user: User, app: App, public_ids: list[str] | None) -> dict[str, Any]:
    """``{"user_id", "channels"}`` for the app's linked channels among ``public_ids`` (None: all)."""
    wanted = list(app.talk_channels) if public_ids is None else public_ids
    channels: list[dict[str, Any]] = []
    for public_id in dict.fromkeys(wanted):
        channel = app.talk_channels.get(public_id)
        if channel is None:
            continue  # Kakao answers about the app's own channels only
        entry: dict[str, Any] = {
            "channel_uuid": channel.uuid,
            "channel_public_id": channel.public_id,
            "relation": "NONE",
        }
        known = user.channel_relations.get(public_id)
        if known is not None:
            entry["relation"] = known.relation
            entry["created_at"] = rfc3339(known.created_at)
            entry["updated_at"] = rfc3339(known.updated_at)
        channels.append(entry)
    return {"user_id": user.id, "channels": channels}
