"""The emulator's framework-free request and response values.

Handlers are plain functions ``handler(backend, request) -> Response`` listed in ``routes.py``;
``app.py`` adapts them to ASGI. Kakao serves two hosts (kauth, kapi) whose paths never collide, so
the emulator serves both from one base URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

__all__ = ["Request", "Response", "html", "json_response", "redirect"]

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

    @property
    def cookies(self) -> dict[str, str]:
        """The ``Cookie`` header's pairs."""
        pairs = (part.strip().partition("=") for part in self.headers.get("cookie", "").split(";"))
        return {name: value for name, _, value in pairs if name}

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
        """Query and form parameters together (the form wins)."""
        return {**self.query, **self.form}


@dataclass
class Response:
    """A ready answer: status, headers and body bytes."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    drop: bool = False  # fault injection: close the connection without answering


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Compact UTF-8 JSON with Kakao's ``application/json;charset=UTF-8``."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, {"content-type": JSON_CONTENT_TYPE, **(headers or {})}, body)


def html(text: str, status: int = 200) -> Response:
    """An HTML page."""
    return Response(status, {"content-type": "text/html;charset=UTF-8"}, text.encode())


def redirect(url: str, params: Mapping[str, str | None] | None = None) -> Response:
    """A 302 to ``url`` with ``params`` (``None`` values dropped) appended to its query."""
    clean = {k: v for k, v in (params or {}).items() if v is not None}
    if clean:
        # Kakao encodes spaces as %20 (error_description=User%20denied%20access), not "+".
        url = f"{url}{'&' if '?' in url else '?'}{urlencode(clean, quote_via=quote)}"
    return Response(302, {"location": url}, b"")
