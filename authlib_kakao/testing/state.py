"""The emulator's records: apps, users, their links to apps, codes, tokens, faults, and the clock.

Plain data only; every change to it is a method of :class:`~authlib_kakao.testing.backend.KakaoBackend`,
which owns these records and the one lock that guards them. Nothing here knows about HTTP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from authlib_kakao.core.consent_items import CONSENT_ITEMS

__all__ = [
    "CHANNEL_RELATIONS",
    "WEBHOOK_KINDS",
    "AccessToken",
    "App",
    "Approval",
    "AuthCode",
    "Caller",
    "ChannelRelation",
    "Clock",
    "ConsentItem",
    "EmulatorConfig",
    "Fault",
    "Link",
    "LoggedRequest",
    "RefreshToken",
    "ServiceTerm",
    "TalkChannel",
    "User",
    "WebSession",
    "WebhookDelivery",
]

# What Kakao calls at an app: the unlink webhook (§6.1) and the security-event receiver (§6.2);
# ``WebhookDelivery.kind`` is one of them.
WEBHOOK_KINDS = ("unlink", "security_event")
# Relations a user can have to a Kakao Talk Channel (the relationship API's ``relation``).
CHANNEL_RELATIONS = ("ADDED", "BLOCKED", "NONE")


class Clock:
    """Injectable time: real time plus an offset that tests advance instead of sleeping.

    A frozen clock (``Clock(frozen_at=t)`` or :meth:`freeze`) stands still until advanced, so a
    test can compare lifetimes exactly (``expires_in == 21599``) instead of within a tolerance.
    """

    def __init__(self, start: float | None = None, *, frozen_at: float | None = None) -> None:
        self._offset = 0.0 if start is None else start - time.time()
        self._frozen_at = frozen_at

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still between :meth:`advance` calls."""
        return self._frozen_at is not None

    def now(self) -> float:
        """The emulator's current time, in Unix seconds."""
        if self._frozen_at is not None:
            return self._frozen_at
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward (frozen or not)."""
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds

    def freeze(self, at: float | None = None) -> float:
        """Stop the clock at ``at`` (default: now); returns the frozen time."""
        self._frozen_at = self.now() if at is None else at
        return self._frozen_at

    def unfreeze(self) -> None:
        """Let time run again from the frozen instant."""
        if self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None


@dataclass
class EmulatorConfig:
    """Knobs for behaviour the reference gives as defaults or marks UNCONFIRMED."""

    issuer: str = "https://kauth.kakao.com"
    access_token_lifetime: int = 21599
    # SDK logins (reference §2.6): native apps 12 h; JavaScript 2 h (UNCONFIRMED).
    native_access_token_lifetime: int = 43199
    javascript_access_token_lifetime: int = 7199
    refresh_token_lifetime: int = 5183999
    code_lifetime: int = 600  # UNCONFIRMED in Kakao's docs; third-party notes say 10 minutes
    refresh_rotation_window: int = 30 * 24 * 3600  # a new refresh token when less than this is left
    # (count, seconds) per user; None switches a limit off.
    access_token_rate_limit: tuple[int, float] | None = (20, 600.0)
    refresh_token_rate_limit: tuple[int, float] | None = (30, 3600.0)
    user_ids_rate_limit: int = 100  # /v1/user/ids calls per minute per app
    app_users_shape: str = (
        "array"  # /v2/app/users: "array" (docs example) or "elements" (docs table)
    )
    # Kakao issues an id_token "if OIDC is enabled"; by default only when `openid` was requested.
    id_token_without_openid_scope: bool = False
    refresh_returns_scope: bool = False  # Kakao's refresh sample has no `scope`
    webhook_timeout: float = 3.0  # seconds Kakao waits for a webhook's answer (§6.1, §6.2)
    # Kakao documents no retry: a failed webhook is not sent again. A number here re-sends a
    # failed delivery that many more times at once (the same request; a SET keeps its jti).
    webhook_retries: int = 0
    # "A webhook failing for over a month is paused" (§6.1): once an app's failed deliveries of
    # one kind (no success in between) span more than this many seconds on the emulator's
    # clock, that webhook is no longer called until resumed.
    webhook_pause_after: float = 30 * 24 * 3600
    # What a reset starts from: the default app's and the default user's presets (presets.py).
    app_preset: str = "personal"
    user_preset: str = "default"
    # App fields the default app gets on every reset, over its preset (the standalone emulator's
    # command line lands here): redirect_uris / logout_redirect_uris are added to the defaults,
    # consent_items may be scope ids, service_terms tags.
    app_settings: dict[str, Any] = field(default_factory=dict)
    # The Kakao Account web session behind the consent page's cookie: 24 h, or a month with
    # "stay signed in" (reference §1.2, §7).
    web_session_lifetime: int = 24 * 3600
    web_session_lifetime_kept: int = 30 * 24 * 3600
    # python-social-auth sends no redirect_uri with the code and Kakao accepts that; only a
    # different one is KOE303. True refuses a missing one as well.
    require_token_redirect_uri: bool = False
    # "Too frequent" JWKS / tokeninfo requests "may be blocked" (§3.2, §3.4), numbers undocumented:
    # (count, seconds) per emulator on its clock, answered with HTTP 429 KOE237. None: no limit.
    jwks_rate_limit: tuple[int, float] | None = (10, 60.0)
    tokeninfo_rate_limit: tuple[int, float] | None = (10, 60.0)
    # Shipping addresses without the `shipping_address` consent: "-402" (HTTP 403 with
    # required_scopes) or "needs_agreement" (HTTP 200 with only the flag).
    shipping_address_without_consent: str = "-402"
    # Apps with auto-link OFF: preregistered users not signed up within this many seconds are
    # unlinked (webhook referrer_type INCOMPLETE_SIGN_UP).
    signup_deadline: int = 24 * 3600


@dataclass
class ConsentItem:
    """One consent item configured in the app's console."""

    id: str
    display_name: str
    required: bool = False
    type: str = "PRIVACY"  # or "SERVICE"

    @classmethod
    def from_table(cls, scope_id: str, *, required: bool = False) -> ConsentItem:
        """The item as Kakao's table (``authlib_kakao.core.consent_items``) names it."""
        row = CONSENT_ITEMS.get(scope_id)
        name = row.display_name if row else scope_id
        return cls(scope_id, name, required=required, type=row.type if row else "PRIVACY")


@dataclass
class ServiceTerm:
    """A Kakao Sync service term configured for the app (its ``tag``)."""

    tag: str
    required: bool = False


@dataclass(frozen=True)
class TalkChannel:
    """A Kakao Talk Channel linked to the app in the console: its profile id and its uuid."""

    public_id: str  # the channel's profile id, e.g. "_ZeUTxl"
    uuid: str  # Kakao's channel_uuid, e.g. "@kakaodevelopers"


@dataclass
class ChannelRelation:
    """A user's relation to one Kakao Talk Channel: ``ADDED``, ``BLOCKED`` or ``NONE``."""

    relation: str
    created_at: float  # when the user first added (or blocked) the channel
    updated_at: float  # when the relation last changed


@dataclass
class App:
    """An app as registered in Kakao Developers' console."""

    app_id: int
    client_id: str  # the REST API key
    admin_key: str
    client_secret: str | None = None  # None: "Client Secret" switched off
    extra_audiences: list[str] = field(default_factory=list)  # other aud values id_tokens may carry
    native_key: str | None = None  # the second app keys: SDK logins (id_token aud = this key)
    javascript_key: str | None = None
    android_key_hashes: list[str] = field(default_factory=list)  # registered platforms (KOE009)
    ios_bundle_ids: list[str] = field(default_factory=list)
    redirect_uris: list[str] = field(default_factory=list)
    logout_redirect_uris: list[str] = field(default_factory=list)
    consent_items: dict[str, ConsentItem] = field(default_factory=dict)
    oidc: bool = False
    property_keys: list[str] = field(default_factory=list)  # registered user-property keys
    service_terms: dict[str, ServiceTerm] = field(default_factory=dict)
    webhook_url: str | None = None  # the unlink webhook (§6.1)
    webhook_method: str = "POST"
    # The account-status-change webhook (§6.2): where Security Event Tokens are POSTed, and the
    # event-type URIs the app subscribed to in the console (None: every type).
    security_event_url: str | None = None
    security_event_types: list[str] | None = None
    preset: str = "custom"  # the preset it was made from (presets.py)
    biz: bool = False  # a Biz app: may configure items whose access is "biz" (core table)
    kakao_sync: bool = False  # Kakao Sync: /v2/user/me carries synched_at
    auto_link: bool = True  # OFF: users stay preregistered until POST /v1/user/signup
    login_enabled: bool = True  # Kakao Login switched on in the console (else KOE004)
    team_member_ids: list[int] | None = None  # a test app: only these users may log in (KOE005)
    # Linked Kakao Talk Channels by public id (authorize's channel_public_id needs one, else KOE102).
    talk_channels: dict[str, TalkChannel] = field(default_factory=dict)
    allow_under_14: bool = True  # False: users under 14 get -406
    app_group: str | None = None  # a group app: users carry group_user_token


@dataclass
class Link:
    """A user's connection to one app: what they agreed to and the app's properties for them."""

    connected_at: float
    consents: set[str] = field(default_factory=set)
    signed_up: bool = True  # False: preregistered on an auto-link OFF app, not signed up yet
    synched_at: float | None = None  # Kakao Sync: when the user's data was last synced
    service_terms: dict[str, float] = field(default_factory=dict)  # tag -> agreed_at
    service_terms_by: dict[str, str] = field(default_factory=dict)  # tag -> "KAUTH" | "KAPI"
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class User:
    """A Kakao Account. ``None`` fields are ones the user never filled in."""

    id: int
    nickname: str | None = None
    profile_image_url: str | None = None
    thumbnail_image_url: str | None = None
    is_default_image: bool = False
    is_default_nickname: bool = False
    email: str | None = None
    is_email_valid: bool = True
    is_email_verified: bool = True
    name: str | None = None
    age_range: str | None = None
    birthday: str | None = None  # MMDD
    birthday_type: str = "SOLAR"
    birthyear: str | None = None
    gender: str | None = None
    phone_number: str | None = None  # "+82 10-1234-5678"
    ci: str | None = None  # connecting information (account_ci)
    ci_authenticated_at: float | None = None
    legal_name: str | None = None  # partner-only fields (legal_*, is_korean)
    legal_birth_date: str | None = None  # yyyyMMdd
    legal_gender: str | None = None
    is_korean: bool | None = None
    sanctioned: bool = False  # a restricted Kakao Account: kapi answers -4
    login_id: str | None = None  # what the consent page's login form accepts
    password: str = "password"
    shipping_addresses: list[dict[str, Any]] = field(default_factory=list)
    # The account's relations to Kakao Talk Channels by public id: Kakao keeps them per account,
    # so every app linked to a channel sees the same one (and an unlink leaves it).
    channel_relations: dict[str, ChannelRelation] = field(default_factory=dict)
    links: dict[int, Link] = field(default_factory=dict)  # app_id -> Link


@dataclass
class AuthCode:
    code: str
    app_id: int
    user_id: int
    redirect_uri: str
    scopes: list[str]
    issued_at: float
    auth_time: float
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None


@dataclass
class AccessToken:
    token: str
    app_id: int
    user_id: int
    expires_at: float
    scopes: list[str]
    refresh_token: str | None = None
    key: str = "rest"  # the app key the login used: "rest", "native" or "javascript"


@dataclass
class RefreshToken:
    token: str
    app_id: int
    user_id: int
    expires_at: float
    scopes: list[str]
    id_token: bool  # the original grant had an id_token, so refreshes return one too
    auth_time: float = 0.0
    key: str = "rest"  # the app key the login used: "rest", "native" or "javascript"


@dataclass
class Fault:
    """An injected failure for one endpoint path, used ``times`` times (None: until cleared)."""

    status: int | None = None  # None: the real answer (only slowed or dropped), unless a body
    delay: float = 0.0
    body: str | None = None  # "html" | "malformed" | "empty" | a literal body | None (Kakao error)
    drop: bool = False  # close the connection without an answer
    times: int | None = 1
    hang: bool = False  # answer only once the emulator is reset or stops serving
    kapi_error: int | None = None  # answer this documented kapi code (status, headers as Kakao)
    kauth_error: str | None = None  # answer this documented KOE code
    content_type: str | None = None  # for a literal body (default: JSON when it parses as JSON)

    @property
    def answers(self) -> bool:
        """Whether the fault answers in the handler's place (else it only slows or cuts)."""
        return any(
            v is not None for v in (self.status, self.body, self.kapi_error, self.kauth_error)
        )


@dataclass(frozen=True)
class LoggedRequest:
    """One request the emulator answered (control-plane calls are not logged)."""

    method: str
    path: str
    status: int
    at: float


@dataclass
class Approval:
    """Who "logs in" at /oauth/authorize in auto-approve mode, and what they agree to."""

    user_id: int | None = None  # None: the default user
    consents: list[str] | None = None  # None: everything asked for
    deny: bool = False  # press "Cancel"


@dataclass
class WebSession:
    """A Kakao Account web session: the consent page's login, bound to a cookie."""

    user_id: int
    expires_at: float


@dataclass(frozen=True)
class WebhookDelivery:
    """One call Kakao made (or would have made) to an app's webhook: the delivery log's entry.

    ``kind`` is ``"unlink"`` (§6.1) or ``"security_event"`` (§6.2). ``ok`` is Kakao's notion of
    success: HTTP 200 for the unlink webhook, 202 for a SET. ``status`` is None when no answer
    came (``error`` says why) or when the webhook is ``paused`` and nothing was sent.
    """

    id: int  # position in the log, from 1
    kind: str
    app_id: int
    user_id: int
    url: str
    method: str
    at: float  # the emulator's clock when sent
    status: int | None = None
    error: str | None = None
    ok: bool = False
    paused: bool = False
    attempt: int = 1  # 2, 3, ...: a retry (config.webhook_retries)
    redelivery: bool = False  # sent again on request (emulator.redeliver)
    referrer_type: str | None = None  # unlink webhook
    jti: str | None = None  # security event: the SET's claims
    txn: str | None = None
    event_type: str | None = None
    token: str | None = None  # security event: the SET as sent (the request body)


@dataclass(frozen=True)
class Caller:
    """The app and user a kapi call acts for; ``token`` is None for admin-key calls."""

    app: App
    user: User
    link: Link
    token: AccessToken | None
