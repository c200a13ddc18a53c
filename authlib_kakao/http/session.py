"""What our Authlib sessions (requests ``OAuth2Session``, httpx ``AsyncOAuth2Client``) add.

Authlib makes a session for every call. Each of ours is handed the app's connection
(:class:`~authlib_kakao.http.connection.KakaoConnection`, through the app's ``client_kwargs``): its
settings, its connection pool and its refresh coordination. The session then:

* reads every token response at ``parse_response_token`` (Authlib's seam for it): normalised
  (``core.tokens``), Kakao's errors raised as ours, an unrequested id_token dropped, and a refresh
  merged into the token it replaces (Kakao omits an unrotated refresh token);
* refreshes through the app's :class:`~authlib_kakao.refresh.Refresher` (one grant per storm);
* retries a safe call once after a refresh when Kakao answers -401 although the token's own expiry
  is still ahead (revoked elsewhere, rotated by another instance, clock skew);
* observes every call it sends (``http.observe``: one log record, one span).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from authlib_kakao.core.tokens import merge_refreshed_token, normalize_token_body
from authlib_kakao.errors import KakaoError
from authlib_kakao.http.transport import response_call, to_http_response
from authlib_kakao.refresh import Refresher
from authlib_kakao.settings import DEFAULT_MAX_RESPONSE_BYTES

if TYPE_CHECKING:
    from authlib_kakao.http.pool import ConnectionPool
    from authlib_kakao.settings import KakaoSettings

__all__ = ["STORED_TOKEN", "KakaoSessionMixin", "SessionContext"]

log = logging.getLogger("authlib_kakao")

STORED_TOKEN: ContextVar[Callable[[], Any] | None] = ContextVar("kakao_stored_token", default=None)
"""How the call in progress reads its token from the app's store (``fetch_token``), if it can; set
by the app around each call, read when a refresh must see what another process stored."""

_SAFE_TO_REPEAT = frozenset({"GET", "HEAD"})


class SessionContext(Protocol):
    """What a session is handed by the connection it sends for (``KakaoConnection``)."""

    settings: KakaoSettings
    pool: ConnectionPool
    refresher: Refresher | None


class KakaoSessionMixin:
    """Kakao's behaviour on Authlib's session classes (see the module docstring)."""

    token: Any
    metadata: dict[str, Any]
    kakao_shared: SessionContext | None = None

    @property
    def max_response_bytes(self) -> int:
        if self.kakao_shared is None:
            return DEFAULT_MAX_RESPONSE_BYTES
        return self.kakao_shared.settings.max_response_bytes

    def parse_response_token(self, resp: Any) -> Any:
        response = to_http_response(resp)
        try:
            token = normalize_token_body(response)
        except KakaoError as exc:
            # What this call sent, and the token it replaces: Kakao may echo either.
            held = self.token if isinstance(self.token, dict) else {}
            replaced = (held.get(k) for k in ("access_token", "refresh_token", "id_token"))
            exc.mask((*response.sent_credentials, *(v for v in replaced if isinstance(v, str))))
            call = response_call(resp)
            if call is not None:
                exc.at(*call)
            raise
        openid = self.kakao_shared.settings.openid if self.kakao_shared else True
        if not openid and token.pop("id_token", None) is not None:
            log.debug("dropped an id_token that was not requested (register_kakao(openid=False))")
        self.token = merge_refreshed_token(dict(self.token or {}), token)
        return self.token

    def _refresh_plan(self, refresh_token: str | None) -> tuple[dict[str, Any], Refresher | None]:
        """The token being replaced, and the app's refresher (``None``: Authlib's own refresh)."""
        old = dict(self.token or {})
        if refresh_token:
            old["refresh_token"] = refresh_token
        usable = self.kakao_shared is not None and bool(old.get("refresh_token"))
        return old, self.kakao_shared.refresher if usable and self.kakao_shared else None

    def _retry_after_refresh(self, request: Any, resp: Any) -> bool:
        """-401 on a safe bearer call while the token has not expired by its own clock."""
        if request.method not in _SAFE_TO_REPEAT or resp.status_code != 401:
            return False
        token = self.token or {}
        if not str(request.headers.get("Authorization", "")).startswith("Bearer "):
            return False
        expires_at = token.get("expires_at")
        if not token.get("refresh_token") or not isinstance(expires_at, (int, float)):
            return False
        if expires_at <= time.time():
            return False  # Authlib refreshed it before this call, or will before the next
        try:
            return bool(json.loads(resp.content).get("code") == -401)
        except (ValueError, AttributeError):
            return False

    def _bearer(self, request: Any) -> None:
        """Put the (refreshed) access token on ``request`` again."""
        request.headers["Authorization"] = f"Bearer {self.token['access_token']}"
