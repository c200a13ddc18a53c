"""The requests face's whole-call deadline, kept in the caller's thread: a watchdog cuts a late
call's sockets, a call in time leaves nothing behind (no thread, no duplicated socket)."""

from __future__ import annotations

import os
import socket
import threading
import time

from authlib_kakao import KakaoAdmin
from authlib_kakao.http.deadline import Deadline, current, deadline
from authlib_kakao.testing import KakaoEmulator


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_the_watchdog_cuts_a_blocked_read_at_the_deadline() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        with deadline(0.2) as call:
            call.add(ours)
            start = time.monotonic()
            received = ours.recv(10)  # nothing is ever sent: only the cut ends this
            waited = time.monotonic() - start

        assert received == b""
        assert call.expired
        assert 0.1 < waited < 5


def test_a_call_in_time_is_not_cut_and_closes_its_duplicates() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        with deadline(5) as call:
            duplicate = ours.dup()
            call.add(duplicate, owned=True)
            call.add(ours)
        theirs.sendall(b"x")

        assert not call.expired
        assert duplicate.fileno() == -1  # closed with the call
        assert ours.recv(1) == b"x"  # the connection itself is untouched


def test_a_redirect_inside_a_call_keeps_the_calls_deadline() -> None:
    with deadline(5) as outer, deadline(60) as inner:
        assert inner is outer
        assert current() is outer
    assert current() is None


def test_a_socket_added_after_the_cut_is_cut_at_once() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        call = Deadline(time.monotonic())
        call.expire()
        call.add(ours)

        assert ours.recv(1) == b""


def test_calls_run_in_the_callers_thread_and_leak_no_socket(
    kakao_emulator: KakaoEmulator,
) -> None:
    kakao_emulator.link(kakao_emulator.user)
    admin = KakaoAdmin(kakao_emulator.app.admin_key, kapi_url=kakao_emulator.url)
    for _ in range(5):  # the pool's connections opened
        admin.me(kakao_emulator.user.id)
    before = open_fds()

    for _ in range(100):
        admin.me(kakao_emulator.user.id)

    assert open_fds() - before <= 2
    names = [thread.name for thread in threading.enumerate()]
    assert not [name for name in names if name.startswith("authlib-kakao_")]  # no worker pool
    admin.close()
