"""Registration checks: every configuration mistake caught when it is made, named with its fix.

``register_kakao`` runs these before anything reaches Authlib, which would accept most mistakes
silently and fail much later (a ``timeout="10"`` at the first call, ``clientsecret=`` as KOE010 at
the first login, a missing ``client_id`` as KOE101 on Kakao's own page).
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from authlib_kakao.core.consent_items import items_needing_review
from authlib_kakao.core.scopes import scope_items
from authlib_kakao.errors import KakaoConfigError

__all__ = [
    "KNOWN_KEYWORDS",
    "MISPLACED",
    "KakaoConfigWarning",
    "check_app_key",
    "check_audiences",
    "check_flag",
    "check_keywords",
    "check_mapping",
    "check_size",
    "check_timeout",
    "check_url",
    "warn_about_scopes",
]

# What Authlib's registry and OAuth2 apps take, plus register_kakao's own keywords: anything that
# looks like one of these but is not is a typo (Authlib would file it under server_metadata).
KNOWN_KEYWORDS = frozenset(
    {
        "client_id",
        "client_secret",
        "access_token_params",
        "authorize_params",
        "client_kwargs",
        "compliance_fix",
        "client_auth_methods",
        "user_agent",
        "fetch_token",
        "update_token",
        "overwrite",
        "name",
        "openid",
        "kauth_url",
        "kapi_url",
        "issuer",
        "allowed_audiences",
        "timeout",
        "max_response_bytes",
        "refresh_lock",
        "app_id",
    }
)


class KakaoConfigWarning(UserWarning):
    """A registration that may work, but often does not: worth a look before the first login."""


_NEEDS = {
    "biz": "a Biz app",
    "review": "a Biz app and Kakao's review",
    "partner": "a partner contract with Kakao",
}


def warn_about_scopes(*scopes: object) -> None:
    """Warn when the registered ``scope`` asks for consent items a personal app cannot have.

    A warning, not an error: the app may be a Biz app that has them; without them every login
    fails with KOE205.
    """
    asked = [item for value in scopes for item in (scope_items(value) or [])]
    gated = items_needing_review(asked)
    if gated:
        listed = ", ".join(f"{item.id} (needs {_NEEDS[item.access]})" for item in gated)
        warnings.warn(
            KakaoConfigWarning(
                f"scope asks for {listed}: an app without them gets KOE205 at every login. "
                f"Check [Kakao Login] > [Consent Items] for the app, or leave them out of scope."
            ),
            stacklevel=3,
        )


def _type(value: object) -> str:
    return type(value).__name__


def check_timeout(timeout: object) -> float:
    """``timeout`` as positive, finite seconds."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise KakaoConfigError(
            f"timeout= must be a number of seconds, not {_type(timeout)} ({timeout!r}): "
            f"e.g. timeout=10"
        )
    if not math.isfinite(timeout) or timeout <= 0:
        raise KakaoConfigError(
            f"timeout= must be positive and finite ({timeout!r} would disable it, and a call "
            f"could then hang forever): e.g. timeout=10"
        )
    return float(timeout)


def check_size(keyword: str, value: object) -> int:
    """``value`` as a positive integer (a size in bytes, an app id)."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise KakaoConfigError(
            f"{keyword}= must be a positive integer, not {_type(value)} ({value!r})"
        )
    return value


def check_url(keyword: str, value: object) -> str:
    """``value`` as an absolute http(s) URL with a host."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if (
        not isinstance(value, str)
        or parts is None
        or parts.scheme not in ("http", "https")
        or not parts.netloc
    ):
        shown = repr(value) if isinstance(value, str) else _type(value)
        raise KakaoConfigError(
            f"{keyword}= must be an absolute http(s) URL such as 'https://kauth.kakao.com', "
            f"not {shown}"
        )
    for part, text in (("query", parts.query), ("fragment", parts.fragment)):
        if text:
            # Every endpoint is joined onto this URL: a query or fragment would end up inside it.
            raise KakaoConfigError(
                f"{keyword}= is a base URL and takes no {part} ({value!r}): "
                f"e.g. 'https://kauth.kakao.com'"
            )
    return value


def check_app_key(keyword: str, value: object) -> str | None:
    """``client_id`` / ``client_secret``: an app key as Kakao issues it (``None`` or ``""``: not
    given here, from the framework's config or, for the secret, none)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise KakaoConfigError(
            f"{keyword}= must be a string (the REST API key or its client secret from "
            f"[App] > [App Keys]), not {_type(value)}"
        )
    if not value.strip():
        raise KakaoConfigError(f"{keyword}= is blank: give the key from [App] > [App Keys]")
    if any(ch.isspace() for ch in value):
        raise KakaoConfigError(
            f"{keyword}= contains whitespace: Kakao's keys have none (a copy-paste accident?)"
        )
    return value


def check_flag(keyword: str, value: object) -> bool:
    """A switch: ``True`` or ``False`` only (``openid='no'`` would be true)."""
    if not isinstance(value, bool):
        raise KakaoConfigError(f"{keyword}= takes True or False, not {value!r}")
    return value


def check_audiences(value: object) -> tuple[str, ...]:
    """``allowed_audiences`` as a tuple of app keys (a lone string is a mistake, not seven keys)."""
    if isinstance(value, (str, bytes)):
        raise KakaoConfigError(
            f"allowed_audiences= takes a list of app keys, not one string: "
            f"allowed_audiences=[{value!r}]"
        )
    if not isinstance(value, Iterable):
        raise KakaoConfigError(f"allowed_audiences= takes a list of app keys, not {_type(value)}")
    keys = tuple(value)
    odd = [key for key in keys if not isinstance(key, str) or not key]
    if odd:
        raise KakaoConfigError(f"allowed_audiences= holds app keys (strings), not {odd!r}")
    return keys


def check_mapping(keyword: str, value: object) -> dict[str, Any]:
    """``value`` as a dict (``None`` is empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise KakaoConfigError(
            f"{keyword}= must be a dict such as {{'prompt': 'login'}}, not {_type(value)} "
            f"({value!r})"
        )
    return dict(value)


# Keywords that belong elsewhere; Authlib would keep them as metadata and never use them.
MISPLACED = {
    "scope": "put it in client_kwargs={'scope': ...}, or pass scope= to authorize_redirect",
    "redirect_uri": "pass it to authorize_redirect(redirect_uri)",
    "code_challenge_method": "authlib-kakao already sends PKCE S256",
    "token_endpoint_auth_method": (
        "authlib-kakao picks client_secret_post (or none without a secret), the only form "
        "Kakao accepts"
    ),
    "leeway": "pass it to authorize_access_token(leeway=...)",
}


def check_keywords(kwargs: Mapping[str, Any]) -> None:
    """Refuse keywords that are misplaced (``scope=``) or near misses of a known one
    (``clientsecret`` for ``client_secret``).

    Other unknown keywords pass: Authlib hands them on as metadata (``prompt=`` on every login).
    """
    for keyword in kwargs:
        if keyword in KNOWN_KEYWORDS:
            continue
        if keyword in MISPLACED:
            raise KakaoConfigError(
                f"{keyword}= is not a registration keyword: {MISPLACED[keyword]}"
            )
        known = KNOWN_KEYWORDS | MISPLACED.keys()
        close = difflib.get_close_matches(keyword.lower(), known, n=1, cutoff=0.8)
        if close and close[0] in MISPLACED:
            raise KakaoConfigError(
                f"unknown keyword {keyword}= (like {close[0]}=, which is not a registration "
                f"keyword either): {MISPLACED[close[0]]}"
            )
        if close:
            raise KakaoConfigError(f"unknown keyword {keyword}=: did you mean {close[0]}=?")
