"""Fixtures for the emulator's own suites, built on the plugin's ``kakao_emulator`` fixtures.

``emu`` is the session's served emulator, reset for each test (the plugin) and with its clock
frozen, so lifetimes compare exactly. ``kauth`` / ``kapi`` reach it in-process over ASGI unless a
test asks for ``wire="http"`` (``BOTH_WIRES`` runs it both ways).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from kapi_client import Kapi
from kauth_client import Kauth
from wire import ASGI_BASE_URL, SyncASGITransport

from authlib_kakao.testing import KakaoEmulator

# The rule-by-rule suites were written for a Kakao Sync app (every consent item, service terms,
# OIDC on) whose default user agreed to everything, logging in headless (auto-approve). They pick
# that explicitly; a test's own marker (app_preset=..., user_preset=..., consent_page=...) wins.
RULE_SUITE_SETUP = {"app_preset": "kakao_sync", "user_preset": "agreed_all"}


@pytest.fixture
def emu(request: pytest.FixtureRequest, kakao_emulator: KakaoEmulator) -> KakaoEmulator:
    """The plugin's freshly reset emulator (served: ``emu.url``), its clock frozen."""
    marker = request.node.get_closest_marker("kakao_emulator")
    chosen = set(marker.kwargs) if marker else set()
    for name, value in RULE_SUITE_SETUP.items():
        if name not in chosen:
            setattr(kakao_emulator.config, name, value)
    if not chosen & {"auto_approve", "consent_page"}:
        kakao_emulator.auto_approve = True
    kakao_emulator.reset()
    kakao_emulator.clock.freeze()
    return kakao_emulator


@pytest.fixture
def wire(request: pytest.FixtureRequest) -> str:
    """``"asgi"`` (default: in-process) or ``"http"`` (the session's real server)."""
    return str(getattr(request, "param", "asgi"))


@pytest.fixture
def base_url(emu: KakaoEmulator, wire: str) -> str:
    """Where the helper clients send: a made-up host in-process, the server's URL over HTTP."""
    if wire == "http":
        assert emu.url is not None
        return emu.url
    return ASGI_BASE_URL


@pytest.fixture
def transport(emu: KakaoEmulator, wire: str) -> httpx.BaseTransport | None:
    """The in-process transport, or None for httpx's own (real sockets)."""
    return SyncASGITransport(emu.asgi) if wire == "asgi" else None


@pytest.fixture
def kapi(base_url: str, transport: httpx.BaseTransport | None) -> Iterator[Kapi]:
    """Raw kapi client (httpx) for the emulator."""
    client = Kapi(base_url, transport=transport)
    yield client
    client.close()


@pytest.fixture
def kauth(
    emu: KakaoEmulator, base_url: str, transport: httpx.BaseTransport | None
) -> Iterator[Kauth]:
    """Raw kauth client for the emulator, with the default app's keys."""
    client = Kauth(base_url, emu.app.client_id, emu.app.client_secret, transport=transport)
    yield client
    client.close()
