"""The emulator's state: apps, users, their links to apps, codes and tokens, a clock and a request log.

Everything here is plain data guarded by one lock (``EmulatorState.lock``); handlers in ``kauth.py`` and
``kapi.py`` read and change it. Nothing here knows about HTTP.

Theory of operation (the code/token lifecycle):

* an authorization code is issued by ``/oauth/authorize``, lives ``code_lifetime`` seconds and dies on
  first use, successful or not (Kakao answers KOE320 for a second use);
* the code grant issues an access token and a refresh token, plus an id_token when OIDC applies;
* a refresh issues a new access token; a new refresh token comes only when the presented one has
  less than ``refresh_rotation_window`` seconds left, and then the presented one dies;
* logout revokes the presenting access token (bearer) or every token of the user (admin key);
  unlink revokes every token of the user for that app and drops the link.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AccessToken",
    "App",
    "AuthCode",
    "Clock",
    "ConsentItem",
    "EmulatorConfig",
    "EmulatorState",
    "Fault",
    "Link",
    "LoggedRequest",
    "RefreshToken",
    "ServiceTerm",
    "User",
]

# Kakao's consent item ids (reference §7) with the display name Kakao shows and the user field each
# one unlocks in /v2/user/me.
DEFAULT_CONSENT_ITEMS: tuple[tuple[str, str], ...] = (
    ("profile_nickname", "닉네임"),
    ("profile_image", "프로필 사진"),
    ("account_email", "카카오계정(이메일)"),
    ("name", "이름"),
    ("gender", "성별"),
    ("age_range", "연령대"),
    ("birthday", "생일"),
    ("birthyear", "출생 연도"),
    ("phone_number", "카카오계정(전화번호)"),
    ("shipping_address", "배송지정보"),
    ("talk_message", "카카오톡 메시지 전송"),
)


class Clock:
    """Injectable time: real time plus an offset that tests advance instead of sleeping."""

    def __init__(self, start: float | None = None) -> None:
        self._offset = 0.0 if start is None else start - time.time()

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


@dataclass
class EmulatorConfig:
    """Knobs for behaviour the reference gives as defaults or marks UNCONFIRMED."""

    issuer: str = "https://kauth.kakao.com"
    access_token_lifetime: int = 21599
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


@dataclass
class ConsentItem:
    """One consent item configured in the app's console."""

    id: str
    display_name: str
    required: bool = False
    type: str = "PRIVACY"  # or "SERVICE"


@dataclass
class ServiceTerm:
    """A Kakao Sync service term configured for the app (its ``tag``)."""

    tag: str
    required: bool = False


@dataclass
class App:
    """An app as registered in Kakao Developers' console."""

    app_id: int
    client_id: str  # the REST API key
    admin_key: str
    client_secret: str | None = None  # None: "Client Secret" switched off
    extra_audiences: list[str] = field(default_factory=list)  # native / JavaScript keys
    redirect_uris: list[str] = field(default_factory=list)
    logout_redirect_uris: list[str] = field(default_factory=list)
    consent_items: dict[str, ConsentItem] = field(default_factory=dict)
    oidc: bool = False
    property_keys: list[str] = field(default_factory=list)  # registered user-property keys
    service_terms: dict[str, ServiceTerm] = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_method: str = "POST"


@dataclass
class Link:
    """A user's connection to one app: what they agreed to and the app's properties for them."""

    connected_at: float
    consents: set[str] = field(default_factory=set)
    service_terms: dict[str, float] = field(default_factory=dict)  # tag -> agreed_at
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class User:
    """A Kakao Account. ``None`` fields are ones the user never filled in."""

    id: int
    nickname: str | None = None
    profile_image_url: str | None = None
    thumbnail_image_url: str | None = None
    is_default_image: bool = False
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
    login_id: str | None = None  # what the consent page's login form accepts
    password: str = "password"
    shipping_addresses: list[dict[str, Any]] = field(default_factory=list)
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


@dataclass
class RefreshToken:
    token: str
    app_id: int
    user_id: int
    expires_at: float
    scopes: list[str]
    id_token: bool  # the original grant had an id_token, so refreshes return one too
    auth_time: float = 0.0


@dataclass
class Fault:
    """An injected failure for one endpoint path, used ``times`` times (None: until cleared)."""

    status: int | None = (
        None  # None: the real answer (only slowed or dropped), unless a body is set
    )
    delay: float = 0.0
    body: str | None = None  # "html" | "malformed" | "empty" | a literal body | None (Kakao error)
    drop: bool = False  # close the connection without an answer
    times: int | None = 1


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int
    at: float


@dataclass
class EmulatorState:
    """All mutable emulator data; reset by replacing it."""

    clock: Clock = field(default_factory=Clock)
    apps: dict[int, App] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    faults: dict[str, Fault] = field(default_factory=dict)
    # Bounded so a long benchmark cannot grow memory without limit.
    log: deque[LoggedRequest] = field(default_factory=lambda: deque(maxlen=100_000))
    # /v1/user/ids (kapi_admin.py): per-app call times for the per-minute limit, and every user id
    # sorted once (rebuilt when the user count changes) so a page is a bisect, not a sort.
    user_ids_calls: dict[int, deque[float]] = field(default_factory=dict)
    sorted_user_ids: list[int] = field(default_factory=list)
    # Token issue times per (app_id, user_id) for KOE237.
    access_token_issues: dict[tuple[int, int], deque[float]] = field(default_factory=dict)
    refresh_token_issues: dict[tuple[int, int], deque[float]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    issued_since_sweep: int = 0

    def sweep(self, code_lifetime: float, *, every: int = 1000) -> None:
        """Drop dead codes and tokens, every ``every`` issues, so memory follows only live ones.

        Amortised: one pass over the stores per ``every`` codes or tokens issued.
        """
        self.issued_since_sweep += 1
        if self.issued_since_sweep < every:
            return
        self.issued_since_sweep = 0
        now = self.clock.now()
        for key in [k for k, c in self.codes.items() if c.issued_at + code_lifetime <= now]:
            del self.codes[key]
        for store in (self.access_tokens, self.refresh_tokens):
            for key in [k for k, t in store.items() if t.expires_at <= now]:
                del store[key]
