"""The emulator's one rate limiter: at most N events per T seconds per key, on a given clock."""

from __future__ import annotations

from authlib_kakao.testing.sliding_window import SlidingWindow


def test_events_beyond_the_limit_are_refused_until_the_oldest_leaves_the_window() -> None:
    window = SlidingWindow()

    taken = [window.take("k", (2, 10.0), now) for now in (0.0, 1.0, 5.0)]

    assert taken == [True, True, False]
    assert not window.take("k", (2, 10.0), 9.9)
    assert window.take("k", (2, 10.0), 10.0)  # the event at 0.0 is 10 s old: out


def test_a_refused_event_is_not_counted() -> None:
    window = SlidingWindow()
    window.take("k", (1, 10.0), 0.0)

    assert not window.take("k", (1, 10.0), 5.0)
    assert window.take("k", (1, 10.0), 10.0)  # only the first event counted


def test_keys_are_counted_apart_and_no_limit_counts_nothing() -> None:
    window = SlidingWindow()
    window.take("a", (1, 10.0), 0.0)

    assert window.take("b", (1, 10.0), 0.0)
    assert all(window.take("a", None, 0.0) for _ in range(5))
    assert not window.has_room("a", (1, 10.0), 0.0)


def test_checking_room_does_not_count() -> None:
    window = SlidingWindow()

    assert window.has_room("k", (1, 10.0), 0.0)
    assert window.has_room("k", (1, 10.0), 0.0)
    window.count("k", 0.0)
    assert not window.has_room("k", (1, 10.0), 0.0)
