"""The emulator's route table, written out like moto's ``urls.py``: (method, path) → handler.

Every Kakao endpoint the emulator serves and its ``/_emulator/`` control plane, in one literal table;
``app.py`` looks each request up here. A handler is ``handler(backend, request) -> Response`` and
may raise :class:`~authlib_kakao.testing.wire_errors.WireError` to answer a Kakao error instead.
"""

from __future__ import annotations

from collections.abc import Callable

from authlib_kakao.testing import control, control_events, kapi, kauth
from authlib_kakao.testing.backend import KakaoBackend
from authlib_kakao.testing.exchange import Request, Response

__all__ = ["BLOCKING_ROUTES", "CONTROL_PREFIX", "ROUTES", "Handler", "is_kauth"]

Handler = Callable[[KakaoBackend, Request], Response]

CONTROL_PREFIX = control.CONTROL_PREFIX

ROUTES: dict[tuple[str, str], Handler] = {
    # kauth (reference §1-§3)
    ("GET", "/oauth/authorize"): kauth.authorize,
    ("POST", "/oauth/authorize/consent"): kauth.consent,
    ("POST", "/oauth/token"): kauth.token,
    ("GET", "/oauth/logout"): kauth.logout,
    ("POST", "/oauth/tokeninfo"): kauth.tokeninfo,
    ("GET", "/.well-known/openid-configuration"): kauth.openid_configuration,
    ("GET", "/.well-known/jwks.json"): kauth.jwks,
    ("GET", "/.well-known/sse-configuration"): kauth.sse_configuration,
    # kapi: the signed-in user (§3.5, §4)
    ("GET", "/v2/user/me"): kapi.user_me,
    ("POST", "/v2/user/me"): kapi.user_me,
    ("GET", "/v1/user/access_token_info"): kapi.access_token_info,
    ("POST", "/v1/user/logout"): kapi.logout,
    ("POST", "/v1/user/unlink"): kapi.unlink,
    ("POST", "/v1/user/update_profile"): kapi.update_profile,
    ("POST", "/v1/user/signup"): kapi.signup,
    ("GET", "/v1/oidc/userinfo"): kapi.oidc_userinfo,
    ("POST", "/v1/oidc/userinfo"): kapi.oidc_userinfo,
    # kapi: consents, service terms, shipping addresses (§4)
    ("GET", "/v2/user/scopes"): kapi.scopes,
    ("POST", "/v2/user/revoke/scopes"): kapi.revoke_scopes,
    ("GET", "/v2/user/service_terms"): kapi.service_terms,
    ("POST", "/v2/user/revoke/service_terms"): kapi.revoke_service_terms,
    ("POST", "/v2/user/upgrade/service_terms"): kapi.upgrade_service_terms,
    ("GET", "/v1/user/shipping_address"): kapi.shipping_address,
    # kapi: Kakao Talk Channel relationships (talk_channels.py)
    ("GET", "/v1/api/talk/channels"): kapi.channels_v1,
    ("GET", "/v2/api/talk/channels"): kapi.channels_v2,
    # kapi: admin key only (§4, §7)
    ("GET", "/v1/user/ids"): kapi.user_ids,
    ("GET", "/v2/app/users"): kapi.app_users,
    # the control plane: never logged, never faulted
    ("GET", f"{CONTROL_PREFIX}/state"): control.describe,
    ("POST", f"{CONTROL_PREFIX}/reset"): control.reset,
    ("PATCH", f"{CONTROL_PREFIX}/config"): control.update_config,
    ("GET", f"{CONTROL_PREFIX}/apps"): control.list_apps,
    ("POST", f"{CONTROL_PREFIX}/apps"): control.add_app,
    ("PATCH", f"{CONTROL_PREFIX}/app"): control.update_app,
    ("POST", f"{CONTROL_PREFIX}/app/redirect_uris"): control.add_redirect_uri,
    ("POST", f"{CONTROL_PREFIX}/app/talk_channels"): control.link_talk_channel,
    ("POST", f"{CONTROL_PREFIX}/users"): control.add_user,
    ("POST", f"{CONTROL_PREFIX}/links"): control.link,
    ("DELETE", f"{CONTROL_PREFIX}/links"): control.unlink,
    ("POST", f"{CONTROL_PREFIX}/channel_relations"): control.set_channel_relation,
    ("POST", f"{CONTROL_PREFIX}/approve"): control.approve,
    ("POST", f"{CONTROL_PREFIX}/sessions"): control.start_session,
    ("POST", f"{CONTROL_PREFIX}/tokens"): control.issue_tokens,
    # Kakao-side changes and the webhooks / security events they send (§6)
    ("POST", f"{CONTROL_PREFIX}/unlink_from_kakao"): control_events.unlink_from_kakao,
    ("POST", f"{CONTROL_PREFIX}/accounts/delete"): control_events.delete_account,
    ("POST", f"{CONTROL_PREFIX}/accounts/disable"): control_events.disable_account,
    ("POST", f"{CONTROL_PREFIX}/accounts/enable"): control_events.enable_account,
    ("POST", f"{CONTROL_PREFIX}/accounts/revoke_tokens"): control_events.revoke_tokens,
    ("POST", f"{CONTROL_PREFIX}/accounts/withdraw_scopes"): control_events.withdraw_scopes,
    ("POST", f"{CONTROL_PREFIX}/security_events"): control_events.send_security_event,
    ("POST", f"{CONTROL_PREFIX}/security_events/redeliver"): control_events.redeliver,
    ("GET", f"{CONTROL_PREFIX}/webhooks"): control_events.webhook_deliveries,
    ("GET", f"{CONTROL_PREFIX}/webhooks/paused"): control_events.list_paused,
    ("POST", f"{CONTROL_PREFIX}/webhooks/resume"): control_events.resume_webhook,
    ("POST", f"{CONTROL_PREFIX}/clock/advance"): control.advance_clock,
    ("POST", f"{CONTROL_PREFIX}/clock/freeze"): control.freeze_clock,
    ("POST", f"{CONTROL_PREFIX}/clock/unfreeze"): control.unfreeze_clock,
    ("POST", f"{CONTROL_PREFIX}/faults"): control.add_fault,
    ("DELETE", f"{CONTROL_PREFIX}/faults"): control.clear_faults,
    ("GET", f"{CONTROL_PREFIX}/log"): control.request_log,
    ("DELETE", f"{CONTROL_PREFIX}/log"): control.clear_log,
    ("POST", f"{CONTROL_PREFIX}/keys/rotate"): control.rotate_keys,
    ("GET", f"{CONTROL_PREFIX}/callback"): control.callback,
}

# Handlers that may block (waiting for a webhook sent from another thread): served off the
# event loop, so the server keeps answering meanwhile.
BLOCKING_ROUTES = frozenset({("GET", f"{CONTROL_PREFIX}/webhooks")})


def is_kauth(path: str) -> bool:
    """kauth paths get kauth-shaped errors (``{error, error_description, error_code}``)."""
    return path.startswith(("/oauth/", "/.well-known/"))
