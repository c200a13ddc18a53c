"""Login with Kakao for every Authlib app (Flask, Django, Starlette/FastAPI), plus an offline emulator.

``register_kakao(oauth)`` is the whole API for login; ``authlib_kakao.testing`` holds the emulator.
"""

from authlib_kakao._version import __version__ as __version__
from authlib_kakao.core.claims import normalize_userinfo
from authlib_kakao.core.tokens import normalize_token
from authlib_kakao.errors import (
    APIRateLimitError,
    ConsentRequiredError,
    InvalidAccessTokenError,
    InvalidIDTokenError,
    KakaoAPIError,
    KakaoAuthError,
    KakaoConfigError,
    KakaoError,
    KakaoResponseError,
    KakaoTransportError,
    NotLinkedError,
    RateLimitError,
    TokenRateLimitError,
    UnknownSigningKeyError,
)
from authlib_kakao.provider import register_kakao
from authlib_kakao.settings import KakaoSettings

__all__ = [
    "APIRateLimitError",
    "ConsentRequiredError",
    "InvalidAccessTokenError",
    "InvalidIDTokenError",
    "KakaoAPIError",
    "KakaoAuthError",
    "KakaoConfigError",
    "KakaoError",
    "KakaoResponseError",
    "KakaoSettings",
    "KakaoTransportError",
    "NotLinkedError",
    "RateLimitError",
    "TokenRateLimitError",
    "UnknownSigningKeyError",
    "normalize_token",
    "normalize_userinfo",
    "register_kakao",
]

# Users see authlib_kakao.KakaoError, not the private module path.
for _name in __all__:
    _obj = globals()[_name]
    if hasattr(_obj, "__module__") and not isinstance(_obj, str):
        _obj.__module__ = __name__
del _name, _obj
