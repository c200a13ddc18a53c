"""An offline Kakao (kauth + kapi) for tests, demos and other languages' test suites.

``KakaoEmulator()`` gives one app and one fully-consented user; ``with emulator.serve() as url``
runs it as a real HTTP server (point ``kauth_url`` and ``kapi_url`` at ``url``); ``emulator.asgi``
is the same app in-process. With ``pip install authlib-kakao[testing]`` pytest gets the
``kakao_emulator`` fixture.
"""

from __future__ import annotations

from authlib_kakao.testing.emulator import DEFAULT_APP_ID, DEFAULT_USER_ID, KakaoEmulator
from authlib_kakao.testing.state import (
    App,
    ConsentItem,
    EmulatorConfig,
    LoggedRequest,
    ServiceTerm,
    User,
)

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_USER_ID",
    "App",
    "ConsentItem",
    "EmulatorConfig",
    "KakaoEmulator",
    "LoggedRequest",
    "ServiceTerm",
    "User",
]
