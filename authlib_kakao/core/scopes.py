"""Kakao scopes in every shape they come in: Kakao's spaces, its docs' commas, or a list."""

from __future__ import annotations

__all__ = ["scope_items", "with_openid"]


def scope_items(value: object) -> list[str] | None:
    """The scope names in ``value`` (a string split on commas and spaces, or a list of strings).

    Non-string list items and blanks are dropped; ``None`` when ``value`` is neither a string nor
    a list (so a caller can tell "no scope" from "an empty scope").
    """
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if isinstance(value, (list, tuple)):
        return [item.strip() for item in value if isinstance(item, str) and item.strip()]
    return None


def with_openid(value: object) -> str:
    """``value`` as a space-separated scope that includes ``openid`` (first when added)."""
    items = scope_items(value) or []
    return " ".join(items if "openid" in items else ["openid", *items])
