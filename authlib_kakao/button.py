"""The Kakao Login button, as Kakao's design guide draws it, for any template.

``login_button(href)`` returns HTML (safe in Jinja2 and Django templates: it has ``__html__``) with
an inline SVG of Kakao's speech-bubble symbol: container ``#FEE500``, symbol ``#000000``, label black
at 85 % opacity, 12 px corner radius (reference §8). Labels: 카카오 로그인 / Login with Kakao, short
로그인 / Login, and Kakao Sync's 카카오로 시작하기 / Start with Kakao.

Template helpers: :func:`register_jinja` adds a ``kakao_login_button`` global to a Jinja2
environment (Flask: ``register_jinja(app.jinja_env)``); Django gets ``{% load kakao %}`` with
``{% kakao_login_button href %}`` from ``authlib_kakao.templatetags``.
"""

from __future__ import annotations

from html import escape
from typing import Any, Literal

__all__ = ["LABELS", "SIZES", "LoginButton", "login_button", "register_jinja"]

Lang = Literal["ko", "en"]
Label = Literal["full", "short", "start"]
Size = Literal["medium", "large"]

LABELS: dict[tuple[Label, Lang], str] = {
    ("full", "ko"): "카카오 로그인",
    ("full", "en"): "Login with Kakao",
    ("short", "ko"): "로그인",
    ("short", "en"): "Login",
    ("start", "ko"): "카카오로 시작하기",  # Kakao Sync: sign-up and login in one step
    ("start", "en"): "Start with Kakao",
}
# (height px, label font px, symbol px): the whole button scales proportionally (§8).
SIZES: dict[Size, tuple[int, int, int]] = {"medium": (45, 15, 18), "large": (54, 18, 22)}

CONTAINER = "#FEE500"
SYMBOL = "#000000"
LABEL = "rgba(0,0,0,0.85)"
RADIUS_PX = 12

# Kakao's speech bubble: a rounded bubble with a tail at the lower left, on an 18x18 grid.
_BUBBLE = (
    "M9 1.5C4.58 1.5 1 4.33 1 7.82c0 2.26 1.5 4.24 3.76 5.36-.17.62-.6 2.24-.69 2.59-.11.43.16.42"
    ".33.31.14-.09 2.17-1.47 3.05-2.07.5.07 1.02.11 1.55.11 4.42 0 8-2.83 8-6.3S13.42 1.5 9 1.5z"
)


class LoginButton(str):
    """The button's HTML: a ``str`` that templates render unescaped (``__html__``)."""

    def __html__(self) -> str:
        return str(self)


def login_button(
    href: str,
    *,
    lang: Lang = "ko",
    label: Label = "full",
    size: Size = "medium",
    width: int | None = None,
) -> LoginButton:
    """A Kakao Login button linking to ``href`` (your ``/login`` route).

    Args:
        lang: ``"ko"`` (카카오 로그인) or ``"en"`` (Login with Kakao).
        label: ``"full"``, ``"short"`` (로그인 / Login) or ``"start"`` (Kakao Sync's
            카카오로 시작하기 / Start with Kakao).
        size: ``"medium"`` or ``"large"`` (the whole button scales).
        width: a wider button in px: the container widens, the symbol and label stay as they are.
    """
    text = LABELS.get((label, lang))
    dims = SIZES.get(size)
    if text is None or dims is None:
        raise ValueError(f"no Kakao button for lang={lang!r}, label={label!r}, size={size!r}")
    height, font, symbol = dims
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or width <= 0):
        raise ValueError(f"width must be a positive number of pixels, not {width!r}")
    sizing = f"width:{width}px;" if width else f"padding:0 {height // 2}px;"
    style = (
        f"display:inline-flex;align-items:center;justify-content:center;gap:{font // 2}px;"
        f"box-sizing:border-box;height:{height}px;{sizing}background:{CONTAINER};"
        f"border-radius:{RADIUS_PX}px;color:{LABEL};font:500 {font}px/1 system-ui,-apple-system,"
        f"'Apple SD Gothic Neo','Malgun Gothic','Noto Sans CJK KR',sans-serif;"
        f"text-decoration:none;white-space:nowrap"
    )
    svg = (
        f'<svg width="{symbol}" height="{symbol}" viewBox="0 0 18 18" aria-hidden="true" '
        f'focusable="false"><path fill="{SYMBOL}" d="{_BUBBLE}"/></svg>'
    )
    return LoginButton(
        f'<a class="kakao-login-button" href="{escape(href, quote=True)}" style="{style}" '
        f'lang="{lang}">{svg}<span>{escape(text)}</span></a>'
    )


def register_jinja(environment: Any) -> None:
    """Add ``kakao_login_button(href, ...)`` to a Jinja2 environment's globals."""
    environment.globals["kakao_login_button"] = login_button
