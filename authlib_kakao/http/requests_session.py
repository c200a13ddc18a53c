"""The requests session behind Kakao's Flask and Django apps: pooled, bounded, one refresh per storm.

requests' ``timeout`` bounds each socket operation, not the call: a server sending one byte every
0.9 s holds a ``timeout=1`` call for as long as it likes. Here the timeout is a deadline for the
whole call (connect, TLS, send, headers and the whole body), kept in the calling thread: the
call's sockets are cut by a watchdog at its deadline (``http.deadline``), so no call waits on a
worker thread and none outlives its deadline. The body is read raw and decoded by
:class:`~authlib_kakao.http.limits.BodyReader`, refused past ``max_response_bytes``. Connections come
from the app's :class:`~authlib_kakao.http.pool.ConnectionPool`.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.requests_client import OAuth2Session

from authlib_kakao.http.deadline import deadline
from authlib_kakao.http.limits import ACCEPT_ENCODING, BodyReader, deadline_of, timed_out
from authlib_kakao.http.observe import ATTEMPT, Observation
from authlib_kakao.http.pool import ConnectionPool
from authlib_kakao.http.session import STORED_TOKEN, KakaoSessionMixin, SessionContext

__all__ = ["KakaoOAuth2Session"]


class KakaoOAuth2Session(KakaoSessionMixin, OAuth2Session):  # type: ignore[misc]  # Authlib: untyped
    """Authlib's requests ``OAuth2Session`` with Kakao's behaviour, every call bounded."""

    def __init__(
        self, *args: Any, kakao_shared: SessionContext | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kakao_shared = kakao_shared
        self.headers["Accept-Encoding"] = ACCEPT_ENCODING
        if kakao_shared is not None:
            kakao_shared.pool.mount(self)
        else:  # a session of its own: its own adapter, whose sockets a deadline can cut
            ConnectionPool({}).mount(self)

    def refresh_token(self, url: Any = None, refresh_token: Any = None, **kwargs: Any) -> Any:
        parent = super().refresh_token
        old, refresher = self._refresh_plan(refresh_token)
        if refresher is None:
            return parent(url, refresh_token=refresh_token, **kwargs)
        self.token = refresher.refresh(
            old,
            lambda: dict(parent(url, refresh_token=old["refresh_token"], **kwargs)),
            STORED_TOKEN.get(),
        )
        return self.token

    def send(self, request: Any, **kwargs: Any) -> Any:
        attempt = ATTEMPT.get()
        resp = self._send_observed(request, dict(kwargs), attempt)
        if self._retry_after_refresh(request, resp):
            self.refresh_token(self.metadata.get("token_endpoint"))
            self._bearer(request)
            resp = self._send_observed(request, dict(kwargs), attempt + 1)
        return resp

    def _send_observed(self, request: Any, kwargs: dict[str, Any], attempt: int) -> Any:
        observation = Observation(request.method, request.url, attempt)
        try:
            resp = self._send_bounded(request, kwargs)
        except BaseException as exc:
            observation.failed(exc)
            raise
        observation.answered(resp.status_code, b"" if kwargs.get("stream") else resp.content)
        return resp

    def _send_bounded(self, request: Any, kwargs: dict[str, Any]) -> Any:
        seconds = deadline_of(kwargs.get("timeout"))
        if seconds is None:
            return self._send_capped(request, kwargs)
        with deadline(seconds) as call:
            kwargs["_until"] = call.until
            try:
                resp = self._send_capped(request, kwargs)
            except Exception:
                if call.expired:  # the watchdog cut the call's socket at its deadline
                    raise timed_out(seconds) from None
                raise
            if call.expired:
                # A cut can also end a header or a body early and look like an answer.
                raise timed_out(seconds)
            return resp

    def _send_capped(self, request: Any, kwargs: dict[str, Any]) -> Any:
        until = kwargs.pop("_until", None)
        wanted_stream = kwargs.pop("stream", False)
        resp = super().send(request, stream=True, **kwargs)
        if wanted_stream:
            return resp
        try:
            reader = BodyReader(resp.headers, self.max_response_bytes, until)
            for chunk in resp.raw.stream(65536, decode_content=False):
                reader.feed(chunk)
            # requests has no public way to hand over a body read elsewhere; these two attributes
            # are what its own Response.content sets.
            resp._content = reader.body()
            resp._content_consumed = True
        finally:
            resp.close()
        return resp
