"""Every Kakao error code (reference §5): where it comes from, the exception it raises, what to do.

One table serves the exception mappers (``core.responses``), which hand each error its hint, and
the docs' error page (:func:`render_markdown`). The host column keeps kauth codes (``KOE…``),
redirect errors (``?error=access_denied``) and kapi codes (``-401``) apart: a code is only looked
up for the host that answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from authlib_kakao.errors import (
    APIRateLimitError,
    ConsentRequiredError,
    InvalidAccessTokenError,
    KakaoAPIError,
    KakaoAuthError,
    KakaoError,
    NotLinkedError,
    TokenRateLimitError,
)

__all__ = ["ERROR_CODES", "HTTP_429", "ErrorCode", "Host", "lookup", "render_markdown"]

HTTP_429 = "HTTP 429"
"""The table key for a 429 answer that carries no Kakao code."""


Host = Literal["kauth", "redirect", "kapi"]
"""Who sends the code: kauth's token/info endpoints, kauth's redirect back to the app, or kapi."""


@dataclass(frozen=True)
class ErrorCode:
    """One row: Kakao's code, its host, the exception class, its HTTP status and a one-line hint."""

    code: str
    host: Host
    exc: type[KakaoError]
    status: int | None
    hint: str


_A, _P = KakaoAuthError, KakaoAPIError
KAUTH: Host = "kauth"
REDIRECT: Host = "redirect"
KAPI: Host = "kapi"
_ROWS: tuple[tuple[str, Host, type[KakaoError], int | None, str], ...] = (
    # kauth (reference §5.1)
    ("KOE001", KAUTH, _A, 400, "The request is malformed: check the parameters against Kakao's REST API reference."),
    ("KOE002", KAUTH, _A, None, "The request went to a wrong URL: check kauth_url (default https://kauth.kakao.com)."),
    ("KOE003", KAUTH, _A, 500, "Kakao's login server had a temporary error: retry shortly."),
    ("KOE004", KAUTH, _A, None, "Kakao Login is off for this app: switch it on in [Kakao Login] > [General] (Activation)."),
    ("KOE005", KAUTH, _A, None, "The app is a test app and this user is not a team member: add them under [App] > [Members]."),
    ("KOE006", KAUTH, _A, 400, "The redirect_uri is not registered: add it exactly (scheme, host, port, path) under [Kakao Login] > [Redirect URI]."),
    ("KOE007", KAUTH, _A, 400, "The logout_redirect_uri is not registered: add it under [Kakao Login] > [Logout Redirect URI]."),
    ("KOE008", KAUTH, _A, None, "Wrong app key type for this flow: a server-side login must use the REST API key as client_id."),
    ("KOE009", KAUTH, _A, None, "The platform is not registered: add the site domain under [App] > [Platform] > [Web]."),
    ("KOE010", KAUTH, _A, 401, "Client secret missing or wrong: register_kakao sends it in the body; check KAKAO_CLIENT_SECRET against [Kakao Login] > [Security] > [Client Secret]."),
    ("KOE023", KAUTH, _A, None, "Kakao rejected the request for the key type or platform: check the app key and its platform settings."),
    ("KOE101", KAUTH, _A, 401, "Unknown client_id: use the app's REST API key from [App] > [App Keys] (and send it in the body, not via HTTP Basic)."),
    ("KOE102", KAUTH, _A, None, "channel_public_id needs the app linked to a Kakao Talk Channel: link one under [Kakao Talk Channel]."),
    ("KOE201", KAUTH, _A, 400, "Unsupported response_type: send response_type=code (Authlib's default; check authorize_params)."),
    ("KOE202", KAUTH, _A, 400, "Kakao does not support the implicit grant: use response_type=code (Authlib's default)."),
    ("KOE205", KAUTH, _A, 400, "A requested scope is not a consent item of this app: enable it under [Kakao Login] > [Consent Items] or drop it from scope=."),
    ("KOE237", KAUTH, TokenRateLimitError, 429, "Too many tokens issued for this user (20 per 10 min, 30 refreshes per hour): store and reuse tokens instead of logging in again."),
    ("KOE303", KAUTH, _A, 400, "redirect_uri at the token endpoint differs from the one used at /oauth/authorize: use the same URL for both."),
    ("KOE310", KAUTH, _A, None, "A redirect URI problem: check the registered Redirect URIs and the redirect_uri you send."),
    ("KOE319", KAUTH, _A, 400, "The refresh request carries no refresh_token: the stored token lost it; keep refresh_token from earlier responses."),
    ("KOE320", KAUTH, _A, 400, "The authorization code was already used, has expired or belongs to another app: start the login again (codes are single-use)."),
    ("KOE322", KAUTH, _A, 400, "The refresh token is expired, revoked (logout/unlink) or was replaced by a newer one: the user must log in again."),
    ("KOE400", KAUTH, _A, 400, "The id_token is invalid: verify id_tokens locally with the JWKS rather than /oauth/tokeninfo."),
    # errors Kakao redirects back to the app with (reference §1.2), keyed by the `error` value
    ("access_denied", REDIRECT, _A, None, "The user pressed Cancel on Kakao's consent screen: offer the login again."),
    ("consent_required", REDIRECT, _A, None, "prompt=none needs a user who already agreed to everything asked: start a normal login."),
    ("login_required", REDIRECT, _A, None, "prompt=none needs a user logged in to Kakao in this browser: start a normal login."),
    ("interaction_required", REDIRECT, _A, None, "prompt=none cannot finish without the user: start a normal login."),
    ("misconfigured", REDIRECT, _A, None, "The app's platform settings do not match the request: check [App] > [Platform] (site domain, key hash, bundle id)."),
    ("unauthorized_client", REDIRECT, _A, None, "The app or its developer account is sanctioned: contact Kakao's developer support."),
    # kapi (reference §5.2)
    ("-1", KAPI, _P, 400, "Kakao had an internal error: retry; for token_info do not log the user out because of it."),
    ("-2", KAPI, _P, 400, "A parameter is missing, malformed or of the wrong type: check the call's arguments."),
    ("-3", KAPI, _P, 403, "The feature is not enabled for this app, not allowed with an admin key, or the item is not revocable: check the app's settings."),
    ("-4", KAPI, _P, 403, "The user's Kakao Account is sanctioned or restricted from this action: the user must resolve it with Kakao."),
    ("-5", KAPI, _P, 403, "The app has no permission for this API: request it in the console."),
    ("-6", KAPI, _P, 403, "Kakao does not allow this action for this service: check the API's conditions in Kakao's docs."),
    ("-7", KAPI, _P, 400, "Kakao is under maintenance or had an internal issue: retry later."),
    ("-8", KAPI, _P, 400, "A request header is invalid: check the Authorization header form (Bearer <token> or KakaoAK <admin key>)."),
    ("-9", KAPI, _P, 400, "This API has been discontinued: move to its replacement in Kakao's docs."),
    ("-10", KAPI, APIRateLimitError, 400, "Quota or rate limit exceeded (e.g. /v1/user/ids: 100 calls per minute): slow down and retry later."),
    ("-11", KAPI, _P, 400, "The paid API's spending cap was reached: raise the cap in the console."),
    ("-12", KAPI, _P, 403, "The developer account or app is sanctioned: contact Kakao's developer support."),
    ("-13", KAPI, _P, None, "The app is suspended after long inactivity: reactivate it in the Kakao Developers console."),
    ("-101", KAPI, NotLinkedError, 400, "The user is not linked to this app (unlinked or never signed up): send them through login again."),
    ("-102", KAPI, _P, 400, "The user is already registered (linked) to this app: no signup call is needed."),
    ("-103", KAPI, _P, 400, "The Kakao Account is dormant or does not exist: the user must reactivate it (log in to Kakao) first."),
    ("-201", KAPI, _P, 400, "A user property key is not registered: add it under [Kakao Login] > [User Properties]."),
    ("-301", KAPI, _P, None, "The app does not exist or the app key is not registered: check the app key."),
    ("-401", KAPI, InvalidAccessTokenError, 401, "The access token (or admin key) is invalid or expired: refresh the token, or log the user in again."),
    ("-402", KAPI, ConsentRequiredError, 403, "The user has not agreed to a needed consent item: ask for error.required_scopes with additional consent."),
    ("-405", KAPI, _P, None, "The app's age limit requires age verification: have the user verify their age with Kakao, then retry."),
    ("-406", KAPI, _P, 401, "The user is under 14 and the app does not allow it: adjust the age setting in the console or refuse the user."),
    # -421..-481: Kakao Certificate signing and age verification (iOS SDK ApiFailureReason)
    ("-421", KAPI, _P, None, "The user has not finished signing with Kakao Certificate: wait for the signature, then retry."),
    ("-422", KAPI, _P, None, "The signature was not completed in time: start the Kakao Certificate request again."),
    ("-423", KAPI, _P, None, "The signing transaction has expired: start the Kakao Certificate request again."),
    ("-451", KAPI, _P, None, "The user is under 14 and the app does not allow it: adjust the age setting in the console or refuse the user."),
    ("-452", KAPI, _P, None, "The user's age is already verified: no verification call is needed."),
    ("-453", KAPI, _P, None, "Too many age verification attempts: let the user try again later."),
    ("-480", KAPI, _P, None, "The age verification result differs from the earlier one: the user must verify again with the same identity."),
    ("-481", KAPI, _P, None, "The identity (CI) differs from the one on record: the user verified as someone else."),
    ("-501", KAPI, _P, 400, "The user is not a Kakao Talk user: Talk APIs cannot be used for them."),
    # -502..-532: Kakao Talk messages (Flutter/iOS SDK enums)
    ("-502", KAPI, _P, None, "The receiver is not the sender's friend: Talk messages go only to friends (check the friends list first)."),
    ("-504", KAPI, _P, None, "The receiver's device cannot show this message: nothing to fix on your side."),
    ("-530", KAPI, _P, None, "The receiver turned off messages from apps: do not retry; use another channel."),
    ("-531", KAPI, _P, None, "The sender's monthly message quota for this receiver is used up: try again next month."),
    ("-532", KAPI, _P, None, "The sender's daily message quota is used up: try again tomorrow."),
    ("-602", KAPI, _P, 400, "The uploaded image is too large: resize or compress it and upload again."),
    ("-603", KAPI, _P, 400, "The image upload timed out: retry with a smaller file."),
    ("-606", KAPI, _P, 400, "Too many images uploaded at once: upload fewer images per request."),
    ("-819", KAPI, _P, 400, "No Kakao Talk Channel is linked to the app: link one under [Kakao Talk Channel] before asking for relationships."),
    ("-903", KAPI, _P, 400, "The developer key is not registered: check the app key."),
    ("-911", KAPI, _P, 400, "The image upload failed (unsupported file or upload error): check the file and retry."),
    ("-9798", KAPI, _P, 503, "Kakao's service is under maintenance: retry later."),
    # no Kakao code at all: a throttling proxy or gateway answered 429
    (HTTP_429, KAPI, APIRateLimitError, 429, "Too many requests (HTTP 429 without a Kakao code): slow down and retry later."),
)  # fmt: skip

ERROR_CODES: dict[str, ErrorCode] = {row[0]: ErrorCode(*row) for row in _ROWS}


def lookup(code: object, *hosts: Host) -> ErrorCode | None:
    """The row for ``code`` when one of ``hosts`` sends it; ``None`` for unknown codes."""
    row = ERROR_CODES.get(str(code)) if code is not None else None
    return row if row is not None and row.host in hosts else None


def render_markdown() -> str:
    """The docs' error reference: one Markdown table row per code."""
    lines = ["| Code | From | HTTP | Exception | What to do |", "|---|---|---|---|---|"]
    for row in ERROR_CODES.values():
        status = str(row.status) if row.status is not None else "—"
        hint = row.hint.replace("|", "\\|")
        lines.append(f"| `{row.code}` | {row.host} | {status} | `{row.exc.__name__}` | {hint} |")
    return "\n".join(lines) + "\n"
