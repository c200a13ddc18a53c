"""pytest plugin (``pytest11`` entry point): the ``kakao_emulator`` fixture.

One real emulator server is started per test session; every test gets it reset to the default app
and user, so tests never see each other's tokens. ``@pytest.mark.kakao_emulator(...)`` passes
:class:`~authlib_kakao.testing.EmulatorConfig` fields and ``consent_page=True`` to that test's state.

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
        "kakao_emulator(consent_page=False, **EmulatorConfig fields): configure the "
        "kakao_emulator fixture for this test (e.g. access_token_lifetime=60).",
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
    consent_page = bool(options.pop("consent_page", False))
    unknown = set(options) - {f.name for f in fields(EmulatorConfig)}
    if unknown:
        raise pytest.UsageError(f"unknown kakao_emulator marker options: {sorted(unknown)}")
    emulator = kakao_emulator_server
    emulator.config = EmulatorConfig(**options)
    emulator.consent_page = consent_page
    emulator.reset()
    return emulator
