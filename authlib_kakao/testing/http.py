"""The emulator's framework-free request and response values, and the route table they meet in.

Handlers are plain functions ``handler(emulator, request) -> Response``; ``kauth.py`` and ``kapi.py``
register theirs with :func:`route`, ``app.py`` adapts the table to ASGI. Kakao serves two hosts
(kauth, kapi) whose paths never collide, so the emulator serves both from one base URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

if TYPE_CHECKING:
    from authlib_kakao.testing.emulator import KakaoEmulator

__all__ = ["ROUTES", "Request", "Response", "Route", "html", "json_response", "redirect", "route"]

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


@dataclass(frozen=True)
class Request:
    """One HTTP request as the emulator sees it."""

    method: str
    path: str
    query: Mapping[str, str] = field(default_factory=dict)
    form: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    form_pairs: tuple[tuple[str, str], ...] = ()  # every form field, repeated names included

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        *,
        query_string: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Request:
        """Parse the raw parts; a form body is decoded when the content type says so."""
        lower = {k.lower(): v for k, v in (headers or {}).items()}
        pairs: list[tuple[str, str]] = []
        if "application/x-www-form-urlencoded" in lower.get("content-type", ""):
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        return cls(method.upper(), path, query, dict(pairs), lower, body, tuple(pairs))

    def form_list(self, name: str) -> list[str]:
        """Every value of a repeated form field (checkboxes)."""
        return [value for key, value in self.form_pairs if key == name]

    def param(self, name: str, default: str | None = None) -> str | None:
        """A parameter from the form body, else the query string (Kakao accepts both on POST)."""
        if name in self.form:
            return self.form[name]
        return self.query.get(name, default)

    @property
    def params(self) -> dict[str, str]:
        return {**self.query, **self.form}


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False  # fault injection: close the connection without answering


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, {"content-type": JSON_CONTENT_TYPE, **(headers or {})}, body)


def html(text: str, status: int = 200) -> Response:
    return Response(status, {"content-type": "text/html;charset=UTF-8"}, text.encode())


def redirect(url: str, params: Mapping[str, str | None] | None = None) -> Response:
    """A 302 to ``url`` with ``params`` (``None`` values dropped) appended to its query."""
    clean = {k: v for k, v in (params or {}).items() if v is not None}
    if clean:
        url = f"{url}{'&' if '?' in url else '?'}{urlencode(clean)}"
    return Response(302, {"location": url}, b"")


Handler = Callable[["KakaoEmulator", Request], Response]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler


# (method, path) -> Route. Filled at import time of kauth.py, kapi.py and control.py.
ROUTES: dict[tuple[str, str], Route] = {}


def route(*methods: str, path: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``path`` under each of ``methods``."""

    def register(handler: Handler) -> Handler:
        for method in methods:
            ROUTES[(method, path)] = Route(method, path, handler)
        return handler

    return register
