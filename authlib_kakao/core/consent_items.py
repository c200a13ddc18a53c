"""Kakao's consent items (scopes) and what an app needs before it may ask for each one.

One table, shared by the client (a registration whose ``scope`` asks for an item that needs a Biz
app or Kakao's review gets a warning: the app may well have it) and the emulator (its app presets
configure items from here). Pure data and functions, no I/O.

``access`` says what an app needs before the item can be configured in its console; asking at
``/oauth/authorize`` for an item the app has not configured fails with KOE205:

* ``"open"``: any app, including a personal developer's (nickname, profile image, Talk messages);
* ``"biz"``: a Biz app (business information registered): email, gender, age, birthday, ...;
* ``"review"``: a Biz app whose request for the permission passed Kakao's review (phone number,
  CI, friends, ...);
* ``"partner"``: only Kakao's partner apps by contract (the ``legal_*`` and ``is_korean`` fields).

The ids come from reference §7; which gate applies to each is Kakao's console behaviour as
described in its guides (not in the REST reference), so the emulator treats it as a documented
choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ACCESS_LEVELS",
    "CONSENT_ITEMS",
    "ConsentItemSpec",
    "consent_item",
    "items_needing_review",
    "open_items",
]

ACCESS_LEVELS = ("open", "biz", "review", "partner")


@dataclass(frozen=True)
class ConsentItemSpec:
    """One consent item: its scope id, Kakao's display name, type and what an app needs for it."""

    id: str
    display_name: str
    access: str = "open"  # one of ACCESS_LEVELS
    type: str = "PRIVACY"  # or "SERVICE" (Kakao's /v2/user/scopes ``type``)
    user_field: str | None = None  # the /v2/user/me kakao_account group it unlocks, if any

    @property
    def needs_review(self) -> bool:
        """Whether a personal app cannot configure this item (it needs Biz, review or a contract)."""
        return self.access != "open"


_ITEMS = (
    ConsentItemSpec("profile_nickname", "닉네임", "open", user_field="profile"),
    ConsentItemSpec("profile_image", "프로필 사진", "open", user_field="profile"),
    ConsentItemSpec("profile", "프로필 정보(닉네임/프로필 사진)", "open", user_field="profile"),
    ConsentItemSpec("account_email", "카카오계정(이메일)", "biz", user_field="email"),
    ConsentItemSpec("name", "이름", "biz", user_field="name"),
    ConsentItemSpec("gender", "성별", "biz", user_field="gender"),
    ConsentItemSpec("age_range", "연령대", "biz", user_field="age_range"),
    ConsentItemSpec("birthday", "생일", "biz", user_field="birthday"),
    ConsentItemSpec("birthyear", "출생 연도", "biz", user_field="birthyear"),
    ConsentItemSpec("phone_number", "카카오계정(전화번호)", "review", user_field="phone_number"),
    ConsentItemSpec("account_ci", "CI(연계정보)", "review", user_field="ci"),
    ConsentItemSpec("shipping_address", "배송지정보(수령인명, 배송지 주소, 전화번호)", "biz"),
    ConsentItemSpec("talk_message", "카카오톡 메시지 전송", "open", type="SERVICE"),
    ConsentItemSpec("friends", "카카오 서비스 내 친구목록", "review", type="SERVICE"),
    ConsentItemSpec("talk_chats", "카카오톡 채팅방 목록", "review", type="SERVICE"),
    ConsentItemSpec("plusfriends", "카카오톡 채널 추가 상태 및 내역", "open", type="SERVICE"),
    ConsentItemSpec("legal_name", "실명", "partner", user_field="legal_name"),
    ConsentItemSpec("legal_birth_date", "법정 생년월일", "partner", user_field="legal_birth_date"),
    ConsentItemSpec("legal_gender", "법정 성별", "partner", user_field="legal_gender"),
    ConsentItemSpec("is_korean", "내외국인 여부", "partner", user_field="is_korean"),
)

#: Every known consent item by scope id (``openid`` is not a consent item: it is OIDC's switch).
CONSENT_ITEMS: Mapping[str, ConsentItemSpec] = MappingProxyType({i.id: i for i in _ITEMS})


def consent_item(scope_id: str) -> ConsentItemSpec | None:
    """The table row for ``scope_id``, or None for an id Kakao does not document."""
    return CONSENT_ITEMS.get(scope_id)


def items_needing_review(scopes: Iterable[str]) -> list[ConsentItemSpec]:
    """The items among ``scopes`` that a personal app cannot have (Biz, review or partner only).

    Unknown ids and ``openid`` are skipped; each item appears once, in the order first asked.
    """
    seen: dict[str, ConsentItemSpec] = {}
    for scope_id in scopes:
        item = CONSENT_ITEMS.get(scope_id)
        if item is not None and item.needs_review and item.id not in seen:
            seen[item.id] = item
    return list(seen.values())


def open_items() -> list[ConsentItemSpec]:
    """The items every app may configure (what a personal app can ask for)."""
    return [item for item in _ITEMS if not item.needs_review]
