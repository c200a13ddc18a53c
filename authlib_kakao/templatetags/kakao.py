"""``{% load kakao %}`` then ``{% kakao_login_button href lang="en" label="short" %}``."""

from __future__ import annotations

from typing import Any

from django import template

from authlib_kakao.button import LoginButton, login_button

__all__ = ["kakao_login_button", "register"]

register = template.Library()


@register.simple_tag  # type: ignore[untyped-decorator]  # Django ships no type hints
def kakao_login_button(href: str, **options: Any) -> LoginButton:
    """Kakao's login button linking to ``href`` (see :func:`authlib_kakao.button.login_button`)."""
    return login_button(href, **options)
