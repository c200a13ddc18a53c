"""Named app and user presets: the shapes real apps and real accounts come in.

A fresh emulator starts from ``EmulatorConfig.app_preset`` (default ``"personal"``) and
``EmulatorConfig.user_preset`` (default ``"default"``); ``add_app(preset=...)`` and
``add_user(preset=...)`` (and the control plane's ``{"preset": ...}``) pick others.

Apps (which consent items the console configures is what ``/oauth/authorize`` accepts; anything
else is KOE205):

* ``personal``: a personal developer's app: nickname (required) and profile image, OIDC off;
* ``personal_oidc``: the same with OpenID Connect on;
* ``bare``: no consent item configured at all (a new app), OIDC off;
* ``biz``: a Biz app with every item a Biz app can get after review (email, name, gender, age,
  birthday, phone, shipping address, Talk message), OIDC on;
* ``kakao_sync``: ``biz`` plus Kakao Sync service terms (``terms_service`` required,
  ``terms_marketing`` optional) and ``synched_at``;
* ``partner``: ``kakao_sync`` plus CI and the partner-only legal fields.

Users (what the account holds, and what they agreed to when linked to the app):

* ``default``: every profile field filled in, email valid and verified; agreed only to the
  items any app may have (nickname, profile image) - what a personal app gets;
* ``agreed_all``: the same account, agreed to every item and service term the app configures;
* ``no_email_consent``: agreed to everything except ``account_email``;
* ``no_email``: an account without an email address (phone sign-up);
* ``email_unverified`` / ``email_invalid``: the email is not verified / was taken over;
* ``id_only``: linked, agreed to nothing: no properties, no profile values;
* ``default_profile``: Kakao's default nickname and image (``is_default_*`` true);
* ``huge_id``: the largest 64-bit id (far above 2**53: every emulator id is above it);
* ``under_14``: age range 10~14 (an app with ``allow_under_14=False`` answers -406);
* ``sanctioned``: a restricted account (kapi answers -4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from authlib_kakao.testing.state import ConsentItem, ServiceTerm, TalkChannel

__all__ = [
    "APP_PRESETS",
    "USER_PRESETS",
    "AppPreset",
    "UserPreset",
    "app_settings",
    "app_values",
    "channel_uuid",
    "consent_items",
    "preset_consents",
    "service_terms",
    "talk_channels",
    "user_values",
]

_PERSONAL = ("profile_nickname", "profile_image")
_BIZ = (
    *_PERSONAL,
    "account_email",
    "name",
    "gender",
    "age_range",
    "birthday",
    "birthyear",
    "phone_number",
    "shipping_address",
    "talk_message",
)
_PARTNER = (*_BIZ, "account_ci", "legal_name", "legal_birth_date", "legal_gender", "is_korean")
_TERMS = (("terms_service", True), ("terms_marketing", False))


@dataclass(frozen=True)
class AppPreset:
    """What an app preset configures in the console."""

    items: tuple[str, ...]
    oidc: bool = False
    biz: bool = False
    kakao_sync: bool = False
    service_terms: tuple[tuple[str, bool], ...] = ()
    required: tuple[str, ...] = ("profile_nickname",)


APP_PRESETS: dict[str, AppPreset] = {
    "personal": AppPreset(_PERSONAL),
    "personal_oidc": AppPreset(_PERSONAL, oidc=True),
    "bare": AppPreset(()),
    "biz": AppPreset(_BIZ, oidc=True, biz=True),
    "kakao_sync": AppPreset(_BIZ, oidc=True, biz=True, kakao_sync=True, service_terms=_TERMS),
    "partner": AppPreset(_PARTNER, oidc=True, biz=True, kakao_sync=True, service_terms=_TERMS),
}


def app_values(name: str) -> dict[str, Any]:
    """``App`` field values for preset ``name``; ``KeyError`` names the known presets."""
    preset = _lookup(APP_PRESETS, name, "app")
    return {
        "preset": name,
        "oidc": preset.oidc,
        "biz": preset.biz,
        "kakao_sync": preset.kakao_sync,
        "consent_items": {
            i: ConsentItem.from_table(i, required=i in preset.required) for i in preset.items
        },
        "service_terms": {tag: ServiceTerm(tag, required=req) for tag, req in preset.service_terms},
    }


@dataclass(frozen=True)
class UserPreset:
    """An account shape and which of the app's items the user agreed to when linking."""

    values: dict[str, Any] = field(default_factory=dict)
    consents: str = "all"  # "all" | "open" (personal-app items) | "none" | "all_but_email"

    @property
    def agrees_terms(self) -> bool:
        """Whether the user also agreed to every service term (Kakao Sync) when linking."""
        return self.consents in ("all", "all_but_email")


_FULL: dict[str, Any] = {
    "nickname": "홍길동",
    "profile_image_url": "http://k.kakaocdn.net/dn/emulator/img_640x640.jpg",
    "thumbnail_image_url": "http://k.kakaocdn.net/dn/emulator/img_110x110.jpg",
    "email": "user@example.com",
    "name": "홍길동",
    "age_range": "20~29",
    "birthday": "1130",
    "birthyear": "2002",
    "gender": "female",
    "phone_number": "+82 10-1234-5678",
    "ci": "CI-emulator-0000000000000000000000000000000000000000000000000000000000000000==",
    "ci_authenticated_at": 1_600_000_000.0,
    "legal_name": "홍길동",
    "legal_birth_date": "20021130",
    "legal_gender": "female",
    "is_korean": True,
}
_NOTHING = dict.fromkeys(_FULL)  # an account with no profile values at all
_DEFAULT_IMAGE = "http://img1.kakaocdn.net/thumb/R{0}x{0}.q70/?fname=http://t1.kakaocdn.net/account_images/default_profile.jpeg"

USER_PRESETS: dict[str, UserPreset] = {
    "default": UserPreset(_FULL, consents="open"),
    "agreed_all": UserPreset(_FULL),
    "no_email_consent": UserPreset(_FULL, consents="all_but_email"),
    "no_email": UserPreset({**_FULL, "email": None}),
    "email_unverified": UserPreset({**_FULL, "is_email_verified": False}),
    "email_invalid": UserPreset({**_FULL, "is_email_valid": False}),
    "id_only": UserPreset(_NOTHING, consents="none"),
    "default_profile": UserPreset(
        {
            **_FULL,
            "nickname": None,
            "is_default_nickname": True,
            "profile_image_url": _DEFAULT_IMAGE.format(640),
            "thumbnail_image_url": _DEFAULT_IMAGE.format(110),
            "is_default_image": True,
        }
    ),
    "huge_id": UserPreset({**_FULL, "id": 2**63 - 1}),
    "under_14": UserPreset({**_FULL, "age_range": "10~14", "birthyear": "2013"}),
    "sanctioned": UserPreset({**_FULL, "sanctioned": True}),
}


def user_values(name: str) -> dict[str, Any]:
    """``User`` field values for preset ``name`` (a copy; the caller may override any)."""
    return dict(_lookup(USER_PRESETS, name, "user").values)


def preset_consents(name: str, configured: list[str]) -> list[str]:
    """Which of ``configured`` (the app's items) a user of preset ``name`` agreed to."""
    policy = _lookup(USER_PRESETS, name, "user").consents
    if policy == "none":
        return []
    if policy == "open":
        return [i for i in configured if i in _PERSONAL]
    if policy == "all_but_email":
        return [i for i in configured if i != "account_email"]
    return list(configured)


def _lookup(table: dict[str, Any], name: str, kind: str) -> Any:
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        raise KeyError(f"unknown {kind} preset {name!r}; known: {known}") from None


# -- the list shapes tests and JSON give app settings in ------------------------------------------


def app_settings(values: dict[str, Any]) -> dict[str, Any]:
    """App field values with the list shapes tests and JSON use made into the App's dicts.

    ``consent_items``: scope ids or ``{"id", "required"}``; ``service_terms``: tags or
    ``{"tag", "required"}``; ``talk_channels``: public ids or ``{"public_id", "uuid"}``.
    Raises ``ValueError`` for any other shape.
    """
    out = dict(values)
    if isinstance(out.get("consent_items"), (list, tuple)):
        out["consent_items"] = consent_items(out["consent_items"])
    if isinstance(out.get("service_terms"), (list, tuple)):
        out["service_terms"] = service_terms(out["service_terms"])
    if isinstance(out.get("talk_channels"), (list, tuple)):
        out["talk_channels"] = talk_channels(out["talk_channels"])
    return out


def consent_items(items: Iterable[Any]) -> dict[str, ConsentItem]:
    """Consent items named as in Kakao's table, from scope ids (``profile_nickname`` is
    required, as usual) or ``{"id", "required"}`` objects."""
    out: dict[str, ConsentItem] = {}
    for item in items:
        if isinstance(item, str):
            out[item] = ConsentItem.from_table(item, required=item == "profile_nickname")
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            out[item["id"]] = ConsentItem.from_table(
                item["id"], required=bool(item.get("required"))
            )
        else:
            raise ValueError("consent_items: scope ids or {id, required} objects")
    return out


def talk_channels(channels: Iterable[Any]) -> dict[str, TalkChannel]:
    """Linked Kakao Talk Channels from public ids or ``{"public_id", "uuid"}`` objects."""
    out: dict[str, TalkChannel] = {}
    for channel in channels:
        if isinstance(channel, dict) and isinstance(channel.get("public_id"), str):
            public_id, uuid = channel["public_id"], channel.get("uuid")
        elif isinstance(channel, str):
            public_id, uuid = channel, None
        else:
            raise ValueError("talk_channels: public ids or {public_id, uuid} objects")
        out[public_id] = TalkChannel(public_id, uuid or channel_uuid(public_id))
    return out


def channel_uuid(public_id: str) -> str:
    """A stand-in ``channel_uuid`` for a channel linked without one: ``"@"`` + the id, lower."""
    return "@" + public_id.lstrip("_").lower()


def service_terms(terms: Iterable[Any]) -> dict[str, ServiceTerm]:
    """Service terms from tags (``"terms_service:required"`` marks one required) or
    ``{"tag", "required"}`` objects."""
    out: dict[str, ServiceTerm] = {}
    for term in terms:
        if isinstance(term, dict) and "tag" in term:
            tag, required = str(term["tag"]), bool(term.get("required"))
        elif isinstance(term, str):
            tag, _, flag = term.partition(":")
            required = flag == "required"
        else:
            raise ValueError("service_terms: tags or {tag, required} objects")
        out[tag] = ServiceTerm(tag, required=required)
    return out
