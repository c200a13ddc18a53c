"""Login with Kakao for every Authlib app (Flask, Django, Starlette/FastAPI), plus an offline emulator.

``register_kakao(oauth)`` is the whole API for login; ``authlib_kakao.testing`` holds the emulator.

The names below are loaded on first use (PEP 562), so ``import authlib_kakao`` (and the pytest
plugin under ``authlib_kakao.testing``, which every pytest run of a project with this package
loads) costs next to nothing until Kakao is actually used.
"""

import importlib as _importlib
import typing as _typing

from authlib_kakao._version import __version__ as __version__

# Public name -> the module that defines it.
_EXPORTS = {
    "APIRateLimitError": "authlib_kakao.errors",
    "AsyncKakaoAdmin": "authlib_kakao.admin",
    "AsyncKakaoConnection": "authlib_kakao.http.connection",
    "ConsentRequiredError": "authlib_kakao.errors",
    "InvalidAccessTokenError": "authlib_kakao.errors",
    "InvalidIDTokenError": "authlib_kakao.errors",
    "KakaoAPIError": "authlib_kakao.errors",
    "KakaoAdmin": "authlib_kakao.admin",
    "KakaoAuthError": "authlib_kakao.errors",
    "KakaoConfigError": "authlib_kakao.errors",
    "KakaoConfigWarning": "authlib_kakao.validation",
    "KakaoConnection": "authlib_kakao.http.connection",
    "KakaoError": "authlib_kakao.errors",
    "KakaoResponseError": "authlib_kakao.errors",
    "KakaoSettings": "authlib_kakao.settings",
    "KakaoTransportError": "authlib_kakao.errors",
    "NotLinkedError": "authlib_kakao.errors",
    "RateLimitError": "authlib_kakao.errors",
    "TokenRateLimitError": "authlib_kakao.errors",
    "UnknownSigningKeyError": "authlib_kakao.errors",
    "WebhookAuthError": "authlib_kakao.errors",
    "WebhookPayloadError": "authlib_kakao.errors",
    "normalize_token": "authlib_kakao.core.tokens",
    "normalize_userinfo": "authlib_kakao.core.claims",
    "register_kakao": "authlib_kakao.provider",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if _typing.TYPE_CHECKING:
    from authlib_kakao.admin import AsyncKakaoAdmin as AsyncKakaoAdmin
    from authlib_kakao.admin import KakaoAdmin as KakaoAdmin
    from authlib_kakao.core.claims import normalize_userinfo as normalize_userinfo
    from authlib_kakao.core.tokens import normalize_token as normalize_token
    from authlib_kakao.errors import APIRateLimitError as APIRateLimitError
    from authlib_kakao.errors import ConsentRequiredError as ConsentRequiredError
    from authlib_kakao.errors import InvalidAccessTokenError as InvalidAccessTokenError
    from authlib_kakao.errors import InvalidIDTokenError as InvalidIDTokenError
    from authlib_kakao.errors import KakaoAPIError as KakaoAPIError
    from authlib_kakao.errors import KakaoAuthError as KakaoAuthError
    from authlib_kakao.errors import KakaoConfigError as KakaoConfigError
    from authlib_kakao.errors import KakaoError as KakaoError
    from authlib_kakao.errors import KakaoResponseError as KakaoResponseError
    from authlib_kakao.errors import KakaoTransportError as KakaoTransportError
    from authlib_kakao.errors import NotLinkedError as NotLinkedError
    from authlib_kakao.errors import RateLimitError as RateLimitError
    from authlib_kakao.errors import TokenRateLimitError as TokenRateLimitError
    from authlib_kakao.errors import UnknownSigningKeyError as UnknownSigningKeyError
    from authlib_kakao.errors import WebhookAuthError as WebhookAuthError
    from authlib_kakao.errors import WebhookPayloadError as WebhookPayloadError
    from authlib_kakao.http.connection import AsyncKakaoConnection as AsyncKakaoConnection
    from authlib_kakao.http.connection import KakaoConnection as KakaoConnection
    from authlib_kakao.provider import register_kakao as register_kakao
    from authlib_kakao.settings import KakaoSettings as KakaoSettings
    from authlib_kakao.validation import KakaoConfigWarning as KakaoConfigWarning
