"""The values the core exchanges with the transport: a request to send, a response received, a pause.

Flows (``core.flows``) yield :class:`HTTPRequest`, :class:`Sleep`, :class:`Emit` or :class:`KeySet`
and are sent :class:`HTTPResponse` (or the key set); the pumps in ``http.transport`` are the only
code that turns them into I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from authlib_kakao.errors import redact

__all__ = ["Auth", "Emit", "HTTPRequest", "HTTPResponse", "KeySet", "Sleep"]

_EXCERPT_CHARS = 120

Auth = Literal["bearer", "admin", "none"]
"""How a call authenticates: the user's access token, the app's admin key (``KakaoAK``), or not at all."""


@dataclass(frozen=True)
class HTTPRequest:
    """One request to Kakao, built by the core and sent unchanged by a pump.

    ``auth`` says which credential the sender adds: the bearer token comes from Authlib's session
    (which refreshes an expired one), so it is never part of the value; an admin key is already in
    ``headers``. The repr masks ``Authorization``.
    """

    method: str
    url: str
    auth: Auth = "none"
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The URL's path (no host, no query): what error messages show of the call."""
        return urlsplit(self.url).path or "/"

    def __repr__(self) -> str:
        headers = {
            k: ("***" if k.lower() == "authorization" else v) for k, v in self.headers.items()
        }
        return (
            f"HTTPRequest({self.method} {self.path}, auth={self.auth!r}, headers={headers!r}, "
            f"query={sorted(self.query)!r}, form={sorted(self.form)!r})"
        )


@dataclass(frozen=True)
class HTTPResponse:
    """The parts of an HTTP response the parsers need; built by the transport from requests/httpx."""

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""
    # How to find the credentials the request carried (bearer token, code, secret …), which
    # errors mask: read only when an error is raised, never on the way of a good answer.
    credentials_from: Callable[[], tuple[str, ...]] = field(
        default=tuple, repr=False, compare=False
    )

    @property
    def sent_credentials(self) -> tuple[str, ...]:
        """The credentials the request carried (bearer token, code, secret …)."""
        return self.credentials_from()

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status_code < 300

    def excerpt(self) -> str:
        """The start of the body on one line, credentials masked, for error messages.

        A token response cut short is still a token response: its ``access_token`` is masked.
        """
        text = self.content[:_EXCERPT_CHARS].decode("utf-8", "replace")
        text = redact(" ".join(text.split()))
        return text + ("…" if len(self.content) > _EXCERPT_CHARS else "")


@dataclass(frozen=True)
class Sleep:
    """A flow's request to wait ``seconds`` before its next request (rate-limit back-off)."""

    seconds: float


@dataclass(frozen=True)
class Emit:
    """A flow's result produced along the way (one user id of many): a streaming pump hands it to
    the caller at once, so a long walk runs in constant memory."""

    value: object


@dataclass(frozen=True)
class KeySet:
    """A flow's request for Kakao's key set that should hold ``kid``: the connection answers from
    its one JWKS cache, which alone decides whether that takes a request to Kakao."""

    kid: str
