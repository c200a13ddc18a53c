"""kauth's browser-facing and OIDC endpoints: authorize + consent page, logout, discovery, JWKS,
tokeninfo and the token endpoint (reference §1, §2, §3, §4 ``/oauth/logout``).

Configuration mistakes (unknown key, unregistered redirect URI, bad response_type, a scope the app
does not offer) are shown as an error page carrying the KOE code, as Kakao shows them; only the user's
own answers (Cancel, ``prompt=none`` without consent) are redirected back to the app.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from authlib_kakao.testing import event_tokens
from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.exchange import Request, Response, html, json_response, redirect
from authlib_kakao.testing.lifecycle import SESSION_COOKIE
from authlib_kakao.testing.state import App, User
from authlib_kakao.testing.wire_errors import WireError, kauth_fail, page_fail

__all__ = [
    "authorize",
    "consent",
    "jwks",
    "logout",
    "openid_configuration",
    "sse_configuration",
    "token",
    "tokeninfo",
]

PROMPTS = frozenset({"login", "none", "create", "select_account"})
# The consent form carries the original authorize parameters through as hidden fields.
AUTHORIZE_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "prompt",
    "login_hint",
    "service_terms",
    "code_challenge",
    "code_challenge_method",
    "channel_public_id",
)
_TEMPLATE = Path(__file__).parent / "templates" / "consent.html"


@functools.cache
def _consent_template() -> Any:
    """Compiled once: every page is rendered under the backend's lock."""
    from jinja2 import Template  # the testing extra; only the consent page needs it

    return Template(_TEMPLATE.read_text("utf-8"), autoescape=True)


def split_list(value: str | None) -> list[str]:
    """Kakao takes comma-separated lists; its SDKs send spaces. Accept both."""
    return [item for item in re.split(r"[,\s]+", value or "") if item]


def _validate(backend: KakaoBackend, params: dict[str, str]) -> tuple[App, list[str], list[str]]:
    """Check an authorize request; returns the app, requested scopes and prompts."""
    client_id = params.get("client_id", "")
    found = backend.app_by_any_key(client_id)
    if found is None:
        raise page_fail("KOE101", client_id=client_id or "null")
    app, kind = found
    if kind != "rest":
        # The REST flow takes the REST API key; SDK keys log in through their SDKs.
        raise page_fail("KOE008")
    if not app.login_enabled:
        raise page_fail("KOE004")
    channels = split_list(params.get("channel_public_id"))
    if channels and not set(channels) <= set(app.talk_channels):
        raise page_fail("KOE102")
    if params.get("redirect_uri") not in app.redirect_uris:
        accepted = ", ".join(app.redirect_uris) or "none"
        raise page_fail(
            "KOE006",
            note=f"Emulator: this app accepts {accepted}. Add yours with "
            f"app.redirect_uris.append(...), --redirect-uri or POST /_emulator/app/redirect_uris.",
        )
    response_type = params.get("response_type", "")
    if response_type == "token":
        raise page_fail("KOE202")
    if response_type != "code":
        raise page_fail("KOE201", response_type=response_type)
    scopes = split_list(params.get("scope"))
    offered = set(app.consent_items) | ({"openid"} if app.oidc else set())
    unknown = [s for s in scopes if s not in offered]
    if unknown:
        raise page_fail("KOE205", scope=",".join(unknown))
    prompts = split_list(params.get("prompt"))
    if any(p not in PROMPTS for p in prompts):
        raise WireError(_back(params, "invalid_request", "invalid prompt"))
    # Discovery advertises S256 only: plain (named, or implied by a bare challenge) is refused.
    method = params.get("code_challenge_method")
    if (params.get("code_challenge") or method) and method != "S256":
        raise WireError(_back(params, "invalid_request", "code_challenge_method must be S256"))
    return app, scopes, prompts


def _back(params: dict[str, str], error: str, description: str) -> Response:
    return redirect(
        params["redirect_uri"],
        {"error": error, "error_description": description, "state": params.get("state")},
    )


def _issue_code(
    backend: KakaoBackend,
    app: App,
    user: User,
    params: dict[str, str],
    scopes: list[str],
    agreed: list[str],
    channels: Sequence[str] = (),
) -> Response:
    """The user agrees (and adds ``channels``); redirect back to the app with a fresh code."""
    if app.team_member_ids is not None and user.id not in app.team_member_ids:
        raise page_fail("KOE005")
    backend.approve(app, user, agreed, split_list(params.get("service_terms")))
    backend.add_channels_on_login(user, channels)
    code = backend.issue_code(
        app,
        user,
        params["redirect_uri"],
        scopes,
        nonce=params.get("nonce"),
        code_challenge=params.get("code_challenge"),
        code_challenge_method=params.get("code_challenge_method"),
    )
    return redirect(params["redirect_uri"], {"code": code.code, "state": params.get("state")})


def authorize(backend: KakaoBackend, req: Request) -> Response:
    """Start a login: show the consent page, or (auto-approve mode) answer with a code at once."""
    params = dict(req.query)
    app, scopes, prompts = _validate(backend, params)
    cookie = req.cookies.get(SESSION_COOKIE)
    if "none" in prompts:
        return _prompt_none(backend, app, params, scopes, cookie)
    if backend.consent_page:
        user = backend.session_user(cookie) if "login" not in prompts else None
        return _render(backend, app, params, scopes, user)
    approval = backend.approval
    if approval.deny:
        return _back(params, "access_denied", "User denied access")
    user = backend.approved_user()
    if user is None:
        return _back(params, "login_required", "user not found")
    asked = backend.items_to_ask(app, user, scopes)
    agreed = asked if approval.consents is None else [c for c in asked if c in approval.consents]
    channels = split_list(params.get("channel_public_id"))  # agreeing to all: added too
    return _issue_code(backend, app, user, params, scopes, agreed, channels)


def _prompt_none(
    backend: KakaoBackend, app: App, params: dict[str, str], scopes: list[str], cookie: str | None
) -> Response:
    """``prompt=none``: no UI at all, so anything that needs the user is an error redirect."""
    user = backend.session_user(cookie) if backend.consent_page else backend.approved_user()
    if user is None:
        return _back(params, "login_required", "user authentication required.")
    if app.app_id not in user.links or backend.items_to_ask(app, user, scopes):
        return _back(params, "consent_required", "user consent required.")
    return _issue_code(backend, app, user, params, scopes, [])


def _render(
    backend: KakaoBackend,
    app: App,
    params: dict[str, str],
    scopes: list[str],
    user: User | None,
    message: str = "",
) -> Response:
    items = [app.consent_items[i] for i in backend.items_to_ask(app, user, scopes)]
    channels = backend.channels_to_offer(user, split_list(params.get("channel_public_id")))
    if user is not None and not items and not channels:
        # Already linked and nothing new to agree to: Kakao answers with a code straight away.
        return _issue_code(backend, app, user, params, scopes, [])
    page = _consent_template().render(
        app=app,
        items=items,
        channels=[app.talk_channels[c] for c in channels],
        hidden={k: params[k] for k in AUTHORIZE_PARAMS if params.get(k)},
        login_id=(user.login_id if user else None) or params.get("login_hint", ""),
        logged_in=user is not None,
        message=message,
    )
    return html(page)


def consent(backend: KakaoBackend, req: Request) -> Response:
    """The consent page's form: log in (unless the session cookie says who), tick items, Agree.

    A successful login sets the session cookie on the emulator's host; the items the person
    leaves ticked (plus the required ones) are what the code's token is scoped to.
    """
    params = {k: v for k, v in req.form.items() if k in AUTHORIZE_PARAMS}
    app, scopes, _ = _validate(backend, params)
    if req.form.get("action") != "agree":
        return _back(params, "access_denied", "User denied access")
    old_cookie = req.cookies.get(SESSION_COOKIE)
    new_cookie: str | None = None
    if req.form.get("password") is not None:
        keep = req.form.get("keep_signed_in") in ("on", "true", "1")
        signed_in = backend.sign_in(req.form.get("login_id", ""), req.form["password"], keep=keep)
        if signed_in is None:
            return _render(
                backend, app, params, scopes, None, "Kakao account or password is incorrect."
            )
        backend.sign_out(old_cookie)  # a new login replaces the browser's old session
        user, new_cookie = signed_in
    else:
        session_user = backend.session_user(old_cookie)
        if session_user is None:
            return _render(backend, app, params, scopes, None, "Log in to your Kakao account.")
        user = session_user
    asked = backend.items_to_ask(app, user, scopes)
    ticked = set(req.form_list("item"))
    agreed = [i for i in asked if i in ticked or app.consent_items[i].required]
    channels = [
        c for c in split_list(params.get("channel_public_id")) if c in req.form_list("channel")
    ]
    response = _issue_code(backend, app, user, params, scopes, agreed, channels)
    if new_cookie is not None:
        keep = req.form.get("keep_signed_in") in ("on", "true", "1")
        response.headers["set-cookie"] = session_cookie(backend, new_cookie, keep=keep)
    return response


def session_cookie(backend: KakaoBackend, value: str, *, keep: bool = False) -> str:
    """The ``Set-Cookie`` value for a Kakao Account session on the emulator's own host."""
    cfg = backend.config
    lifetime = cfg.web_session_lifetime_kept if keep else cfg.web_session_lifetime
    return f"{SESSION_COOKIE}={value}; Path=/; Max-Age={lifetime}; HttpOnly; SameSite=Lax"


def logout(backend: KakaoBackend, req: Request) -> Response:
    """Kakao-account logout: end the browser session, then go to the registered logout URI."""
    client_id = req.query.get("client_id", "")
    app = backend.app_by_client_id(client_id)
    if app is None:
        raise page_fail("KOE101", client_id=client_id or "null")
    target = req.query.get("logout_redirect_uri", "")
    if target not in app.logout_redirect_uris:
        raise page_fail("KOE007")
    backend.sign_out(req.cookies.get(SESSION_COOKIE))
    response = redirect(target, {"state": req.query.get("state")})
    response.headers["set-cookie"] = f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    return response


def _base_url(req: Request) -> str:
    return f"http://{req.headers.get('host', '127.0.0.1')}"


def openid_configuration(backend: KakaoBackend, req: Request) -> Response:
    """Kakao's fixed discovery document, with this emulator's URLs and Kakao's issuer.

    Written out here rather than taken from ``authlib_kakao.core.endpoints``: the emulator states
    what Kakao publishes (its userinfo is ``/v1/oidc/userinfo``), independently of the client.
    """
    base = _base_url(req)
    document: dict[str, Any] = {
        "issuer": backend.config.issuer,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "userinfo_endpoint": f"{base}/v1/oidc/userinfo",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "request_uri_parameter_supported": False,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "iss",
            "aud",
            "sub",
            "auth_time",
            "exp",
            "iat",
            "nonce",
            "nickname",
            "picture",
            "email",
        ],
    }
    return json_response(document)


def sse_configuration(backend: KakaoBackend, req: Request) -> Response:
    """Kakao's security-event configuration (§6.2, the older page): issuer, the JWKS that signs
    its SETs (the id_tokens' JWKS) and the push delivery method."""
    return json_response(event_tokens.sse_configuration(backend, _base_url(req)))


def jwks(backend: KakaoBackend, req: Request) -> Response:
    """The published signing keys, newest first; throttled like Kakao's (``jwks_rate_limit``)."""
    backend.throttle("jwks", backend.config.jwks_rate_limit)
    return json_response(backend.keys.jwks())


def tokeninfo(backend: KakaoBackend, req: Request) -> Response:
    """Debug-only id_token check: the payload, or KOE400; throttled (``tokeninfo_rate_limit``)."""
    backend.throttle("tokeninfo", backend.config.tokeninfo_rate_limit)
    return json_response(backend.tokeninfo(req.form.get("id_token", "")))


def token(backend: KakaoBackend, req: Request) -> Response:
    """``POST /oauth/token`` (reference §2): exchange a code or a refresh token for tokens."""
    form = req.form
    app = backend.authenticate_client(
        form.get("client_id"),
        form.get("client_secret"),
        platform=(form.get("android_key_hash"), form.get("ios_bundle_id")),
    )
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        if backend.key_kind(app, form) != "rest":
            # Codes come from the REST flow's /oauth/authorize: no SDK key owns one.
            raise kauth_fail("KOE320", code=form.get("code") or "")
        body = backend.exchange_code(
            app, form.get("code") or "", form.get("redirect_uri"), form.get("code_verifier")
        )
    elif grant_type == "refresh_token":
        body = backend.refresh(app, form.get("refresh_token"), key=backend.key_kind(app, form))
    else:
        raise kauth_fail("KOE001", f"unsupported grant_type: {grant_type}")
    return json_response(body)
