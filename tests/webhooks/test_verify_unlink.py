"""verify_unlink_callback: Kakao's call is accepted, GET and POST alike; every bad call is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from authlib_kakao import KakaoConfigError, KakaoError, WebhookAuthError, WebhookPayloadError
from authlib_kakao.webhooks import (
    REFERRER_TYPES,
    ReferrerType,
    UnlinkEvent,
    unlink_params,
    verify_unlink_callback,
)

ADMIN_KEY = "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6"
APP_ID = 1234567
BIG_ID = 2**53 + 1  # JavaScript, or a float, would round it to 2**53


def params(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "app_id": str(APP_ID),
        "user_id": str(BIG_ID),
        "referrer_type": "UNLINK_FROM_APPS",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def verify(authorization: str | None = f"KakaoAK {ADMIN_KEY}", **options: Any) -> UnlinkEvent:
    kwargs: dict[str, Any] = {"params": params(), "admin_key": ADMIN_KEY, "app_id": APP_ID}
    kwargs.update(options)
    return verify_unlink_callback(authorization=authorization, **kwargs)


def test_kakaos_call_gives_the_event_with_an_exact_64_bit_user_id() -> None:
    event = verify()

    assert event == UnlinkEvent(APP_ID, BIG_ID, ReferrerType.UNLINK_FROM_APPS, None)
    assert event.user_id == 9_007_199_254_740_993
    assert event.referrer_type == "UNLINK_FROM_APPS"


def test_get_query_and_post_form_read_the_same() -> None:
    query = f"app_id={APP_ID}&user_id={BIG_ID}&referrer_type=ACCOUNT_DELETE"

    from_get = verify(params=unlink_params(query))
    from_post = verify(
        params=unlink_params(b"", query.encode(), "application/x-www-form-urlencoded")
    )
    from_json = verify(
        params=unlink_params(
            "",
            json.dumps(
                {"app_id": APP_ID, "user_id": BIG_ID, "referrer_type": "ACCOUNT_DELETE"}
            ).encode(),
            "application/json",
        )
    )

    assert from_get == from_post == from_json
    assert from_get.user_id == BIG_ID


def test_params_may_be_a_multidict_of_lists() -> None:
    event = verify(params={k: [v] for k, v in params().items()})

    assert event.user_id == BIG_ID


@pytest.mark.parametrize("referrer_type", sorted(REFERRER_TYPES))
def test_every_documented_referrer_type_is_a_member(referrer_type: str) -> None:
    event = verify(params=params(referrer_type=referrer_type))

    assert isinstance(event.referrer_type, ReferrerType)
    assert event.referrer_type == referrer_type


def test_a_new_referrer_type_is_tolerated_as_a_string() -> None:
    event = verify(params=params(referrer_type="REVOKE_ACCOUNT_SERVICE_TERMS"))

    assert event.referrer_type == "REVOKE_ACCOUNT_SERVICE_TERMS"
    assert not isinstance(event.referrer_type, ReferrerType)


def test_the_group_user_token_of_a_group_app() -> None:
    event = verify(params=params(group_user_token="g-token-1"))

    assert event.group_user_token == "g-token-1"
    assert "g-token-1" not in repr(event)


def test_without_app_id_any_app_is_accepted() -> None:
    assert verify(params=params(app_id="999"), app_id=None).app_id == 999


@pytest.mark.parametrize(
    "authorization",
    [f"kakaoak {ADMIN_KEY}", f"KAKAOAK   {ADMIN_KEY}  ", f" KakaoAK {ADMIN_KEY}"],
    ids=["lower-case scheme", "spaces", "leading space"],
)
def test_the_scheme_is_case_insensitive_and_spaces_are_tolerated(authorization: str) -> None:
    assert verify(authorization).user_id == BIG_ID


def test_during_a_key_change_either_key_is_accepted() -> None:
    keys = ["new-admin-key-0123456789", ADMIN_KEY]

    assert verify(admin_key=keys).user_id == BIG_ID
    assert verify("KakaoAK new-admin-key-0123456789", admin_key=keys).user_id == BIG_ID


AUTH_FAILURES = {
    "no header": None,
    "empty header": "",
    "bearer scheme": f"Bearer {ADMIN_KEY}",
    "basic scheme": "Basic dXNlcjpwYXNz",
    "scheme only": "KakaoAK",
    "wrong key": "KakaoAK 0000000000000000000000000000000f",
    "key prefix": f"KakaoAK {ADMIN_KEY[:-1]}",
    "key and more": f"KakaoAK {ADMIN_KEY}0",
    "non-ascii key": "KakaoAK 관리자키",
    "key and a second word": f"KakaoAK {ADMIN_KEY} extra",
}


@pytest.mark.parametrize("authorization", AUTH_FAILURES.values(), ids=AUTH_FAILURES.keys())
def test_a_call_without_the_admin_key_is_refused(authorization: str | None) -> None:
    with pytest.raises(WebhookAuthError) as info:
        verify(authorization)

    assert info.value.status_code == 401
    assert ADMIN_KEY not in str(info.value)
    assert ADMIN_KEY not in repr(info.value)


def test_the_key_is_checked_before_the_fields() -> None:
    with pytest.raises(WebhookAuthError):
        verify("KakaoAK wrong", params={})


PAYLOAD_FAILURES: dict[str, dict[str, Any]] = {
    "no app_id": params(app_id=None),
    "no user_id": params(user_id=None),
    "no referrer_type": params(referrer_type=None),
    "empty user_id": params(user_id=""),
    "user_id not a number": params(user_id="abc"),
    "negative user_id": params(user_id="-5"),
    "user_id with sign": params(user_id="+5"),
    "user_id zero": params(user_id="0"),
    "user_id float": params(user_id="1.5e3"),
    "user_id past 64 bits": params(user_id=str(2**63)),
    "user_id of 5000 digits": params(user_id="9" * 5000),
    "user_id in other digits": params(user_id="١٢٣"),
    "user_id twice": {**params(), "user_id": ["1", "2"]},
    "app_id not a number": params(app_id="app"),
    "wrong app": params(app_id="7654321"),
    "garbled referrer_type": params(referrer_type="<script>"),
    "referrer_type too long": params(referrer_type="X" * 65),
    "group_user_token too long": params(group_user_token="g" * 2000),
}


@pytest.mark.parametrize("bad", PAYLOAD_FAILURES.values(), ids=PAYLOAD_FAILURES.keys())
def test_a_garbled_call_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(WebhookPayloadError) as info:
        verify(params=bad)

    assert info.value.status_code == 400
    assert isinstance(info.value, KakaoError)


def test_the_wrong_app_is_named_in_the_message() -> None:
    with pytest.raises(WebhookPayloadError, match="about app 7654321, not 1234567"):
        verify(params=params(app_id="7654321"))


@pytest.mark.parametrize(
    ("query", "body", "content_type"),
    [
        ("", b"\xff\xfe", "application/x-www-form-urlencoded"),
        ("", b"{not json", "application/json"),
        ("", b"[1, 2]", "application/json"),
        ("&".join(f"f{i}=1" for i in range(100)), b"", None),
        ("", b'{"a":' * 5000 + b"1" + b"}" * 5000, "application/json"),
    ],
    ids=["not utf-8", "broken json", "json array", "too many fields", "nested 5000 deep"],
)
def test_unreadable_parameters_are_refused(
    query: str, body: bytes, content_type: str | None
) -> None:
    with pytest.raises(WebhookPayloadError):
        unlink_params(query, body, content_type)


@pytest.mark.parametrize(
    "admin_key", ["", "  ", [], [""]], ids=["empty", "blank", "none", "an empty one"]
)
def test_a_receiver_without_a_key_is_a_configuration_error(admin_key: Any) -> None:
    with pytest.raises(KakaoConfigError):
        verify(admin_key=admin_key)


def test_an_app_id_that_is_no_number_is_a_configuration_error() -> None:
    with pytest.raises(KakaoConfigError):
        verify(app_id="my-app")
