"""Pure serializers: a user, their link to an app and the app's configuration → Kakao's JSON bodies.

Nothing here touches HTTP or the emulator's lock; ``kapi.py`` calls these with plain state objects.

The one rule behind every body: a value appears only when its consent item is agreed, and a
consent item the app configures but the user has not agreed to shows up as
``<field>_needs_agreement: true`` with no value (reference §4.1). Items the app does not configure
leave no trace at all, which is what Kakao's "nickname only" sample (``user_me_minimal``) shows.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from authlib_kakao.core.consent_items import CONSENT_ITEMS
from authlib_kakao.testing.state import App, Link, User

__all__ = [
    "ACCOUNT_GROUPS",
    "LEGACY_PROPERTIES",
    "PropertyKeyError",
    "app_user_body",
    "group_user_token",
    "kakao_account",
    "oidc_userinfo_body",
    "parse_property_keys",
    "partner_uuid",
    "rfc3339",
    "scopes_body",
    "service_terms_body",
    "shipping_addresses_body",
    "user_me_body",
]

# property_keys group (``kakao_account.<group>``) -> the consent items that unlock it, read from
# Kakao's consent-item table (each row's ``user_field``). "profile" is unlocked by Kakao's legacy
# combined item as well as the split ones: all three rows name that group.
ACCOUNT_GROUPS: dict[str, tuple[str, ...]] = {
    group: tuple(item.id for item in CONSENT_ITEMS.values() if item.user_field == group)
    for group in dict.fromkeys(
        item.user_field for item in CONSENT_ITEMS.values() if item.user_field
    )
}

# What a preregistered user (auto-link OFF, not signed up) shows (reference §4.1).
PREREGISTERED_GROUPS = frozenset({"profile", "email"})

# Deprecated user properties Kakao still fills from the profile (reference §4.1).
LEGACY_PROPERTIES = ("nickname", "profile_image", "thumbnail_image")

_TOP_LEVEL_KEYS = frozenset(
    {"id", "has_signed_up", "connected_at", "synched_at", "for_partner", "group_user_token"}
)


class PropertyKeyError(ValueError):
    """A ``property_keys`` entry Kakao does not know (the handler answers -2)."""


def rfc3339(timestamp: float) -> str:
    """Unix seconds → ``2022-04-11T01:45:28Z`` (Kakao's UTC timestamp format)."""
    return datetime.fromtimestamp(int(timestamp), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Selection:
    """Which parts of the /v2/user/me body a ``property_keys`` list asks for (None: everything)."""

    def __init__(self, keys: Iterable[str] | None) -> None:
        self.everything = keys is None
        self.groups: set[str] = set()
        self.properties: set[str] = set()
        self.all_account = self.all_properties = self.everything
        for key in keys or ():
            if key == "kakao_account.":
                self.all_account = True
            elif key == "properties.":
                self.all_properties = True
            elif key.startswith("kakao_account."):
                self.groups.add(key.removeprefix("kakao_account."))
            elif key.startswith("properties."):
                self.properties.add(key.removeprefix("properties."))

    def wants_group(self, group: str) -> bool:
        return self.all_account or group in self.groups

    def wants_property(self, key: str) -> bool:
        return self.all_properties or key in self.properties


def parse_property_keys(value: Any) -> list[str]:
    """Validate a decoded ``property_keys`` list; unknown keys raise :class:`PropertyKeyError`."""
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise PropertyKeyError("property_keys must be a JSON array of strings")
    for key in value:
        if key in _TOP_LEVEL_KEYS or key in ("kakao_account.", "properties."):
            continue
        if key.startswith("properties.") and key != "properties.":
            continue
        group = key.removeprefix("kakao_account.")
        if key.startswith("kakao_account.") and group in ACCOUNT_GROUPS:
            continue
        raise PropertyKeyError(f"invalid property_keys: {key}")
    return list(value)


def _image(url: str | None, secure: bool) -> str | None:
    # Kakao serves the same CDN path over both schemes; secure_resource only picks the scheme.
    if url is None:
        return None
    _, sep, rest = url.partition("://")
    if not sep:
        return url
    return f"{'https' if secure else 'http'}://{rest}"


def _item_state(app: App, link: Link, items: tuple[str, ...]) -> tuple[bool, bool]:
    """(shown, agreed) for a field unlocked by any of ``items``."""
    agreed = any(i in link.consents for i in items)
    shown = agreed or any(i in app.consent_items for i in items)
    return shown, agreed


def _profile(account: dict[str, Any], user: User, app: App, link: Link, secure: bool) -> None:
    legacy_shown, legacy_agreed = _item_state(app, link, ("profile",))
    nick_shown, nick_agreed = _item_state(app, link, ("profile_nickname",))
    image_shown, image_agreed = _item_state(app, link, ("profile_image",))
    if legacy_shown:
        account["profile_needs_agreement"] = not legacy_agreed
    if nick_shown:
        account["profile_nickname_needs_agreement"] = not nick_agreed
    if image_shown:
        account["profile_image_needs_agreement"] = not image_agreed
    profile: dict[str, Any] = {}
    if (legacy_agreed or nick_agreed) and user.nickname is not None:
        profile["nickname"] = user.nickname
    if legacy_agreed or image_agreed:
        thumb = _image(user.thumbnail_image_url, secure)
        full = _image(user.profile_image_url, secure)
        if thumb is not None:
            profile["thumbnail_image_url"] = thumb
        if full is not None:
            profile["profile_image_url"] = full
        profile["is_default_image"] = user.is_default_image
    if legacy_agreed or nick_agreed:
        profile["is_default_nickname"] = user.is_default_nickname or user.nickname is None
    if profile:
        account["profile"] = profile


def _simple(account: dict[str, Any], group: str, agreed: bool, values: dict[str, Any]) -> None:
    # The group's own value (``email`` for "email") decides; its companions only come along with it.
    account[f"{group}_needs_agreement"] = not agreed
    if agreed and values[group] is not None:
        account.update({k: v for k, v in values.items() if v is not None})


def kakao_account(
    user: User, app: App, link: Link, *, secure: bool = False, keys: Iterable[str] | None = None
) -> dict[str, Any]:
    """The ``kakao_account`` object: consented values and ``*_needs_agreement`` flags."""
    selection = _Selection(keys)
    account: dict[str, Any] = {}
    if selection.wants_group("profile"):
        _profile(account, user, app, link, secure)
    fields: dict[str, dict[str, Any]] = {
        "name": {"name": user.name},
        "email": {
            "is_email_valid": user.is_email_valid,
            "is_email_verified": user.is_email_verified,
            "email": user.email,
        },
        "age_range": {"age_range": user.age_range},
        "birthyear": {"birthyear": user.birthyear},
        "birthday": {
            "birthday": user.birthday,
            "birthday_type": user.birthday_type,
            "is_leap_month": False,
        },
        "gender": {"gender": user.gender},
        "phone_number": {"phone_number": user.phone_number},
        "ci": {
            "ci": user.ci,
            "ci_authenticated_at": None
            if user.ci_authenticated_at is None
            else rfc3339(user.ci_authenticated_at),
        },
        "legal_name": {"legal_name": user.legal_name},
        "legal_birth_date": {"legal_birth_date": user.legal_birth_date},
        "legal_gender": {"legal_gender": user.legal_gender},
        "is_korean": {"is_korean": user.is_korean},
    }
    for group, values in fields.items():
        if not link.signed_up and group not in PREREGISTERED_GROUPS:
            continue
        shown, agreed = _item_state(app, link, ACCOUNT_GROUPS[group])
        if shown and selection.wants_group(group):
            _simple(account, group, agreed, values)
    return account


def _properties(user: User, app: App, link: Link, selection: _Selection) -> dict[str, str]:
    legacy = {
        "nickname": user.nickname if {"profile", "profile_nickname"} & link.consents else None,
        "profile_image": user.profile_image_url
        if {"profile", "profile_image"} & link.consents
        else None,
        "thumbnail_image": user.thumbnail_image_url
        if {"profile", "profile_image"} & link.consents
        else None,
    }
    out: dict[str, str] = {}
    for key in app.property_keys:
        value = link.properties.get(key, legacy.get(key))
        if value is not None and selection.wants_property(key):
            out[key] = value
    return out


def partner_uuid(app: App, user: User) -> str:
    """A stable per-app UUID for ``for_partner.uuid`` (Kakao's is opaque and per app too)."""
    digest = hashlib.sha256(f"{app.app_id}:{user.id}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def user_me_body(
    user: User,
    app: App,
    link: Link,
    *,
    secure: bool = False,
    property_keys: list[str] | None = None,
) -> dict[str, Any]:
    """The ``/v2/user/me`` body (reference §4.1) for ``user`` as ``app`` sees them."""
    selection = _Selection(property_keys)
    asked = set(property_keys or ())
    body: dict[str, Any] = {"id": user.id}
    # has_signed_up only on apps with auto-link OFF (§4.1).
    if not app.auto_link and (selection.everything or "has_signed_up" in asked):
        body["has_signed_up"] = link.signed_up
    body["connected_at"] = rfc3339(link.connected_at)
    if link.synched_at is not None and (selection.everything or "synched_at" in asked):
        body["synched_at"] = rfc3339(link.synched_at)
    wants_account = selection.all_account or bool(selection.groups)
    if wants_account:
        account = kakao_account(user, app, link, secure=secure, keys=property_keys)
        if account:
            body["kakao_account"] = account
    properties = _properties(user, app, link, selection) if link.signed_up else {}
    if properties:
        body["properties"] = properties
    wants_partner = selection.everything or "for_partner" in asked
    if wants_partner and ("talk_message" in link.consents or not link.signed_up):
        body["for_partner"] = {"uuid": partner_uuid(app, user)}
    if app.app_group and (selection.everything or "group_user_token" in asked):
        body["group_user_token"] = group_user_token(app.app_group, user)
    return body


def group_user_token(group: str, user: User | int) -> str:
    """A stable token naming ``user`` (or a user id) across the apps of ``group`` (same for
    every app in it)."""
    user_id = user if isinstance(user, int) else user.id
    return hashlib.sha256(f"group:{group}:{user_id}".encode()).hexdigest()[:40]


def app_user_body(
    user: User, app: App, link: Link, property_keys: list[str] | None
) -> dict[str, Any]:
    """One ``/v2/app/users`` element: id and connected_at, plus the asked-for profile parts."""
    if property_keys is None:
        body: dict[str, Any] = {"id": user.id, "connected_at": rfc3339(link.connected_at)}
        if link.synched_at is not None:
            body["synched_at"] = rfc3339(link.synched_at)
        if app.app_group:
            body["group_user_token"] = group_user_token(app.app_group, user)
        return body
    return user_me_body(user, app, link, property_keys=property_keys)


def _birthdate(user: User, link: Link) -> str | None:
    year = user.birthyear if "birthyear" in link.consents else None
    day = user.birthday if "birthday" in link.consents else None
    if day is not None and len(day) == 4:
        return f"{year or '0000'}-{day[:2]}-{day[2:]}"
    return year


def oidc_userinfo_body(user: User, link: Link) -> dict[str, Any]:
    """The ``/v1/oidc/userinfo`` body (§3.5): standard claim names, consented values only."""
    consents = link.consents
    body: dict[str, Any] = {"sub": str(user.id)}
    if "name" in consents and user.name is not None:
        body["name"] = user.name
    if {"profile", "profile_nickname"} & consents and user.nickname is not None:
        body["nickname"] = user.nickname
    if {"profile", "profile_image"} & consents and user.thumbnail_image_url is not None:
        body["picture"] = user.thumbnail_image_url
    if "account_email" in consents and user.email is not None:
        body["email"] = user.email
        body["email_verified"] = user.is_email_valid and user.is_email_verified
    if "gender" in consents and user.gender is not None:
        # The table says lower case, the docs sample says "MALE"; we follow the table (§3.5).
        body["gender"] = user.gender.lower()
    birthdate = _birthdate(user, link)
    if birthdate is not None:
        body["birthdate"] = birthdate
    if "phone_number" in consents and user.phone_number is not None:
        body["phone_number"] = user.phone_number
        body["phone_number_verified"] = True
    return body


def scopes_body(
    user: User, app: App, link: Link, only: Iterable[str] | None = None
) -> dict[str, Any]:
    """The ``/v2/user/scopes`` body: configured (or agreed) items, ``revocable`` only if agreed."""
    wanted = None if only is None else set(only)
    ids = list(app.consent_items) + sorted(link.consents - set(app.consent_items))
    scopes: list[dict[str, Any]] = []
    for scope_id in ids:
        if wanted is not None and scope_id not in wanted:
            continue
        item = app.consent_items.get(scope_id)
        entry: dict[str, Any] = {
            "id": scope_id,
            "display_name": item.display_name if item else scope_id,
            "type": item.type if item else "PRIVACY",
            "using": item is not None,
            "agreed": scope_id in link.consents,
        }
        if entry["agreed"]:
            entry["revocable"] = not (item is not None and item.required)
        scopes.append(entry)
    return {"id": user.id, "scopes": scopes}


def service_terms_body(
    user: User, app: App, link: Link, *, agreed_only: bool, tags: Iterable[str] | None
) -> dict[str, Any]:
    """The ``/v2/user/service_terms`` body for ``result=agreed_service_terms|app_service_terms``."""
    wanted = None if tags is None else set(tags)
    terms: list[dict[str, Any]] = []
    for tag, term in app.service_terms.items():
        agreed_at = link.service_terms.get(tag)
        if (wanted is not None and tag not in wanted) or (agreed_only and agreed_at is None):
            continue
        entry: dict[str, Any] = {
            "tag": tag,
            "required": term.required,
            "agreed": agreed_at is not None,
            "revocable": agreed_at is not None and not term.required,
        }
        if agreed_at is not None:
            entry["agreed_at"] = rfc3339(agreed_at)
            entry["agreed_by"] = link.service_terms_by.get(tag, "KAUTH")
        terms.append(entry)
    return {"id": user.id, "service_terms": terms}


def _updated_at(address: Mapping[str, Any]) -> float:
    value = address.get("updated_at", 0)
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def shipping_addresses_body(
    user: User,
    link: Link,
    *,
    address_id: int | None = None,
    from_updated_at: float = 0,
    page_size: int = 10,
) -> dict[str, Any]:
    """The ``/v1/user/shipping_address`` body: default address first, then newest first.

    ``from_updated_at`` is the previous page's last ``updated_at`` (exclusive); 0 starts over.
    """
    if "shipping_address" not in link.consents:
        return {"user_id": user.id, "shipping_addresses_needs_agreement": True}
    addresses = sorted(
        user.shipping_addresses,
        key=lambda a: (not a.get("is_default", False), -_updated_at(a), a.get("id", 0)),
    )
    if address_id is not None:
        addresses = [a for a in addresses if a.get("id") == address_id]
    elif from_updated_at:
        addresses = [
            a for a in addresses if not a.get("is_default") and _updated_at(a) < from_updated_at
        ]
    return {
        "user_id": user.id,
        "shipping_addresses": [dict(a) for a in addresses[:page_size]],
        "shipping_addresses_needs_agreement": False,
    }
