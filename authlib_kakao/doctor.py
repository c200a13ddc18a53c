"""``authlib-kakao doctor``: check a Kakao configuration before the first login does.

Each finding names what is wrong (or worth a look), why it fails on Kakao (with the KOE code a user
would see) and the console path that fixes it. The checks are pure functions of a
:class:`Configuration`, read from the environment or from a settings module, so they are tested as
a table.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from authlib_kakao.core.consent_items import items_needing_review
from authlib_kakao.core.scopes import scope_items

__all__ = ["Configuration", "Finding", "check", "from_environment", "from_settings", "render"]

Level = Literal["ok", "warning", "error"]
_APP_KEY = re.compile(r"[0-9a-f]{32}")
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1")


@dataclass(frozen=True)
class Configuration:
    """What the doctor can see of an app's Kakao settings."""

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    admin_key: str | None = field(default=None, repr=False)
    javascript_key: str | None = None
    native_key: str | None = None
    redirect_uris: tuple[str, ...] = ()
    scope: str | None = None
    openid: bool = False
    source: str = "the environment"


@dataclass(frozen=True)
class Finding:
    """One result: its level, what it says, and where in Kakao's console to fix it."""

    level: Level
    message: str
    fix: str = ""


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def from_environment(environ: Mapping[str, str] | None = None) -> Configuration:
    """``KAKAO_CLIENT_ID``, ``KAKAO_CLIENT_SECRET``, ``KAKAO_ADMIN_KEY``, ``KAKAO_JAVASCRIPT_KEY``,
    ``KAKAO_NATIVE_APP_KEY``, ``KAKAO_REDIRECT_URI`` (comma-separated for several),
    ``KAKAO_SCOPE`` and ``KAKAO_OPENID``."""
    env = os.environ if environ is None else environ
    uris = tuple(u.strip() for u in env.get("KAKAO_REDIRECT_URI", "").split(",") if u.strip())
    return Configuration(
        client_id=env.get("KAKAO_CLIENT_ID") or None,
        client_secret=env.get("KAKAO_CLIENT_SECRET") or None,
        admin_key=env.get("KAKAO_ADMIN_KEY") or None,
        javascript_key=env.get("KAKAO_JAVASCRIPT_KEY") or None,
        native_key=env.get("KAKAO_NATIVE_APP_KEY") or None,
        redirect_uris=uris,
        scope=env.get("KAKAO_SCOPE") or None,
        openid=_truthy(env.get("KAKAO_OPENID")),
    )


def from_settings(module_name: str, name: str = "kakao") -> Configuration:
    """A Flask config module (``KAKAO_CLIENT_ID``, ``KAKAO_CLIENT_KWARGS`` …) or Django settings
    (``AUTHLIB_OAUTH_CLIENTS["kakao"]``, plus any ``KAKAO_ADMIN_KEY`` …), imported by name."""
    values = vars(importlib.import_module(module_name))
    prefix = f"{name.upper()}_"
    found = from_environment({
        "KAKAO_" + key[len(prefix):]: str(value)
        for key, value in values.items()
        if key.startswith(prefix) and value and not isinstance(value, Mapping)
    })  # fmt: skip
    clients = values.get("AUTHLIB_OAUTH_CLIENTS")
    entry = clients.get(name) if isinstance(clients, Mapping) else None
    if isinstance(entry, Mapping):
        source = f"{module_name}.AUTHLIB_OAUTH_CLIENTS[{name!r}]"
    else:
        # Flask: Authlib reads the scope from KAKAO_CLIENT_KWARGS.
        entry, source = {"client_kwargs": values.get(f"{prefix}CLIENT_KWARGS")}, module_name
    kwargs = entry.get("client_kwargs")
    scope = kwargs.get("scope") if isinstance(kwargs, Mapping) else None
    return replace(
        found,
        client_id=entry.get("client_id") or found.client_id,
        client_secret=entry.get("client_secret") or found.client_secret,
        scope=found.scope or scope,
        source=source,
    )


def _key_findings(config: Configuration) -> list[Finding]:
    findings: list[Finding] = []
    if not config.client_id:
        return [
            Finding(
                "error",
                f"no client_id in {config.source}: every login fails with KOE101",
                "Copy the REST API key from [App] > [App Keys] into KAKAO_CLIENT_ID.",
            )
        ]
    keys = {"client_id": config.client_id, "admin key": config.admin_key,
            "JavaScript key": config.javascript_key, "native app key": config.native_key}  # fmt: skip
    for label, value in keys.items():
        if value and not _APP_KEY.fullmatch(value):
            findings.append(Finding(
                "warning", f"the {label} does not look like a Kakao app key (32 hex characters)",
                "Copy it again from [App] > [App Keys]; watch for spaces and quotes.",
            ))  # fmt: skip
    for label in ("admin key", "JavaScript key", "native app key"):
        if keys[label] and keys[label] == config.client_id:
            fails = "KOE008/KOE101" if label != "admin key" else "KOE101"
            findings.append(Finding(
                "error", f"client_id is the {label}, not the REST API key: logins fail with {fails}",
                "Use the REST API key from [App] > [App Keys] as client_id.",
            ))  # fmt: skip
    if not findings:
        findings.append(Finding("ok", "client_id looks like a Kakao app key"))
    return findings


def _secret_findings(config: Configuration) -> list[Finding]:
    if config.client_secret:
        return [Finding(
            "ok", "a client secret is set: register_kakao sends it in the form body",
            "Check it equals [Kakao Login] > [Security] > [Client Secret] and that the switch is ON; "
            "a wrong one fails with KOE010.",
        )]  # fmt: skip
    return [Finding(
        "warning", "no client secret: fine only while [Client Secret] is OFF in the console",
        "If [Kakao Login] > [Security] > [Client Secret] is ON, set KAKAO_CLIENT_SECRET, or every "
        "login fails with KOE010.",
    )]  # fmt: skip


def _redirect_findings(config: Configuration) -> list[Finding]:
    if not config.redirect_uris:
        return [Finding(
            "warning", "no redirect URI given (KAKAO_REDIRECT_URI): cannot check it",
            "Register your callback's exact URL under [Kakao Login] > [Redirect URI] (KOE006 if "
            "not; KOE303 if the token request sends another).",
        )]  # fmt: skip
    findings: list[Finding] = []
    for uri in config.redirect_uris:
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            findings.append(Finding("error", f"{uri!r} is not an absolute http(s) URL",
                                    "Use the full URL, as the browser sees it."))  # fmt: skip
            continue
        if parts.fragment:
            findings.append(Finding("error", f"{uri!r} has a #fragment, which OAuth forbids",
                                    "Drop the fragment."))  # fmt: skip
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            findings.append(Finding(
                "warning", f"{uri!r} is plain http on a public host",
                "Use https in production. Behind a proxy, make your framework build https URLs "
                "(Flask: ProxyFix; Django: SECURE_PROXY_SSL_HEADER; uvicorn: --forwarded-allow-ips) "
                "or the redirect_uri sent will not match the registered one (KOE006/KOE303).",
            ))  # fmt: skip
        else:
            findings.append(Finding(
                "ok", f"register exactly {uri} under [Kakao Login] > [Redirect URI]",
                "Scheme, host, port and path must match character for character.",
            ))  # fmt: skip
    return findings


def _scope_findings(config: Configuration) -> list[Finding]:
    if config.scope is None:
        return [Finding("ok", "no scope set: Kakao asks for the consent items set in its console")]
    gated = items_needing_review(scope_items(config.scope) or [])
    if not gated:
        return [Finding("ok", "no scope needs a Biz app or Kakao's review")]
    needs = {"biz": "a Biz app", "review": "a Biz app and review", "partner": "a partner contract"}
    return [
        Finding(
            "warning",
            f"scope asks for {item.id} ({item.display_name}), which needs {needs[item.access]}",
            "Enable it under [Kakao Login] > [Consent Items] (after [App] > [Business] "
            "verification), or drop it from scope: otherwise every login fails with KOE205.",
        )
        for item in gated
    ]


def _oidc_findings(config: Configuration) -> list[Finding]:
    if not config.openid:
        return []
    return [Finding(
        "ok", "register_kakao(openid=True): check OpenID Connect is ON",
        "[Kakao Login] > [OpenID Connect] must be ON, or Kakao sends no id_token and "
        "authlib-kakao refuses the login (InvalidIDTokenError).",
    )]  # fmt: skip


def check(config: Configuration) -> list[Finding]:
    """Every finding for ``config``, in the order a login meets them."""
    return [
        *_key_findings(config),
        *_secret_findings(config),
        *_redirect_findings(config),
        *_scope_findings(config),
        *_oidc_findings(config),
    ]


_MARK = {"ok": "ok  ", "warning": "warn", "error": "FAIL"}


def render(findings: list[Finding]) -> str:
    """The findings as lines for a terminal (the fix indented under each)."""
    lines: list[str] = []
    for finding in findings:
        lines.append(f"[{_MARK[finding.level]}] {finding.message}")
        if finding.fix:
            lines.append(f"       {finding.fix}")
    return "\n".join(lines)
