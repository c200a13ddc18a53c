"""The consent-item table: which scopes a personal app cannot ask for."""

from __future__ import annotations

from authlib_kakao.core.consent_items import (
    ACCESS_LEVELS,
    CONSENT_ITEMS,
    consent_item,
    items_needing_review,
    open_items,
)


def test_personal_app_items_need_no_review() -> None:
    assert items_needing_review(["profile_nickname", "profile_image", "openid"]) == []


def test_biz_and_review_items_are_named_once_in_order() -> None:
    found = items_needing_review(["phone_number", "account_email", "phone_number", "nope"])

    assert [(i.id, i.access) for i in found] == [
        ("phone_number", "review"),
        ("account_email", "biz"),
    ]


def test_every_row_has_a_known_access_level_and_type() -> None:
    assert all(i.access in ACCESS_LEVELS for i in CONSENT_ITEMS.values())
    assert all(i.type in ("PRIVACY", "SERVICE") for i in CONSENT_ITEMS.values())
    assert consent_item("openid") is None
    assert {i.id for i in open_items()} >= {"profile_nickname", "profile_image", "talk_message"}
