"""``KakaoBackend``: all of one emulator's data and every change to it (moto's ``models.py``).

Handlers (``kauth*.py``, ``kapi*.py``, ``control.py``) read parameters, make one call here and turn
the result into a body; the :class:`~authlib_kakao.testing.KakaoEmulator` façade delegates here too.
A refusal is a :class:`~authlib_kakao.testing.wire_errors.WireError` carrying Kakao's error body.
One re-entrant lock (``lock``) guards everything; dispatch holds it around each handler.

The code/token half lives in ``lifecycle.py`` (:class:`TokenLifecycle`), Kakao Talk Channel
relations in ``talk_channels.py`` (:class:`TalkChannels`), the webhook delivery log in
``deliveries.py`` (:class:`WebhookDeliveries`), injected faults and the request log in
``faults.py`` (:class:`FaultsAndLog`). A reset is a fresh
backend: the emulator replaces this object, so nothing survives it except what the façade hands
over on purpose (config, the consent-page switch and the original signing key).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import json
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from authlib_kakao.testing.deliveries import WebhookDeliveries
from authlib_kakao.testing.faults import FaultsAndLog
from authlib_kakao.testing.keys import SigningKeys
from authlib_kakao.testing.lifecycle import TokenLifecycle
from authlib_kakao.testing.presets import (
    USER_PRESETS,
    app_settings,
    app_values,
    consent_items,
    preset_consents,
    service_terms,
    user_values,
)
from authlib_kakao.testing.sliding_window import Limit, SlidingWindow
from authlib_kakao.testing.state import (
    AccessToken,
    App,
    Approval,
    AuthCode,
    Caller,
    Clock,
    EmulatorConfig,
    Fault,
    Link,
    LoggedRequest,
    RefreshToken,
    User,
    WebhookDelivery,
    WebSession,
)
from authlib_kakao.testing.surface import operation
from authlib_kakao.testing.talk_channels import TalkChannels
from authlib_kakao.testing.wire_errors import kapi_fail, kauth_fail

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_USER_ID",
    "Caller",
    "KakaoBackend",
    "consent_items",
    "service_terms",
]

DEFAULT_APP_ID = 1_000_001
# 19 digits and above 2**53, like real Kakao ids: JSON clients that use doubles lose precision.
DEFAULT_USER_ID = 4_242_424_242_424_242_424
DEFAULT_REDIRECT_HOSTS = (
    "http://localhost",
    "http://testserver",
    "http://localhost:5000",
    "http://127.0.0.1:5000",
    "http://localhost:8000",
    "http://127.0.0.1:8000",
)
UNDER_14 = frozenset({"0~9", "1~9", "10~14"})  # age ranges below 14 (the docs' and the SDKs')
# Key kind -> the App field holding that key.
APP_KEY_FIELDS = {
    "rest": "client_id",
    "native": "native_key",
    "javascript": "javascript_key",
    "admin": "admin_key",
}
USER_IDS_WINDOW = 60.0  # seconds: Kakao's /v1/user/ids limit is "100 calls per minute per app" (§7)


class KakaoBackend(TokenLifecycle, TalkChannels, WebhookDeliveries, FaultsAndLog):
    """One emulator's apps, users, codes, tokens, login session, faults and request log.

    Args:
        config: lifetimes, limits and switches (shared with the façade, survives resets).
        keys: the signing keys (default: a fresh key).
        clock: the emulator's time (default: real time).
        consent_page: show the HTML consent page at ``/oauth/authorize``.
        base_url: while served, the server's URL: its ``/_emulator/callback`` becomes a
            registered redirect URI of the default app.
    """

    def __init__(
        self,
        *,
        config: EmulatorConfig | None = None,
        keys: SigningKeys | None = None,
        clock: Clock | None = None,
        consent_page: bool = False,
        base_url: str | None = None,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.keys = keys or SigningKeys()
        self.clock = clock or Clock()
        self.consent_page = consent_page
        self.lock = threading.RLock()
        self.apps: dict[int, App] = {}
        self.users: dict[int, User] = {}
        self.codes: dict[str, AuthCode] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.faults: dict[str, Fault] = {}
        # Bounded so a long benchmark cannot grow memory without limit.
        self.log: deque[LoggedRequest] = deque(maxlen=100_000)
        # Every rate limit's recent events: token issues per ("access" | "refresh", app_id,
        # user_id) for KOE237, /v1/user/ids calls per ("user_ids", app_id), ("jwks",) ...
        self.rates = SlidingWindow()
        # Every user id sorted once (dropped when a user comes or goes): a page is a bisect.
        self.sorted_user_ids: list[int] | None = None
        self.issued_since_sweep = 0
        self.approval = Approval()  # auto-approve mode: who logs in
        # Consent-page mode: Kakao Account web sessions by cookie value (the browser's login).
        self.web_sessions: dict[str, WebSession] = {}
        # Every webhook call Kakao made (or skipped while paused), oldest first; waiters on
        # ``delivered`` (the state lock's condition) wake at each new entry.
        self.deliveries: list[WebhookDelivery] = []
        self.delivered = threading.Condition(self.lock)
        # Per (app_id, kind): when the current run of failures began; when the webhook paused.
        self.failing_since: dict[tuple[int, str], float] = {}
        self.paused_webhooks: dict[tuple[int, str], float] = {}
        # Set when this state is dropped (reset, server stop): requests hanging on a fault end.
        self.released = threading.Event()
        # Called by the control plane's POST /_emulator/reset (the façade swaps in a new backend).
        self.reset_hook: Callable[[], None] | None = None
        self._keys: dict[str, tuple[App, str]] = {}  # app key -> (app, kind): see _app_with_key
        self._ids = itertools.count(1)
        self.app = self._add_default_app(base_url)
        self.user = self._add_default_user()

    # -- apps ------------------------------------------------------------------------------------

    def _add_default_app(self, base_url: str | None) -> App:
        # While served, the emulator's own /_emulator/callback page is a registered redirect URI,
        # so a person can try a login with nothing else running.
        own = [f"{base_url}/_emulator/callback"] if base_url else []
        settings = dict(self.config.app_settings)
        extra_uris = list(settings.pop("redirect_uris", []))
        extra_logout = list(settings.pop("logout_redirect_uris", []))
        values: dict[str, Any] = {
            "app_id": DEFAULT_APP_ID,
            "client_id": "emulator-rest-api-key",
            "client_secret": "emulator-client-secret",
            "admin_key": "emulator-admin-key",
            "native_key": "emulator-native-app-key",
            "javascript_key": "emulator-javascript-key",
            "redirect_uris": [f"{h}/auth" for h in DEFAULT_REDIRECT_HOSTS] + own + extra_uris,
            "logout_redirect_uris": [f"{h}/logged-out" for h in DEFAULT_REDIRECT_HOSTS]
            + extra_logout,
            **settings,
        }
        return self.add_app(preset=self.config.app_preset, **values)

    @operation
    def add_app(self, /, preset: str | None = None, **values: Any) -> App:
        """Register an app from ``preset`` (default ``config.app_preset``); ``values`` override it.

        Unspecified keys are random; ``consent_items`` may be a list of scope ids (named as in
        Kakao's table, ``profile_nickname`` required).
        """
        with self.lock:
            app_id = int(values.pop("app_id", DEFAULT_APP_ID + 1 + len(self.apps)))
            defaults: dict[str, Any] = {
                "client_id": secrets.token_hex(16),
                "admin_key": secrets.token_hex(16),
                "client_secret": secrets.token_urlsafe(24),
                "native_key": secrets.token_hex(16),
                "javascript_key": secrets.token_hex(16),
                "property_keys": ["nickname", "profile_image", "thumbnail_image", "custom_field"],
                **app_values(preset or self.config.app_preset),
            }
            app = App(app_id=app_id, **{**defaults, **app_settings(values)})
            self.apps[app_id] = app
            return app

    @operation
    def update_app(self, /, app: App | None = None, **values: Any) -> App:
        """Change fields of ``app`` (default app) as the console does (``client_secret=None``
        switches the secret off, ``consent_items`` may be scope ids); returns the app."""
        target = app or self.app
        unknown = set(values) - {f.name for f in dataclasses.fields(App) if f.name != "app_id"}
        if unknown:
            raise ValueError(f"unknown app fields {sorted(unknown)}")
        values = app_settings(values)
        with self.lock:
            for name, value in values.items():
                setattr(target, name, value)
        return target

    def _app_with_key(self, key: str) -> tuple[App, str] | None:
        """The registered app one of whose keys is ``key``, and which kind of key it is.

        The index is a cache checked against the app on every hit and rebuilt from ``apps`` when
        stale: tests edit keys in place (``emu.app.client_id = ...``) and replace apps by id, and
        a checked cache follows both without any hook on the records.
        """
        if not key:
            return None
        hit = self._keys.get(key)
        if hit is None or not _holds_key(self.apps, hit, key):
            self._keys = {
                value: (app, kind)
                for app in self.apps.values()
                for kind, name in APP_KEY_FIELDS.items()
                if (value := getattr(app, name))
            }
            hit = self._keys.get(key)
        return hit

    def app_by_client_id(self, client_id: str) -> App | None:
        """The app whose REST API key is ``client_id``."""
        found = self._app_with_key(client_id)
        return found[0] if found is not None and found[1] == "rest" else None

    def app_by_any_key(self, key: str) -> tuple[App, str] | None:
        """The app one of whose keys is ``key``, and which: ``"rest"``, ``"native"``, ``"javascript"``."""
        found = self._app_with_key(key)
        return found if found is not None and found[1] != "admin" else None

    def app_by_admin_key(self, key: str) -> App:
        """The app whose admin key is ``key``; else ``-401``."""
        found = self._app_with_key(key)
        if found is None or found[1] != "admin":
            raise kapi_fail(-401, "invalid admin key")
        return found[0]

    # -- users and links ---------------------------------------------------------------------------

    def _add_default_user(self) -> User:
        preset = self.config.user_preset
        values: dict[str, Any] = {"login_id": "user@example.com"}
        if "id" not in user_values(preset):
            values["id"] = DEFAULT_USER_ID
        if user_values(preset).get("email") is not None:
            values["email"] = "user@example.com"
        return self.add_user(preset=preset, **values)

    @operation
    def add_user(
        self,
        /,
        *,
        app: App | None = None,
        consents: Iterable[str] | None = None,
        linked: bool = True,
        preset: str | None = None,
        **values: Any,
    ) -> User:
        """Create a Kakao Account; linked to ``app`` (default app) with ``consents``.

        With ``preset`` (presets.py) the account's fields and its consents come from the preset
        (``values`` and ``consents`` override them); without, ``consents`` defaults to every
        item the app configures. A preset user gets a fresh email and login id.
        """
        target = app or self.app
        with self.lock:
            if preset is not None:
                base = user_values(preset)
                if "id" not in values and "id" not in base:
                    values["id"] = self._next_user_id()
                user_id = values.get("id", base.get("id"))
                if base.get("email") is not None and "email" not in values:
                    values["email"] = f"user{user_id}@example.com"
                values.setdefault("login_id", values.get("email") or f"user{user_id}@example.com")
                values = {**base, **values}
                if consents is None:
                    consents = preset_consents(preset, list(target.consent_items))
            if "id" not in values:
                values["id"] = self._next_user_id()
            user = User(**values)
            self.users[user.id] = user
            self.sorted_user_ids = None
            if linked:
                link = self.link(user, target, consents)
                if preset is not None and USER_PRESETS[preset].agrees_terms:
                    now = self.clock.now()
                    link.service_terms = {tag: now for tag in target.service_terms}
            return user

    def _next_user_id(self) -> int:
        while (candidate := 3_000_000_000_000_000_000 + next(self._ids)) in self.users:
            pass
        return candidate

    @operation
    def link(
        self, user: User, app: App | None = None, consents: Iterable[str] | None = None
    ) -> Link:
        """Connect ``user`` to ``app`` (default app) as if they had agreed to ``consents`` (all)."""
        target = app or self.app
        agreed = set(target.consent_items) if consents is None else set(consents)
        with self.lock:
            link = user.links.get(target.app_id)
            if link is None:
                now = self.clock.now()
                link = user.links[target.app_id] = Link(
                    connected_at=now,
                    # Auto-link OFF: the user is preregistered until the app calls signup.
                    signed_up=target.auto_link,
                    synched_at=now if target.kakao_sync else None,
                )
            link.consents |= agreed
            return link

    @operation
    def unlink(self, user: User, app: App | None = None) -> bool:
        """Drop the link and revoke the user's tokens for ``app``; False if they were not linked."""
        target = app or self.app
        with self.lock:
            self.revoke_tokens(target.app_id, user.id)
            return user.links.pop(target.app_id, None) is not None

    def user_and_link(self, app: App, user_id: int) -> tuple[User, Link]:
        """The user ``user_id`` and their link to ``app``, else ``-101``."""
        user = self.users.get(user_id)
        link = user.links.get(app.app_id) if user is not None else None
        # A preregistration past its deadline is as good as unlinked; the unlink itself (and its
        # webhook) is expire_preregistrations' to do.
        if user is None or link is None or self.signup_expired(link):
            raise kapi_fail(-101)
        return user, link

    def expired_preregistrations(self) -> list[tuple[User, App]]:
        """Every (user, app) whose preregistration has run out and is due to be unlinked."""
        return [
            (user, app)
            for user in self.users.values()
            for app_id, link in user.links.items()
            if self.signup_expired(link) and (app := self.apps.get(app_id)) is not None
        ]

    def signup(self, caller: Caller, props: dict[str, Any] | None) -> None:
        """``/v1/user/signup``: a preregistered user becomes a member; ``-102`` if already one."""
        if caller.link.signed_up:
            raise kapi_fail(-102)
        if props:
            self.update_properties(caller, props)
        with self.lock:
            caller.link.signed_up = True

    def upgrade_service_terms(self, caller: Caller, tags: list[str]) -> dict[str, float]:
        """Agree to optional service terms through the API (``agreed_by: KAPI``)."""
        now = self.clock.now()
        with self.lock:
            for tag in tags:
                if tag not in caller.link.service_terms:
                    caller.link.service_terms[tag] = now
                    caller.link.service_terms_by[tag] = "KAPI"
            return {tag: caller.link.service_terms[tag] for tag in tags}

    # -- kapi: callers and user data ---------------------------------------------------------------

    def bearer_caller(self, token: str) -> Caller:
        """Who a bearer token acts for; ``-401`` for an unknown or expired token."""
        access = self.access_tokens.get(token)
        if access is None:
            raise kapi_fail(-401)
        if access.expires_at <= self.clock.now():
            raise kapi_fail(-401, "this access token is already expired")
        app = self.apps.get(access.app_id)
        if app is None:
            raise kapi_fail(-401)
        user, link = self.user_and_link(app, access.user_id)
        if user.sanctioned:
            raise kapi_fail(-4)
        if not app.allow_under_14 and user.age_range in UNDER_14:
            raise kapi_fail(-406)
        return Caller(app, user, link, access)

    def admin_caller(self, app: App, user_id: int) -> Caller:
        """An admin-key call by ``app`` on behalf of ``user_id``; ``-101`` when not linked."""
        user, link = self.user_and_link(app, user_id)
        return Caller(app, user, link, None)

    def logout(self, caller: Caller) -> None:
        """Bearer: that session's tokens die. Admin key: every token of the user for the app."""
        if caller.token is None:
            self.revoke_tokens(caller.app.app_id, caller.user.id)
        else:
            self.revoke_session(caller.token)

    def update_properties(self, caller: Caller, props: dict[str, Any]) -> None:
        """Store user properties (null deletes); unregistered keys ``-201``, bad values ``-2``."""
        unknown = [k for k in props if k not in caller.app.property_keys]
        if unknown:
            msg = f"user property not found ([{', '.join(unknown)}] for appId={caller.app.app_id})"
            raise kapi_fail(-201, msg)
        texts = {key: _property_text(key, value) for key, value in props.items()}
        with self.lock:
            for key, text in texts.items():
                if text is None:
                    caller.link.properties.pop(key, None)
                else:
                    caller.link.properties[key] = text

    def revoke_scopes(self, caller: Caller, wanted: list[str]) -> None:
        """Withdraw agreed optional items; not agreed / unknown ``-2``, required ``-3``."""
        unknown = [s for s in wanted if s not in caller.link.consents]
        if unknown or not wanted:
            raise kapi_fail(
                -2,
                "There is no scopes to revoke. check out if given scope id"
                f"({_listed(unknown)}) is correct again.",
            )
        items = caller.app.consent_items
        _refuse_required([s for s in wanted if s in items and items[s].required])
        with self.lock:
            caller.link.consents.difference_update(wanted)
            self.drop_token_scopes(caller.app.app_id, caller.user.id, set(wanted))

    def revoke_service_terms(self, caller: Caller, tags: list[str]) -> None:
        """Withdraw optional service terms by tag; a required tag is ``-3``."""
        _refuse_required([t for t in tags if caller.app.service_terms[t].required])
        with self.lock:
            for tag in tags:
                caller.link.service_terms.pop(tag, None)

    # -- kapi: admin APIs --------------------------------------------------------------------------

    def spend_user_ids_call(self, app: App) -> None:
        """Count a /v1/user/ids call against the app's per-minute budget; HTTP 429 ``-10`` over it."""
        limit = (self.config.user_ids_rate_limit, USER_IDS_WINDOW)
        with self.lock:
            if not self.rates.take(("user_ids", app.app_id), limit, self.clock.now()):
                raise kapi_fail(-10, status=429)

    def page_user_ids(
        self, app_id: int, *, limit: int, from_id: int | None, descending: bool
    ) -> tuple[list[int], int | None, int | None]:
        """One page of the app's user ids: ``(elements, before_from_id, after_from_id)``.

        ``from_id`` is inclusive. ``after_from_id`` starts the next page in the same order;
        ``before_from_id`` starts the page that ends just before this one (None at either end).
        Paging 100,000 users must not sort or scan per page: a page is a bisect plus a walk of
        ``limit + 1`` linked ids (users not linked to the app are skipped on the way).
        """
        if self.sorted_user_ids is None:
            self.sorted_user_ids = sorted(self.users)
        ids = self.sorted_user_ids
        if descending:
            start = len(ids) - 1 if from_id is None else bisect.bisect_right(ids, from_id) - 1
            step = -1
        else:
            start = 0 if from_id is None else bisect.bisect_left(ids, from_id)
            step = 1
        ahead = self._walk(app_id, ids, start, step, limit + 1)
        behind = self._walk(app_id, ids, start - step, -step, limit)
        after = ahead[limit] if len(ahead) > limit else None
        before = behind[-1] if behind else None
        return ahead[:limit], before, after

    def _walk(self, app_id: int, ids: list[int], start: int, step: int, n: int) -> list[int]:
        """Up to ``n`` ids linked to ``app_id``, from index ``start`` moving by ``step``."""
        found: list[int] = []
        i = start
        while 0 <= i < len(ids) and len(found) < n:
            user = self.users.get(ids[i])
            if user is not None and app_id in user.links:
                found.append(ids[i])
            i += step
        return found

    def throttle(self, name: str, limit: Limit) -> None:
        """Count one request to a throttled endpoint; HTTP 429 KOE237 over ``limit``."""
        with self.lock:
            if not self.rates.take((name,), limit, self.clock.now()):
                raise kauth_fail("KOE237", f"too many {name} requests: cache the answer")

    # -- Kakao-side account changes (what the webhooks report) -------------------------------------

    def linked_apps(self, user: User) -> list[App]:
        """The apps ``user`` is linked to, in registration order."""
        return [app for app_id, app in self.apps.items() if app_id in user.links]

    def delete_account(self, user: User) -> list[App]:
        """The Kakao Account is deleted: every link and token dies, then the account itself
        (its id answers ``-101``, its login and web sessions are gone). Returns the apps it was
        linked to, which Kakao then notifies."""
        with self.lock:
            apps = self.linked_apps(user)
            for app in apps:
                self.unlink(user, app)
            self.users.pop(user.id, None)
            self.sorted_user_ids = None
            self._end_web_sessions(user)
            return apps

    def set_account_disabled(self, user: User, disabled: bool) -> list[App]:
        """Disable (kapi answers ``-4``, as for a restricted account; web sessions end) or
        re-enable the account. Returns the apps it is linked to."""
        with self.lock:
            user.sanctioned = disabled
            if disabled:
                self._end_web_sessions(user)
            return self.linked_apps(user)

    def revoke_user_tokens(self, user: User, app: App | None = None) -> list[App]:
        """Kakao revokes the user's tokens for ``app`` (None: every linked app); they answer
        ``-401`` / KOE322 from now on. Returns the apps whose tokens died."""
        with self.lock:
            apps = self.linked_apps(user) if app is None else [app]
            for target in apps:
                self.revoke_tokens(target.app_id, user.id)
            return apps

    def withdraw_scopes(self, user: User, app: App, scopes: list[str]) -> None:
        """The user withdraws agreed optional items on Kakao's side (not through the app's API).

        Raises ``ValueError`` for an item not agreed to or a required one (nothing changes).
        """
        with self.lock:
            link = user.links.get(app.app_id)
            if link is None:
                raise ValueError(f"user {user.id} is not linked to app {app.app_id}")
            unknown = [s for s in scopes if s not in link.consents]
            required = [
                s for s in scopes if s in app.consent_items and app.consent_items[s].required
            ]
            if not scopes or unknown or required:
                raise ValueError(
                    f"cannot withdraw {scopes}: not agreed {unknown}, required {required}"
                )
            link.consents.difference_update(scopes)
            self.drop_token_scopes(app.app_id, user.id, set(scopes))

    def _end_web_sessions(self, user: User) -> None:
        for cookie in [c for c, s in self.web_sessions.items() if s.user_id == user.id]:
            del self.web_sessions[cookie]

    @operation
    def find_refresh_token(self, token: str) -> RefreshToken | None:
        """The live refresh token record for ``token``, if any."""
        return self.refresh_tokens.get(token)

    @operation
    def rotate_keys(self, *, keep_old: bool = True) -> str:
        """Sign new id_tokens with a fresh key (published in the JWKS); returns its kid."""
        return self.keys.rotate(keep_old=keep_old)

    def request_reset(self) -> None:
        """The control plane's reset: the owner swaps in a fresh backend."""
        if self.reset_hook is None:
            raise RuntimeError("this backend has no owner to reset it")
        self.reset_hook()


def _holds_key(apps: dict[int, App], hit: tuple[App, str], key: str) -> bool:
    """Whether a cached (app, kind) is still registered and still has ``key`` as that kind."""
    app, kind = hit
    return apps.get(app.app_id) is app and getattr(app, APP_KEY_FIELDS[kind]) == key


def _property_text(key: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    raise kapi_fail(-2, f"invalid properties: value of {key} must be a string")


def _listed(items: list[str]) -> str:
    return f"[{', '.join(items)}]"


def _refuse_required(fixed: list[str]) -> None:
    if fixed:
        raise kapi_fail(
            -3,
            f"{_listed(fixed)} is not revocable. "
            "check out if it's set as required on developers.kakao.com",
        )
