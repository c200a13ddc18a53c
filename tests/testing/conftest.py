"""Fixtures for the emulator's own suites: one real server per module, fresh state per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kapi_client import Kapi
from kauth_client import Kauth

from authlib_kakao.testing import KakaoEmulator
from authlib_kakao.testing.state import EmulatorConfig


@pytest.fixture(scope="module")
def served_emulator() -> Iterator[tuple[KakaoEmulator, str]]:
    """A KakaoEmulator served over real HTTP on 127.0.0.1 for the whole module."""
    emulator = KakaoEmulator()
    with emulator.serve() as base_url:
        yield emulator, base_url


@pytest.fixture
def emu(served_emulator: tuple[KakaoEmulator, str]) -> KakaoEmulator:
    """The served emulator, reset to its default app and user."""
    emulator, _ = served_emulator
    emulator.config = EmulatorConfig()
    emulator.consent_page = False
    emulator.reset()
    return emulator


@pytest.fixture
def kapi(served_emulator: tuple[KakaoEmulator, str], emu: KakaoEmulator) -> Iterator[Kapi]:
    """Raw HTTP client (httpx) pointed at the served emulator."""
    client = Kapi(served_emulator[1])
    yield client
    client.close()


@pytest.fixture
def kauth(served_emulator: tuple[KakaoEmulator, str], emu: KakaoEmulator) -> Iterator[Kauth]:
    """Raw HTTP client for kauth, with the default app's keys."""
    client = Kauth(served_emulator[1], emu.app.client_id, emu.app.client_secret)
    yield client
    client.close()
