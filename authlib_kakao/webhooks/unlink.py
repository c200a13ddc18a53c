"""The unlink webhook (reference §6.1): Kakao tells the app that a user is no longer connected.

Kakao calls the URL registered under [App] > [Webhook] > [Unlink webhook] with ``GET`` (the
parameters in the query) or ``POST`` (in the body, form-encoded as far as anyone knows), the header
``Authorization: KakaoAK <primary admin key>`` and the parameters ``app_id``, ``user_id``,
``referrer_type`` and, for group apps, ``group_user_token``. Anyone can call that URL, so the key
and the ``app_id`` are what make a call Kakao's. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import parse_qsl

from authlib_kakao.errors import KakaoConfigError, WebhookAuthError, WebhookPayloadError

__all__ = [
    "REFERRER_TYPES",
    "ReferrerType",
    "UnlinkEvent",
    "admin_keys",
    "check_authorization",
    "configured_app_id",
    "unlink_event",
    "unlink_params",
    "verify_unlink_callback",
]


class ReferrerType(str, Enum):
    """Why Kakao unlinked the user: the ``referrer_type`` values Kakao documents.

    A member equals its string (``ReferrerType.ACCOUNT_DELETE == "ACCOUNT_DELETE"``) and prints
    as it (in logs and templates); a value Kakao adds later arrives as a plain string instead of
    being refused.
    """

    def __str__(self) -> str:
        return str(self.value)

    ACCOUNT_DELETE = "ACCOUNT_DELETE"
    """The user deleted their Kakao Account."""
    FORCED_ACCOUNT_DELETE = "FORCED_ACCOUNT_DELETE"
    """Kakao deleted the account (long dormancy, customer service)."""
    UNLINK_FROM_ADMIN = "UNLINK_FROM_ADMIN"
    """Kakao's administrators or customer service unlinked the user."""
    UNLINK_FROM_APPS = "UNLINK_FROM_APPS"
    """The user disconnected the app in their Kakao Account or in KakaoTalk."""
    INCOMPLETE_SIGN_UP = "INCOMPLETE_SIGN_UP"
    """A preregistered user did not finish signing up within 24 hours."""


REFERRER_TYPES = frozenset(member.value for member in ReferrerType)
"""Every documented ``referrer_type``."""

# Generous for values Kakao may add (they are upper-case words so far), strict enough that a
# garbled or hostile value never reaches the app or its logs.
_REFERRER_SHAPE = re.compile(r"[A-Za-z0-9_]{1,64}")
_MAX_USER_ID = 2**63 - 1  # Kakao's ids are signed 64-bit numbers (and pass 2**53)
_MAX_FIELDS = 32
_MAX_GROUP_TOKEN = 1024


@dataclass(frozen=True)
class UnlinkEvent:
    """One unlink, as Kakao reported it.

    Attributes:
        app_id: the app the user left.
        user_id: the user's Kakao id (``/v2/user/me``'s ``id``, the id_token's ``sub``).
        referrer_type: why; a :class:`ReferrerType` member for the documented values, else the
            string Kakao sent.
        group_user_token: the user's token across a group of apps (group apps only).
    """

    app_id: int
    user_id: int
    referrer_type: ReferrerType | str
    group_user_token: str | None = field(default=None, repr=False)


def admin_keys(admin_key: str | Iterable[str]) -> tuple[str, ...]:
    """The accepted admin keys (several while a key is being reissued), checked.

    Raises:
        KakaoConfigError: no key, or an empty one.
    """
    keys = (admin_key,) if isinstance(admin_key, str) else tuple(admin_key)
    if not keys or not all(isinstance(k, str) and k.strip() for k in keys):
        raise KakaoConfigError(
            "admin_key must be the app's primary admin key from [App] > [App Keys] "
            "(a non-empty string, or several during a key change)"
        )
    return tuple(k.strip() for k in keys)


def configured_app_id(app_id: int | str | None) -> int | None:
    """The app id a receiver was given, as a number (``None``: not checked).

    Raises:
        KakaoConfigError: not the number from [App] > [General].
    """
    if app_id is None:
        return None
    text = str(app_id).strip()
    if isinstance(app_id, bool) or not (text.isascii() and text.isdigit()):
        raise KakaoConfigError("app_id must be the app's numeric id from [App] > [General]")
    return int(text)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "replace")).digest()


def check_authorization(authorization: str | None, admin_key: str | Iterable[str]) -> None:
    """Refuse a call whose ``Authorization`` is not ``KakaoAK <admin_key>``.

    Digests of the keys are compared in constant time, against every accepted key, so timing
    tells a caller nothing about the key: not where it differs, not even its length.

    Raises:
        WebhookAuthError: no header, another scheme, or another key.
    """
    keys = [_digest(key) for key in admin_keys(admin_key)]
    if not authorization or not authorization.strip():
        raise WebhookAuthError("the webhook call has no Authorization header")
    scheme, _, credentials = authorization.strip().partition(" ")
    if scheme.lower() != "kakaoak":
        raise WebhookAuthError("the webhook call's Authorization is not of the KakaoAK scheme")
    presented = _digest(credentials.strip())
    matches = [hmac.compare_digest(presented, key) for key in keys]
    if not any(matches):
        raise WebhookAuthError("the webhook call's KakaoAK key is not the app's admin key")


Params = Mapping[str, str | Sequence[str]]
"""Webhook parameters: one string per name, or every value given for it (a framework's multidict
as ``{name: [values]}``), so that a repeated parameter is seen and refused."""


def _one(params: Params, name: str, *, required: bool = True) -> str | None:
    value = params.get(name)
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) > 1:
            raise WebhookPayloadError(f"the webhook call gives {name} {len(value)} times")
        value = value[0] if value else None
    if value is None or value == "":
        if required:
            raise WebhookPayloadError(f"the webhook call has no {name}")
        return None
    if not isinstance(value, str):
        raise WebhookPayloadError(f"the webhook call's {name} is not a string")
    return value


def _number(value: str, name: str, maximum: int) -> int:
    # str.isdigit accepts "²" and other digits int() refuses; Kakao sends ASCII digits only.
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(maximum))):
        raise WebhookPayloadError(f"the webhook call's {name} is not a Kakao id")
    number = int(value)
    if not 0 < number <= maximum:
        raise WebhookPayloadError(f"the webhook call's {name} is not a Kakao id")
    return number


def unlink_event(params: Params, *, app_id: int | str | None = None) -> UnlinkEvent:
    """The :class:`UnlinkEvent` the parameters describe (the caller already checked the key).

    Raises:
        WebhookPayloadError: a field missing, repeated or garbled, or ``app_id`` not this app's.
    """
    expected = configured_app_id(app_id)
    event_app = _number(str(_one(params, "app_id")), "app_id", _MAX_USER_ID)
    if expected is not None and event_app != expected:
        # Both are numbers by now, and app ids are not secret: the message may show them.
        raise WebhookPayloadError(f"the webhook call is about app {event_app}, not {app_id}")
    user_id = _number(str(_one(params, "user_id")), "user_id", _MAX_USER_ID)
    referrer = str(_one(params, "referrer_type"))
    if not _REFERRER_SHAPE.fullmatch(referrer):
        raise WebhookPayloadError("the webhook call's referrer_type is garbled")
    group_user_token = _one(params, "group_user_token", required=False)
    if group_user_token is not None and len(group_user_token) > _MAX_GROUP_TOKEN:
        raise WebhookPayloadError("the webhook call's group_user_token is too long")
    return UnlinkEvent(
        event_app,
        user_id,
        ReferrerType(referrer) if referrer in REFERRER_TYPES else referrer,
        group_user_token,
    )


def verify_unlink_callback(
    *,
    authorization: str | None,
    params: Params,
    admin_key: str | Iterable[str],
    app_id: int | str | None = None,
) -> UnlinkEvent:
    """Verify one call of the unlink webhook; GET (query) and POST (form) alike.

    Args:
        authorization: the call's ``Authorization`` header (``KakaoAK <admin key>``).
        params: the query (GET) or form (POST) parameters; see :func:`unlink_params` for raw ones.
        admin_key: the app's primary admin key, or several during a key change.
        app_id: the app's id ([App] > [General]); when given, a call about another app is refused.

    Returns:
        The event, ``user_id`` an ``int`` (Kakao's ids pass 2**53).

    Raises:
        WebhookAuthError: the key is missing or wrong, or the scheme is not ``KakaoAK``.
        WebhookPayloadError: a field is missing or garbled, or the call is about another app.
    """
    check_authorization(authorization, admin_key)
    return unlink_event(params, app_id=app_id)


def unlink_params(
    query: str | bytes = "", body: bytes = b"", content_type: str | None = None
) -> dict[str, list[str]]:
    """The webhook's parameters from the raw query string and body: the query (GET), and the body
    (POST: form-encoded; a JSON object is read too, since Kakao does not document the encoding).

    Raises:
        WebhookPayloadError: the body cannot be read, or carries too many fields.
    """
    params: dict[str, list[str]] = {}
    try:
        text = query.decode("ascii") if isinstance(query, bytes) else query
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
        if body:
            if "json" in (content_type or "").lower():
                pairs += _json_pairs(body)
            else:
                form = body.decode("utf-8")
                pairs += parse_qsl(form, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except (UnicodeError, ValueError, RecursionError):  # RecursionError: JSON nested too deep
        raise WebhookPayloadError("the webhook call's parameters cannot be read") from None
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _json_pairs(body: bytes) -> list[tuple[str, str]]:
    data = json.loads(body)
    if not isinstance(data, dict) or len(data) > _MAX_FIELDS:
        raise ValueError("not a small JSON object")
    # Numbers are kept as their digits: json reads 64-bit ids exactly, as ints.
    return [
        (str(name), str(value))
        for name, value in data.items()
        if isinstance(value, (str, int)) and not isinstance(value, bool)
    ]
