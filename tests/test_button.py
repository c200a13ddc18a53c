"""The login button follows Kakao's design guide and is safe in Jinja2 and Django templates."""

from __future__ import annotations

import re

import pytest

from authlib_kakao.button import login_button, register_jinja


def test_the_design_guides_colours_radius_and_symbol() -> None:
    html = login_button("/login")

    assert "background:#FEE500" in html
    assert "color:rgba(0,0,0,0.85)" in html
    assert "border-radius:12px" in html
    assert re.search(r'<svg [^>]*><path fill="#000000" d="M9 1\.5', html)
    assert html.startswith('<a class="kakao-login-button" href="/login"')


@pytest.mark.parametrize(
    ("label", "lang", "text"),
    [("full", "ko", "카카오 로그인"), ("full", "en", "Login with Kakao"), ("short", "ko", "로그인"),
     ("short", "en", "Login"), ("start", "ko", "카카오로 시작하기"), ("start", "en", "Start with Kakao")],
)  # fmt: skip
def test_every_label(label: str, lang: str, text: str) -> None:
    html = login_button("/login", label=label, lang=lang)  # type: ignore[arg-type]

    assert f"<span>{text}</span>" in html
    assert f'lang="{lang}"' in html


def test_large_scales_the_whole_button_and_width_widens_only_the_container() -> None:
    medium, large, wide = (
        login_button("/l"),
        login_button("/l", size="large"),
        login_button("/l", width=300),
    )

    assert all(part in medium for part in ("height:45px", "font:500 15px", 'width="18"'))
    assert all(part in large for part in ("height:54px", "font:500 18px", 'width="22"'))
    assert all(part in wide for part in ("width:300px", "font:500 15px", 'width="18"'))


def test_the_link_is_escaped() -> None:
    html = login_button('/login?next="><script>alert(1)</script>')

    assert "<script>" not in html
    assert 'href="/login?next=&quot;&gt;&lt;script&gt;' in html


@pytest.mark.parametrize(
    "options", [{"lang": "jp"}, {"label": "huge"}, {"size": "xl"}, {"width": 0}]
)
def test_unknown_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"Kakao button|width"):
        login_button("/login", **options)  # type: ignore[arg-type]


def test_jinja2_renders_it_unescaped_with_autoescape_on() -> None:
    from jinja2 import Environment

    environment = Environment(autoescape=True)
    register_jinja(environment)

    html = environment.from_string('{{ kakao_login_button("/login", lang="en") }}').render()

    assert html == login_button("/login", lang="en")


def test_django_renders_it_with_the_template_tag() -> None:
    from django.template import Context, Engine

    engine = Engine(libraries={"kakao": "authlib_kakao.templatetags.kakao"}, autoescape=True)
    template = engine.from_string('{% load kakao %}{% kakao_login_button href label="short" %}')

    html = template.render(Context({"href": "/login?a=1&b=2"}))

    assert html == login_button("/login?a=1&b=2", label="short")
