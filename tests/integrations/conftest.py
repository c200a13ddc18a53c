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


@pytest.fixture
def build(harness: Harness, kakao_emulator: KakaoEmulator) -> Callable[..., Any]:
    """``build(**register_kwargs)``: the app with the emulator's default app keys."""

    def make(**extra: Any) -> Any:
        app = kakao_emulator.app
        return harness.build(**harness.register_kwargs(app.client_id, app.client_secret, **extra))

    return make
