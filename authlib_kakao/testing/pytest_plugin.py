"""pytest plugin (``pytest11`` entry point): the ``kakao_emulator`` fixture.

One real emulator server is started per test session; every test gets it reset to the default app
and user, so tests never see each other's tokens. ``@pytest.mark.kakao_emulator(...)`` passes
:class:`~authlib_kakao.testing.EmulatorConfig` fields (``app_preset="biz"``, ...) and
``auto_approve=True`` (headless logins: a code at once, no browser session) to that test's state.
Without it the emulator behaves like Kakao in a browser: the login + consent page.

Installed packages' plugins load in every pytest run, whether or not a test uses the fixture, so
this module imports only pytest: the emulator (and uvicorn, jinja2, joserfc) load inside the
fixtures, when a test first asks for one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = ["kakao_emulator", "kakao_emulator_server"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "kakao_emulator(auto_approve=False, **EmulatorConfig fields): configure the "
        "kakao_emulator fixture for this test (e.g. app_preset='biz', auto_approve=True).",
    )


@pytest.fixture(scope="session")
def kakao_emulator_server() -> Iterator[KakaoEmulator]:
    """The session's emulator, served over real HTTP (``.url``); prefer ``kakao_emulator``."""
    from authlib_kakao.testing.emulator import KakaoEmulator

    emulator = KakaoEmulator()
    with emulator.serve():
        yield emulator


@pytest.fixture
def kakao_emulator(
    request: pytest.FixtureRequest, kakao_emulator_server: KakaoEmulator
) -> KakaoEmulator:
    """A freshly reset Kakao emulator; its base URL (kauth and kapi alike) is ``.url``."""
    from dataclasses import fields

    from authlib_kakao.testing.state import EmulatorConfig

    marker = request.node.get_closest_marker("kakao_emulator")
    options = dict(marker.kwargs) if marker else {}
    auto_approve = bool(options.pop("auto_approve", False))
    if "consent_page" in options:  # the older switch: consent_page=False means auto-approve
        auto_approve = not options.pop("consent_page")
    unknown = set(options) - {f.name for f in fields(EmulatorConfig)}
    if unknown:
        raise pytest.UsageError(f"unknown kakao_emulator marker options: {sorted(unknown)}")
    emulator = kakao_emulator_server
    emulator.config = EmulatorConfig(**options)
    emulator.auto_approve = auto_approve
    emulator.reset()
    return emulator
