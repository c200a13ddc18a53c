"""Reference §6: how Kakao delivers webhooks — one attempt, 3 s, only the status counts, no
retry, and a webhook failing for over a month is paused — as the emulator's delivery log shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from webhook_receiver import Receiver, running_receiver

from authlib_kakao.testing import KakaoEmulator, User
from authlib_kakao.testing import event_tokens as se
from authlib_kakao.testing.webhooks_out import WebhookDeliveryError, WebhookPausedError

DAY = 24 * 3600
MONTH = 30 * DAY  # EmulatorConfig.webhook_pause_after's default


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with running_receiver("/kakao/unlink") as rec:
        yield rec


@pytest.fixture
def emu(emu: KakaoEmulator, hook: Receiver) -> KakaoEmulator:
    emu.app.webhook_url = hook.url
    return emu


def linked(emu: KakaoEmulator) -> User:
    """A fresh linked user: each unlink_from_kakao needs someone to unlink."""
    return emu.add_user(preset="agreed_all")


def fail_at(emu: KakaoEmulator, hook: Receiver, *offsets: float) -> None:
    """One failing unlink webhook at each clock offset (seconds from now, increasing)."""
    hook.status = 500
    start = emu.clock.now()
    for offset in offsets:
        emu.clock.freeze(start + offset)
        assert emu.unlink_from_kakao(linked(emu)) == 500


def test_ref_6_every_call_is_logged_on_the_emulators_clock(
    emu: KakaoEmulator, hook: Receiver
) -> None:
    user = linked(emu)

    emu.unlink_from_kakao(user, referrer_type="UNLINK_FROM_ADMIN")

    [entry] = emu.webhook_deliveries()
    assert (entry.id, entry.kind, entry.url, entry.method) == (1, "unlink", hook.url, "POST")
    assert (entry.app_id, entry.user_id, entry.referrer_type) == (
        emu.app.app_id,
        user.id,
        "UNLINK_FROM_ADMIN",
    )
    assert (entry.status, entry.ok, entry.paused, entry.attempt) == (200, True, False, 1)
    assert entry.at == emu.clock.now()
    assert entry.jti is None


def test_ref_6_1_only_200_is_a_success_for_the_unlink_webhook(
    emu: KakaoEmulator, hook: Receiver
) -> None:
    hook.statuses = [204, 202, 200]

    for _ in range(3):
        emu.unlink_from_kakao(linked(emu))

    assert [(d.status, d.ok) for d in emu.webhook_deliveries()] == [
        (204, False),
        (202, False),
        (200, True),
    ]


def test_ref_6_no_retry_by_default(emu: KakaoEmulator, hook: Receiver) -> None:
    hook.status = 500

    assert emu.unlink_from_kakao(linked(emu)) == 500

    assert len(hook.hits) == 1
    assert emu.config.webhook_retries == 0


def test_ref_6_webhook_retries_resend_at_once_until_a_success(
    emu: KakaoEmulator, hook: Receiver
) -> None:
    emu.config.webhook_retries = 5
    hook.statuses = [500, 502]

    assert emu.unlink_from_kakao(linked(emu)) == 200

    assert len(hook.hits) == 3
    assert hook.hits[0].body == hook.hits[2].body
    assert [(d.attempt, d.status) for d in emu.webhook_deliveries()] == [
        (1, 500),
        (2, 502),
        (3, 200),
    ]


def test_ref_6_retries_stop_after_the_configured_number(emu: KakaoEmulator, hook: Receiver) -> None:
    emu.config.webhook_retries = 2
    hook.status = 500

    assert emu.unlink_from_kakao(linked(emu)) == 500

    assert len(hook.hits) == 3


def test_ref_6_1_failures_spanning_over_a_month_pause_the_webhook(
    emu: KakaoEmulator, hook: Receiver
) -> None:
    fail_at(emu, hook, 0, 10 * DAY, MONTH + 1)

    assert emu.webhook_paused()
    with pytest.raises(WebhookPausedError, match="resume_webhook"):
        emu.unlink_from_kakao(linked(emu))
    assert len(hook.hits) == 3  # the fourth was not sent
    last = emu.webhook_deliveries()[-1]
    assert (last.paused, last.status, last.ok) == (True, None, False)


def test_ref_6_1_failures_spanning_exactly_a_month_do_not_pause(
    emu: KakaoEmulator, hook: Receiver
) -> None:
    fail_at(emu, hook, 0, MONTH)

    assert not emu.webhook_paused()
    hook.status = 200
    assert emu.unlink_from_kakao(linked(emu)) == 200


def test_ref_6_1_a_success_ends_the_run_of_failures(emu: KakaoEmulator, hook: Receiver) -> None:
    fail_at(emu, hook, 0)
    hook.status = 200
    emu.clock.advance(20 * DAY)
    emu.unlink_from_kakao(linked(emu))

    fail_at(emu, hook, 1, 20 * DAY)  # failures since the success span 20 days

    assert not emu.webhook_paused()


def test_ref_6_1_unanswered_calls_are_failures_too(emu: KakaoEmulator, hook: Receiver) -> None:
    hook.hold = True
    emu.config.webhook_timeout = 0.05  # Kakao's 3 s, shortened so the test does not wait
    for offset in (0, MONTH + 1):
        emu.clock.freeze(emu.clock.now() + offset)
        with pytest.raises(WebhookDeliveryError, match="timed out"):
            emu.unlink_from_kakao(linked(emu))

    assert emu.webhook_paused()


def test_ref_6_1_a_paused_webhook_is_called_again_once_resumed(
    emu: KakaoEmulator, hook: Receiver
) -> None:
    fail_at(emu, hook, 0, MONTH + 1)
    hook.status = 200

    emu.resume_webhook()

    assert not emu.webhook_paused()
    assert emu.unlink_from_kakao(linked(emu)) == 200
    assert len(hook.hits) == 3


def test_ref_6_1_the_pause_period_is_configurable(emu: KakaoEmulator, hook: Receiver) -> None:
    emu.config.webhook_pause_after = 3600

    fail_at(emu, hook, 0, 3601)

    assert emu.webhook_paused()


def test_ref_6_pause_is_per_app_and_per_kind(emu: KakaoEmulator, hook: Receiver) -> None:
    with running_receiver("/kakao/events", status=202) as sets:
        emu.app.security_event_url = sets.url
        emu.app.security_event_types = [se.TOKENS_REVOKED]  # not the unlink's user-unlinked
        other = emu.add_app(preset="biz", webhook_url=hook.url)
        fail_at(emu, hook, 0, MONTH + 1)

        hook.status = 200
        assert emu.unlink_from_kakao(emu.add_user(preset="agreed_all", app=other), other) == 200
        emu.send_security_event(emu.user, se.TOKENS_REVOKED)

        assert emu.webhook_paused(emu.app, "unlink")
        assert not emu.webhook_paused(other, "unlink")
        assert not emu.webhook_paused(emu.app, "security_event")
        assert len(sets.hits) == 1


def test_ref_6_2_a_paused_set_receiver_gets_nothing_not_even_redeliveries(
    emu: KakaoEmulator,
) -> None:
    with running_receiver("/kakao/events", status=400) as sets:
        emu.app.security_event_url = sets.url
        first = emu.send_security_event(emu.user, se.TOKENS_REVOKED)
        emu.clock.advance(MONTH + 1)
        emu.send_security_event(emu.user, se.TOKENS_REVOKED)

        skipped = emu.redeliver(first.jti or "")
        later = emu.send_security_event(emu.user, se.TOKENS_REVOKED)

        assert emu.webhook_paused(kind="security_event")
        assert (skipped.paused, later.paused) == (True, True)
        assert len(sets.hits) == 2


def test_ref_6_an_unknown_webhook_kind_is_refused(emu: KakaoEmulator) -> None:
    with pytest.raises(ValueError, match="security_event"):
        emu.webhook_paused(kind="callback")
