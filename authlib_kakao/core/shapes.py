"""Kakao's JSON shapes as TypedDicts (reference §2.4, §3, §4, §5): what each answer documents.

The shapes are static only: at runtime an answer stays the plain ``dict`` Kakao sent, so a field
Kakao adds later is kept and breaks nothing, and a field it leaves out is simply absent. Kakao
sends only what the user agreed to, so most fields are optional (``total=False``); a shape's
required keys (a ``_…Keys`` base, as Python 3.10 has no ``NotRequired``) are the ones Kakao
documents as always present. A raw answer is typed with its shape but not checked against it;
:func:`~authlib_kakao.core.tokens.normalize_token` and
:func:`~authlib_kakao.core.claims.normalize_userinfo` do check what they return.
"""

from __future__ import annotations

from typing import TypedDict

__all__ = [
    "AgreedServiceTerm",
    "AgreedServiceTerms",
    "AppUser",
    "ForPartner",
    "IDTokenClaims",
    "KakaoAccount",
    "KakaoToken",
    "KapiErrorBody",
    "KauthErrorBody",
    "OIDCMetadata",
    "OIDCUserInfo",
    "Profile",
    "RevokedServiceTerm",
    "RevokedServiceTerms",
    "Scope",
    "Scopes",
    "ServiceTerm",
    "ServiceTerms",
    "ShippingAddress",
    "ShippingAddresses",
    "TalkChannel",
    "TalkChannels",
    "TokenInfo",
    "TokenResponse",
    "UserIdAnswer",
    "UserIds",
    "UserInfoClaims",
    "UserMe",
]


# -- kauth: the token endpoint (§2.4) --------------------------------------------------------


class _TokenKeys(TypedDict):
    access_token: str
    token_type: str


class TokenResponse(_TokenKeys, total=False):
    """``POST /oauth/token``, as Kakao answers it: a refresh may leave out ``refresh_token``,
    ``refresh_token_expires_in``, ``scope`` and ``id_token`` (reference §2.5)."""

    expires_in: int
    refresh_token: str
    refresh_token_expires_in: int
    scope: str
    """Space-separated consent item ids."""
    id_token: str


class KakaoToken(TokenResponse, total=False):
    """A token as :func:`~authlib_kakao.core.tokens.normalize_token` returns it (and Authlib
    stores it): Kakao's answer with absolute expiries added; ``token_type`` is always present.

    After a refresh, :func:`~authlib_kakao.core.tokens.merge_refreshed_token` keeps the old
    ``refresh_token`` with its ``refresh_token_expires_at`` when Kakao sent no new one.
    """

    expires_at: int
    """Unix seconds; from ``expires_in``."""
    refresh_token_expires_at: int
    """Unix seconds; from ``refresh_token_expires_in``."""
    userinfo: IDTokenClaims
    """The id_token's verified claims, added by Authlib at login when there is an id_token."""


class KauthErrorBody(TypedDict, total=False):
    """A kauth error (``/oauth/token``, ``/oauth/tokeninfo``, §5.1); old servers omit
    ``error_code``."""

    error: str
    error_description: str
    error_code: str
    """``KOE320``, ...: what to branch on, not the description."""


# -- OpenID Connect (§3) -----------------------------------------------------------------------


class _IDTokenKeys(TypedDict):
    iss: str
    aud: str | list[str]
    sub: str
    """The user id, as a string."""
    exp: int
    iat: int


class IDTokenClaims(_IDTokenKeys, total=False):
    """An id_token's payload (§3.3), also ``/oauth/tokeninfo``'s answer (§3.4). The required keys
    are the ones :func:`~authlib_kakao.core.id_token.verify_id_token` insists on."""

    auth_time: int
    nonce: str
    azp: str
    nickname: str
    picture: str
    email: str


class _SubKey(TypedDict):
    sub: str


class OIDCUserInfo(_SubKey, total=False):
    """``GET /v1/oidc/userinfo`` (§3.5): standard claims, only those the user agreed to."""

    name: str
    nickname: str
    picture: str
    email: str
    email_verified: bool
    gender: str
    """``female``/``male`` per Kakao's table (its own sample says ``MALE``)."""
    birthdate: str
    """``YYYY-MM-DD``, ``0000-MM-DD`` without a year, ``YYYY`` without a day."""
    phone_number: str
    phone_number_verified: bool


class OIDCMetadata(TypedDict):
    """Kakao's discovery document (§3.1), which :class:`~authlib_kakao.core.endpoints.KakaoEndpoints`
    builds locally."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    token_endpoint_auth_methods_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    request_uri_parameter_supported: bool
    response_types_supported: list[str]
    response_modes_supported: list[str]
    grant_types_supported: list[str]
    code_challenge_methods_supported: list[str]
    claims_supported: list[str]


# -- kapi: the user (§4.1) ---------------------------------------------------------------------


class Profile(TypedDict, total=False):
    """``kakao_account.profile``."""

    nickname: str
    thumbnail_image_url: str
    """110×110 (or 100×100)."""
    profile_image_url: str
    """640×640 (or 480×480)."""
    is_default_image: bool
    is_default_nickname: bool


class KakaoAccount(TypedDict, total=False):
    """``kakao_account``: every field optional, only agreed values present. A
    ``*_needs_agreement`` flag ``True`` means the value can be had after additional consent."""

    profile_needs_agreement: bool
    profile_nickname_needs_agreement: bool
    profile_image_needs_agreement: bool
    profile: Profile
    name_needs_agreement: bool
    name: str
    email_needs_agreement: bool
    is_email_valid: bool
    is_email_verified: bool
    email: str
    age_range_needs_agreement: bool
    age_range: str
    """``20~29``; Kakao's docs write the first range ``1~9``, its SDKs ``0~9``."""
    birthyear_needs_agreement: bool
    birthyear: str
    """``YYYY``."""
    birthday_needs_agreement: bool
    birthday: str
    """``MMDD``."""
    birthday_type: str
    """``SOLAR`` or ``LUNAR``."""
    is_leap_month: bool
    gender_needs_agreement: bool
    gender: str
    """``female`` or ``male``."""
    phone_number_needs_agreement: bool
    phone_number: str
    """``+82 10-1234-5678``."""
    ci_needs_agreement: bool
    ci: str
    ci_authenticated_at: str
    """RFC 3339, UTC."""
    legal_name_needs_agreement: bool
    legal_name: str
    legal_birth_date_needs_agreement: bool
    legal_birth_date: str
    """``yyyyMMdd``."""
    legal_gender_needs_agreement: bool
    legal_gender: str
    is_korean_needs_agreement: bool
    is_korean: bool
    # Deprecated by Kakao ("do not use") but still sent.
    has_email: bool
    has_phone_number: bool
    has_age_range: bool
    has_birthyear: bool
    has_birthday: bool
    has_gender: bool


class ForPartner(TypedDict, total=False):
    """``for_partner``: apps allowed to send Talk messages, with ``talk_message`` consent."""

    uuid: str


class _IdKey(TypedDict):
    id: int
    """The user id: a 64-bit integer (beyond JavaScript's 2**53)."""


class AppUser(_IdKey, total=False):
    """One user of ``GET /v2/app/users`` (admin key)."""

    connected_at: str
    """RFC 3339, UTC."""
    synched_at: str
    properties: dict[str, str]
    kakao_account: KakaoAccount


class UserMe(AppUser, total=False):
    """``GET /v2/user/me``."""

    has_signed_up: bool
    """Only for apps with auto-link off."""
    for_partner: ForPartner
    group_user_token: str


class UserIdAnswer(_IdKey):
    """``{"id": …}``: logout, unlink, update_profile, signup."""


class TokenInfo(TypedDict):
    """``GET /v1/user/access_token_info``."""

    id: int
    expires_in: int
    """Seconds left."""
    app_id: int


class _ScopeKeys(TypedDict):
    id: str
    display_name: str
    type: str
    """``PRIVACY`` or ``SERVICE``."""
    using: bool
    agreed: bool


class Scope(_ScopeKeys, total=False):
    """One consent item of :class:`Scopes`."""

    revocable: bool
    """Only when agreed."""
    delegated: bool


class Scopes(TypedDict):
    """``GET /v2/user/scopes`` and ``POST /v2/user/revoke/scopes``."""

    id: int
    scopes: list[Scope]


class _TagKey(TypedDict):
    tag: str


class ServiceTerm(_TagKey, total=False):
    """One service term of :class:`ServiceTerms` (Kakao Sync)."""

    required: bool
    agreed: bool
    revocable: bool
    agreed_at: str
    """RFC 3339, UTC; only when agreed."""
    agreed_by: str
    """``KAUTH`` (the consent page) or ``KAPI`` (``upgrade/service_terms``)."""


class ServiceTerms(TypedDict):
    """``GET /v2/user/service_terms``."""

    id: int
    service_terms: list[ServiceTerm]


class RevokedServiceTerm(TypedDict):
    tag: str
    agreed: bool


class RevokedServiceTerms(TypedDict):
    """``POST /v2/user/revoke/service_terms``."""

    id: int
    revoked_service_terms: list[RevokedServiceTerm]


class AgreedServiceTerm(_TagKey, total=False):
    agreed: bool
    agreed_at: str
    agreed_by: str


class AgreedServiceTerms(TypedDict):
    """``POST /v2/user/upgrade/service_terms``."""

    id: int
    agreed_service_terms: list[AgreedServiceTerm]


class ShippingAddress(_IdKey, total=False):
    """One address of :class:`ShippingAddresses`; ``id`` is the address id."""

    name: str
    is_default: bool
    updated_at: int
    """Unix seconds."""
    type: str
    """``NEW`` (road name) or ``OLD`` (lot number)."""
    base_address: str
    detail_address: str
    receiver_name: str
    receiver_phone_number1: str
    receiver_phone_number2: str
    zone_number: str
    zip_code: str


class _UserIdKey(TypedDict):
    user_id: int


class ShippingAddresses(_UserIdKey, total=False):
    """``GET /v1/user/shipping_address``: without consent, only the needs-agreement flag."""

    shipping_addresses: list[ShippingAddress]
    shipping_addresses_needs_agreement: bool


class _ElementsKey(TypedDict):
    elements: list[int]


class UserIds(_ElementsKey, total=False):
    """``GET /v1/user/ids`` (admin key): one page of user ids; follow ``after_url``."""

    before_url: str | None
    after_url: str | None
    total_count: int
    """Deprecated."""


class _ChannelKeys(TypedDict):
    channel_uuid: str
    channel_public_id: str
    relation: str
    """``ADDED``, ``BLOCKED`` or ``NONE``."""


class TalkChannel(_ChannelKeys, total=False):
    """One Kakao Talk Channel linked to the app, and the user's relation with it."""

    created_at: str
    updated_at: str


class TalkChannels(_UserIdKey, total=False):
    """``GET /v2/api/talk/channels``: the user's relations with the app's linked channels."""

    channels: list[TalkChannel]


class KapiErrorBody(TypedDict, total=False):
    """A kapi error (§5.2); ``-402`` adds the scopes the call needs."""

    msg: str
    code: int
    """Negative: ``-401``, ``-402``, ..."""
    api_type: str
    required_scopes: list[str]
    allowed_scopes: list[str]


# -- ours: the OpenID Connect view of /v2/user/me ------------------------------------------------


class _KakaoIdKey(TypedDict):
    kakao_id: int


class UserInfoClaims(OIDCUserInfo, _KakaoIdKey, total=False):
    """What :func:`~authlib_kakao.core.claims.normalize_userinfo` makes of ``/v2/user/me``:
    Kakao's OIDC userinfo claims plus extras under Kakao's own names (``kakao_id`` is the user
    id as an int) and copies of the raw ``kakao_account``, ``properties`` and ``for_partner``."""

    preferred_username: str
    age_range: str
    connected_at: str
    synched_at: str
    has_signed_up: bool
    is_default_image: bool
    is_default_nickname: bool
    kakao_account: KakaoAccount
    properties: dict[str, str]
    for_partner: ForPartner
