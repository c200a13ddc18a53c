"""kauth's browser-facing and OIDC endpoints: authorize + consent page, logout, discovery, JWKS,
tokeninfo (reference §1, §3, §4 ``/oauth/logout``). The token endpoint is in ``kauth_token.py``.

Configuration mistakes (unknown key, unregistered redirect URI, bad response_type, a scope the app
does not offer) are shown as an error page carrying the KOE code, as Kakao shows them; only the user's
own answers (Cancel, ``prompt=none`` without consent) are redirected back to the app.
"""

from __future__ import annotations

import html as html_lib
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from authlib_kakao.testing.http import Request, Response, html, json_response, redirect, route
from authlib_kakao.testing.state import App, AuthCode, User
from authlib_kakao.testing.wire_errors import KAUTH_ERRORS, kauth_error

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = ["authorize", "consent", "jwks", "logout", "openid_configuration", "tokeninfo"]

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
)
_TEMPLATE = Path(__file__).parent / "templates" / "consent.html"


def error_page(code: str, **fmt: str) -> Response:
    """Kakao's error page for a configuration mistake: the KOE code in an HTML page."""
    error, template, status = KAUTH_ERRORS[code]
    description = template.format(**{k: fmt.get(k, "") for k in re.findall(r"{(\w+)}", template)})
    body = (
        "<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'><title>Kakao Login error</title>"
        f"</head><body><h1>{code}</h1><p class='error'>{html_lib.escape(error)}</p>"
        f"<p class='description'>{html_lib.escape(description)}</p></body></html>"
    )
    return html(body, status)


def split_list(value: str | None) -> list[str]:
    """Kakao takes comma-separated lists; its SDKs send spaces. Accept both."""
    return [item for item in re.split(r"[,\s]+", value or "") if item]


class _Stop(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _validate(emu: KakaoEmulator, params: dict[str, str]) -> tuple[App, list[str], list[str]]:
    """Check an authorize request; returns the app, requested scopes and prompts."""
    client_id = params.get("client_id", "")
    app = next((a for a in emu.state.apps.values() if a.client_id == client_id), None)
    if app is None:
        raise _Stop(error_page("KOE101", client_id=client_id or "null"))
    if params.get("redirect_uri") not in app.redirect_uris:
        raise _Stop(error_page("KOE006"))
    response_type = params.get("response_type", "")
    if response_type == "token":
        raise _Stop(error_page("KOE202"))
    if response_type != "code":
        raise _Stop(error_page("KOE201", response_type=response_type))
    scopes = split_list(params.get("scope"))
    offered = set(app.consent_items) | ({"openid"} if app.oidc else set())
    unknown = [s for s in scopes if s not in offered]
    if unknown:
        raise _Stop(error_page("KOE205", scope=",".join(unknown)))
    prompts = split_list(params.get("prompt"))
    method = params.get("code_challenge_method")
    if any(p not in PROMPTS for p in prompts) or method not in (None, "S256", "plain"):
        raise _Stop(_back(params, "invalid_request", "invalid prompt or code_challenge_method"))
    return app, scopes, prompts


def _back(params: dict[str, str], error: str, description: str) -> Response:
    return redirect(
        params["redirect_uri"],
        {"error": error, "error_description": description, "state": params.get("state")},
    )


def _items_to_ask(app: App, user: User | None, scopes: list[str]) -> list[str]:
    """Consent items the user would be asked for: the requested ones, or all configured on first link."""
    link = user.links.get(app.app_id) if user else None
    wanted = [s for s in scopes if s != "openid"] or (
        list(app.consent_items) if link is None else []
    )
    agreed = link.consents if link else set()
    return [item for item in wanted if item not in agreed]


def _issue_code(
    emu: KakaoEmulator,
    app: App,
    user: User,
    params: dict[str, str],
    scopes: list[str],
    agreed: list[str],
) -> Response:
    link = emu.link(user, app, agreed)
    emu.state.sweep(emu.config.code_lifetime)
    now = emu.clock.now()
    for tag in split_list(params.get("service_terms")):
        if tag in app.service_terms:
            link.service_terms.setdefault(tag, now)
    granted = sorted(link.consents) + (["openid"] if "openid" in scopes else [])
    code = AuthCode(
        code=secrets.token_urlsafe(48),
        app_id=app.app_id,
        user_id=user.id,
        redirect_uri=params["redirect_uri"],
        scopes=granted,
        issued_at=now,
        auth_time=now,
        nonce=params.get("nonce") or None,
        code_challenge=params.get("code_challenge") or None,
        code_challenge_method=params.get("code_challenge_method") or None,
    )
    emu.state.codes[code.code] = code
    return redirect(params["redirect_uri"], {"code": code.code, "state": params.get("state")})


@route("GET", path="/oauth/authorize")
def authorize(emu: KakaoEmulator, req: Request) -> Response:
    """Start a login: show the consent page, or (auto-approve mode) answer with a code at once."""
    params = dict(req.query)
    try:
        app, scopes, prompts = _validate(emu, params)
    except _Stop as stop:
        return stop.response
    if "none" in prompts:
        return _prompt_none(emu, app, params, scopes)
    if emu.consent_page:
        session_user = emu.state.users.get(emu.session_user_id or 0)
        return _render(emu, app, params, scopes, session_user if "login" not in prompts else None)
    approval = emu.approval
    if approval.deny:
        return _back(params, "access_denied", "User denied access")
    user = emu.state.users.get(approval.user_id or emu.user.id)
    if user is None:
        return _back(params, "login_required", "user not found")
    asked = _items_to_ask(app, user, scopes)
    agreed = asked if approval.consents is None else [c for c in asked if c in approval.consents]
    return _issue_code(emu, app, user, params, scopes, agreed)


def _prompt_none(
    emu: KakaoEmulator, app: App, params: dict[str, str], scopes: list[str]
) -> Response:
    """``prompt=none``: no UI at all, so anything that needs the user is an error redirect."""
    user_id = emu.session_user_id if emu.consent_page else (emu.approval.user_id or emu.user.id)
    user = emu.state.users.get(user_id or 0)
    if user is None:
        return _back(params, "login_required", "user authentication required.")
    if app.app_id not in user.links or _items_to_ask(app, user, scopes):
        return _back(params, "consent_required", "user consent required.")
    return _issue_code(emu, app, user, params, scopes, [])


def _render(
    emu: KakaoEmulator,
    app: App,
    params: dict[str, str],
    scopes: list[str],
    user: User | None,
    message: str = "",
) -> Response:
    from jinja2 import Template

    items = [app.consent_items[i] for i in _items_to_ask(app, user, scopes)]
    if user is not None and not items:
        # Already linked and nothing new to agree to: Kakao answers with a code straight away.
        return _issue_code(emu, app, user, params, scopes, [])
    template = Template(_TEMPLATE.read_text("utf-8"), autoescape=True)
    page = template.render(
        app=app,
        items=items,
        hidden={k: params[k] for k in AUTHORIZE_PARAMS if params.get(k)},
        login_id=(user.login_id if user else None) or params.get("login_hint", ""),
        logged_in=user is not None,
        message=message,
    )
    return html(page)


@route("POST", path="/oauth/authorize/consent")
def consent(emu: KakaoEmulator, req: Request) -> Response:
    """The consent page's form: log in, tick items, Agree or Cancel."""
    params = {k: v for k, v in req.form.items() if k in AUTHORIZE_PARAMS}
    try:
        app, scopes, _ = _validate(emu, params)
    except _Stop as stop:
        return stop.response
    if req.form.get("action") != "agree":
        return _back(params, "access_denied", "User denied access")
    login_id = req.form.get("login_id", "")
    user = next(
        (u for u in emu.state.users.values() if u.login_id and u.login_id == login_id), None
    )
    if user is None or req.form.get("password") != user.password:
        return _render(emu, app, params, scopes, None, "Kakao account or password is incorrect.")
    emu.session_user_id = user.id
    asked = _items_to_ask(app, user, scopes)
    ticked = set(req.form_list("item"))
    agreed = [i for i in asked if i in ticked or app.consent_items[i].required]
    return _issue_code(emu, app, user, params, scopes, agreed)


@route("GET", path="/oauth/logout")
def logout(emu: KakaoEmulator, req: Request) -> Response:
    """Kakao-account logout: end the browser session, then go to the registered logout URI."""
    client_id = req.query.get("client_id", "")
    app = next((a for a in emu.state.apps.values() if a.client_id == client_id), None)
    if app is None:
        return error_page("KOE101", client_id=client_id or "null")
    target = req.query.get("logout_redirect_uri", "")
    if target not in app.logout_redirect_uris:
        return error_page("KOE007")
    emu.session_user_id = None
    return redirect(target, {"state": req.query.get("state")})


def _base_url(req: Request) -> str:
    return f"http://{req.headers.get('host', '127.0.0.1')}"


@route("GET", path="/.well-known/openid-configuration")
def openid_configuration(emu: KakaoEmulator, req: Request) -> Response:
    """Kakao's fixed discovery document, with this emulator's URLs and Kakao's issuer.

    Written out here rather than taken from ``authlib_kakao.core.endpoints``: the emulator states
    what Kakao publishes (its userinfo is ``/v1/oidc/userinfo``), independently of the client.
    """
    base = _base_url(req)
    document: dict[str, Any] = {
        "issuer": emu.config.issuer,
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


@route("GET", path="/.well-known/jwks.json")
def jwks(emu: KakaoEmulator, req: Request) -> Response:
    return json_response(emu.keys.jwks())


@route("POST", path="/oauth/tokeninfo")
def tokeninfo(emu: KakaoEmulator, req: Request) -> Response:
    """Debug-only id_token check: the payload, or KOE400."""
    claims = emu.keys.verify(req.form.get("id_token", ""))
    if claims is None:
        return kauth_error("KOE400", "invalid id_token signature")
    if int(claims.get("exp", 0)) <= emu.clock.now():
        return kauth_error("KOE400", "id_token expired")
    return json_response(claims)
