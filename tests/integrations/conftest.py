"""Fixtures for the provider's integration tests: each test runs once per framework."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from harness import FRAMEWORKS, Harness

from authlib_kakao.testing import KakaoEmulator


@pytest.fixture(params=sorted(FRAMEWORKS))
def harness(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> Harness:
    """An unbuilt harness for one framework, pointed at the served emulator."""
    assert kakao_emulator.url
    return FRAMEWORKS[request.param](kakao_emulator.url)


@pytest.fixture(autouse=True)
def integration_presets(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> None:
    """These tests log in headless (auto-approve) to a Biz app with every item, service terms
    and OIDC on, as a user who agreed to everything: chosen here, explicitly (a test's own
    ``kakao_emulator`` marker wins)."""
    emu = kakao_emulator
    marker = request.node.get_closest_marker("kakao_emulator")
    chosen = set(marker.kwargs) if marker else set()
    if "app_preset" not in chosen:
        emu.config.app_preset = "kakao_sync"
    if "user_preset" not in chosen:
        emu.config.user_preset = "agreed_all"
    if not chosen & {"auto_approve", "consent_page"}:
        emu.auto_approve = True
    emu.reset()


@pytest.fixture
def build(harness: Harness, kakao_emulator: KakaoEmulator) -> Callable[..., Any]:
    """``build(**register_kwargs)``: the app with the emulator's default app keys."""

    def make(**extra: Any) -> Any:
        app = kakao_emulator.app
        return harness.build(**harness.register_kwargs(app.client_id, app.client_secret, **extra))

    return make
