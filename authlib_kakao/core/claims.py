"""``/v2/user/me`` (Kakao's shape, reference §4.1) to OpenID Connect standard claims (§3.5).

Kakao returns only what the user agreed to, nests most of it in ``kakao_account``, still sends
legacy ``properties`` for old apps, and may send ``null`` or odd types. The conversion never
raises on any of that: a value that is missing or of the wrong type is simply left out. Only a
missing user id is an error, because without it there is no user.

Extras kept beside the standard claims, under Kakao's own names so nothing is mistaken for an
OIDC claim: ``kakao_id`` (the id as an int, exact beyond 2**53), ``connected_at``, ``synched_at``,
``has_signed_up``, ``age_range``, ``is_default_image``, ``is_default_nickname``, and copies of the
raw ``kakao_account``, ``properties`` and ``for_partner`` objects (for fields with no OIDC name:
``ci``, ``birthday_type``, ``for_partner.uuid``, custom user properties). Which of
``email_verified``, ``phone_number_verified`` and ``birthdate`` appear follows Kakao's own OIDC
userinfo (reference §3.5).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, cast

from authlib_kakao.core.shapes import ForPartner, KakaoAccount, UserInfoClaims
from authlib_kakao.errors import KakaoResponseError

__all__ = ["birthdate", "e164", "https", "kakao_id", "normalize_userinfo"]

_DIGITS = re.compile(r"\D+")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def https(url: str | None) -> str | None:
    """``url`` on https: Kakao still sends some profile images as ``http://`` (an ``http`` avatar
    is blocked on an ``https`` page), and its image hosts serve the same path over https."""
    if url is not None and url.startswith("http://"):
        return "https://" + url[len("http://") :]
    return url


def _flag(value: object) -> bool:
    return value is True


def kakao_id(value: object) -> int | None:
    """A Kakao id (user or app) as an int: a non-negative int, or a string of ASCII digits
    (``str.isdigit()`` also accepts "²", which ``int()`` refuses, and "٣", read as 3); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and _ASCII_DIGITS.fullmatch(value.strip()):
        return int(value.strip())
    return None


def _user_id(data: Mapping[str, Any]) -> int:
    user_id = kakao_id(data.get("id"))
    if user_id is None:
        raise KakaoResponseError("Kakao's user profile has no usable id")
    return user_id


def e164(phone: str) -> str | None:
    """Kakao's ``+82 10-1234-5678`` (or ``+82 010-...``) as E.164 ``+821012345678``.

    A number already without the space (``+821012345678``) is taken as it is; anything without a
    leading ``+`` country code, or not 7-15 digits long, is ``None``.
    """
    text = phone.strip()
    if not text.startswith("+"):
        return None
    match = re.fullmatch(r"\+(\d{1,3})\s+(.+)", text)
    if match:
        # A domestic trunk prefix 0 is dropped in international form (+82 010 -> +82 10).
        country, national = match.group(1), _DIGITS.sub("", match.group(2)).removeprefix("0")
    else:
        country, national = "", _DIGITS.sub("", text[1:])
    number = country + national
    return f"+{number}" if national and 7 <= len(number) <= 15 else None


def birthdate(birthyear: object, birthday: object) -> str | None:
    """Kakao's OIDC rule: ``YYYY-MM-DD``; ``0000-MM-DD`` without a year; ``YYYY`` without a day."""
    year = birthyear if isinstance(birthyear, str) and re.fullmatch(r"\d{4}", birthyear) else None
    day = birthday if isinstance(birthday, str) and re.fullmatch(r"\d{4}", birthday) else None
    if day:
        return f"{year or '0000'}-{day[:2]}-{day[2:]}"
    return year


def normalize_userinfo(data: Mapping[str, Any]) -> UserInfoClaims:
    """OIDC claims (``sub``, ``nickname``, ``picture``, ``email``, ...) from a /v2/user/me body:
    a :class:`~authlib_kakao.core.shapes.UserInfoClaims`.

    Raises:
        KakaoResponseError: the body has no usable ``id``.
    """
    user_id = _user_id(data)
    account = _obj(data.get("kakao_account"))
    profile = _obj(account.get("profile"))
    legacy = _obj(data.get("properties"))

    claims: UserInfoClaims = {"sub": str(user_id), "kakao_id": user_id}
    if nickname := _str(profile.get("nickname")) or _str(legacy.get("nickname")):
        claims["nickname"] = claims["preferred_username"] = nickname
    if name := _str(account.get("name")):
        claims["name"] = name
    picture = (
        _str(profile.get("thumbnail_image_url"))
        or _str(profile.get("profile_image_url"))
        or _str(legacy.get("thumbnail_image"))
        or _str(legacy.get("profile_image"))
    )
    if picture := https(picture):
        claims["picture"] = picture

    if email := _str(account.get("email")):
        claims["email"] = email
        claims["email_verified"] = _flag(account.get("is_email_valid")) and _flag(
            account.get("is_email_verified")
        )
    if gender := _str(account.get("gender")):
        claims["gender"] = gender.lower()
    if born := birthdate(account.get("birthyear"), account.get("birthday")):
        claims["birthdate"] = born
    phone = _str(account.get("phone_number"))
    if phone and (number := e164(phone)):
        claims["phone_number"] = number
        # Kakao only hands out numbers verified with the carrier (reference §3.5).
        claims["phone_number_verified"] = True

    if age_range := _str(account.get("age_range")):
        claims["age_range"] = age_range
    if connected_at := _str(data.get("connected_at")):
        claims["connected_at"] = connected_at
    if synched_at := _str(data.get("synched_at")):
        claims["synched_at"] = synched_at
    if isinstance(signed_up := data.get("has_signed_up"), bool):
        claims["has_signed_up"] = signed_up
    if isinstance(default_image := profile.get("is_default_image"), bool):
        claims["is_default_image"] = default_image
    if isinstance(default_nickname := profile.get("is_default_nickname"), bool):
        claims["is_default_nickname"] = default_nickname
    # Copies of Kakao's objects as sent: their shapes are Kakao's word, not checked here.
    if account:
        claims["kakao_account"] = cast("KakaoAccount", dict(account))
    if legacy:
        claims["properties"] = dict(legacy)
    if partner := _obj(data.get("for_partner")):
        claims["for_partner"] = cast("ForPartner", dict(partner))
    return claims
