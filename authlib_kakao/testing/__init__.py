"""An offline Kakao (kauth + kapi) for tests, demos and other languages' test suites.

``KakaoEmulator()`` gives one personal app (nickname and profile image, OIDC off) and one user who
agreed to what such an app gets, behind Kakao's login + consent page and its session cookie;
presets (``APP_PRESETS``, ``USER_PRESETS``) give the other shapes, and ``auto_approve=True`` logs in
headless. ``with emulator.serve() as url`` runs it as a real HTTP server (point ``kauth_url`` and
``kapi_url`` at ``url``); ``emulator.asgi`` is the same app in-process. With ``pip install authlib-kakao[testing]`` pytest gets the
``kakao_emulator`` fixture.

The names below load on first use (PEP 562), so importing a submodule such as the pytest plugin
does not import the emulator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import DEFAULT_APP_ID, DEFAULT_USER_ID, KakaoEmulator
    from authlib_kakao.testing.presets import APP_PRESETS, USER_PRESETS
    from authlib_kakao.testing.state import (
        App,
        Clock,
        ConsentItem,
        EmulatorConfig,
        LoggedRequest,
        ServiceTerm,
        User,
        WebhookDelivery,
    )

__all__ = [
    "APP_PRESETS",
    "DEFAULT_APP_ID",
    "DEFAULT_USER_ID",
    "USER_PRESETS",
    "App",
    "Clock",
    "ConsentItem",
    "EmulatorConfig",
    "KakaoEmulator",
    "LoggedRequest",
    "ServiceTerm",
    "User",
    "WebhookDelivery",
]

_HOMES = {
    "APP_PRESETS": "presets",
    "USER_PRESETS": "presets",
    "DEFAULT_APP_ID": "emulator",
    "DEFAULT_USER_ID": "emulator",
    "KakaoEmulator": "emulator",
    "App": "state",
    "Clock": "state",
    "ConsentItem": "state",
    "EmulatorConfig": "state",
    "LoggedRequest": "state",
    "ServiceTerm": "state",
    "User": "state",
    "WebhookDelivery": "state",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
