"""An offline Kakao (kauth + kapi) for tests, demos and other languages' test suites.

``KakaoEmulator()`` gives one personal app (nickname and profile image, OIDC off) and one user who
agreed to what such an app gets, behind Kakao's login + consent page and its session cookie;
presets (``APP_PRESETS``, ``USER_PRESETS``) give the other shapes, and ``auto_approve=True`` logs in
headless. ``with emulator.serve() as url`` runs it as a real HTTP server (point ``kauth_url`` and
``kapi_url`` at ``url``); ``emulator.asgi`` is the same app in-process. With ``pip install authlib-kakao[testing]`` pytest gets the
``kakao_emulator`` fixture.

The names below load on first use (PEP 562), so importing a submodule such as the pytest plugin
does not import the emulator. The security-event types (``USER_UNLINKED``, ``TOKENS_REVOKED``, ...,
``EVENT_TYPES``) are here too, from ``event_tokens``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import DEFAULT_APP_ID, DEFAULT_USER_ID, KakaoEmulator
    from authlib_kakao.testing.event_tokens import (
        ACCOUNT_CREDENTIAL_CHANGE_REQUIRED,
        ACCOUNT_DISABLED,
        ACCOUNT_ENABLED,
        ACCOUNT_PURGED,
        ASSURANCE_LEVEL_CHANGE,
        CREDENTIAL_CHANGE,
        CREDENTIAL_COMPROMISE,
        EVENT_TYPES,
        IDENTIFIER_CHANGED,
        IDENTIFIER_RECYCLED,
        SESSIONS_REVOKED,
        TOKEN_ISSUED,
        TOKEN_REVOKED,
        TOKENS_REVOKED,
        USER_LINKED,
        USER_PROFILE_CHANGED,
        USER_SCOPE_CONSENT,
        USER_SCOPE_WITHDRAW,
        USER_UNLINKED,
    )
    from authlib_kakao.testing.presets import APP_PRESETS, USER_PRESETS
    from authlib_kakao.testing.state import (
        App,
        ChannelRelation,
        Clock,
        ConsentItem,
        EmulatorConfig,
        LoggedRequest,
        ServiceTerm,
        TalkChannel,
        User,
        WebhookDelivery,
    )

# Where each public name lives (submodule -> names); imported on first use.
_MODULES: dict[str, tuple[str, ...]] = {
    "emulator": ("DEFAULT_APP_ID", "DEFAULT_USER_ID", "KakaoEmulator"),
    "event_tokens": (
        "ACCOUNT_CREDENTIAL_CHANGE_REQUIRED", "ACCOUNT_DISABLED", "ACCOUNT_ENABLED",
        "ACCOUNT_PURGED", "ASSURANCE_LEVEL_CHANGE", "CREDENTIAL_CHANGE", "CREDENTIAL_COMPROMISE",
        "EVENT_TYPES", "IDENTIFIER_CHANGED", "IDENTIFIER_RECYCLED", "SESSIONS_REVOKED",
        "TOKEN_ISSUED", "TOKEN_REVOKED", "TOKENS_REVOKED", "USER_LINKED", "USER_PROFILE_CHANGED",
        "USER_SCOPE_CONSENT", "USER_SCOPE_WITHDRAW", "USER_UNLINKED",
    ),
    "presets": ("APP_PRESETS", "USER_PRESETS"),
    "state": (
        "App", "ChannelRelation", "Clock", "ConsentItem", "EmulatorConfig", "LoggedRequest",
        "ServiceTerm", "TalkChannel", "User", "WebhookDelivery",
    ),
}  # fmt: skip
_HOMES = {name: module for module, names in _MODULES.items() for name in names}

__all__ = [
    "ACCOUNT_CREDENTIAL_CHANGE_REQUIRED",
    "ACCOUNT_DISABLED",
    "ACCOUNT_ENABLED",
    "ACCOUNT_PURGED",
    "APP_PRESETS",
    "ASSURANCE_LEVEL_CHANGE",
    "CREDENTIAL_CHANGE",
    "CREDENTIAL_COMPROMISE",
    "DEFAULT_APP_ID",
    "DEFAULT_USER_ID",
    "EVENT_TYPES",
    "IDENTIFIER_CHANGED",
    "IDENTIFIER_RECYCLED",
    "SESSIONS_REVOKED",
    "TOKENS_REVOKED",
    "TOKEN_ISSUED",
    "TOKEN_REVOKED",
    "USER_LINKED",
    "USER_PRESETS",
    "USER_PROFILE_CHANGED",
    "USER_SCOPE_CONSENT",
    "USER_SCOPE_WITHDRAW",
    "USER_UNLINKED",
    "App",
    "ChannelRelation",
    "Clock",
    "ConsentItem",
    "EmulatorConfig",
    "KakaoEmulator",
    "LoggedRequest",
    "ServiceTerm",
    "TalkChannel",
    "User",
    "WebhookDelivery",
]  # what _MODULES lists (a test compares them)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
