"""Every ```python block of the user docs compiles; the self-contained ones run; the quick start's
apps log in at the emulator exactly as written (only Kakao's address and keys swapped).

A block is marked by an HTML comment on the line before its fence (invisible in the docs):

* ``<!-- snippet: fragment -->``: a piece of a larger program (names from around it, a
  ``settings.py`` excerpt): compiled only;
* ``<!-- snippet: login-app -->``: a whole app with ``/``, ``/login`` and ``/auth``: run, then logged
  in through with the framework's test client;
* unmarked: self-contained: run as it is.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from example_support import DOCS, authorize

import authlib_kakao
from authlib_kakao.testing import KakaoEmulator

# The pages this suite owns (the others test their own snippets, or carry none).
PAGES = (
    "index.md",
    "quickstart.md",
    "configuration.md",
    "tokens.md",
    "keys.md",
    "login-flow.md",
    "examples.md",
    "migrate-allauth.md",
    "migrate-social-auth.md",
    "migrate-fastapi-sso.md",
)
KINDS = ("run", "fragment", "login-app")
_MARKER = re.compile(r"<!--\s*snippet:\s*([\w-]+)\s*-->")


@dataclass(frozen=True)
class Snippet:
    """One ```python block: where it is, what kind, its code."""

    page: str
    line: int
    kind: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def read_snippets(page: Path) -> list[Snippet]:
    """The ```python blocks of ``page``, each with the kind its marker line gives it."""
    lines = page.read_text("utf-8").splitlines()
    found: list[Snippet] = []
    index = 0
    while index < len(lines):
        if lines[index].strip() != "```python":
            index += 1
            continue
        start = index
        end = start + 1
        while lines[end].strip() != "```":
            end += 1
        previous = lines[start - 1].strip() if start else ""
        marker = _MARKER.fullmatch(previous)
        kind = marker.group(1) if marker else "run"
        # A block inside a list item is indented with it.
        code = textwrap.dedent("\n".join(lines[start + 1 : end])) + "\n"
        found.append(Snippet(page.name, start + 1, kind, code))
        index = end + 1
    return found


SNIPPETS = [snippet for page in PAGES for snippet in read_snippets(DOCS / page)]


def of_kind(*kinds: str) -> list[Any]:
    return [pytest.param(s, id=s.name) for s in SNIPPETS if s.kind in kinds]


def compiled(snippet: Snippet) -> Any:
    # Fragments may await at the top (a line from inside a coroutine).
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if snippet.kind == "fragment" else 0
    # dont_inherit: compiled as a user's file is, without this module's __future__ imports.
    return compile(snippet.code, snippet.name, "exec", flags=flags, dont_inherit=True)


def test_the_pages_exist_and_mark_their_snippets_with_known_kinds() -> None:
    for page in PAGES:
        assert (DOCS / page).is_file(), page
    kinds = {snippet.kind for snippet in SNIPPETS}
    assert kinds <= set(KINDS), kinds
    assert kinds == set(KINDS)  # each kind is used, so each test below really runs something


@pytest.mark.parametrize("snippet", of_kind(*KINDS))
def test_every_snippet_compiles(snippet: Snippet) -> None:
    compiled(snippet)


@pytest.mark.parametrize("snippet", of_kind("run"))
def test_self_contained_snippets_run(
    snippet: Snippet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a snippet that writes a file (a SQLite database) writes here
    exec(compiled(snippet), {"__name__": "snippet"})


@pytest.mark.kakao_emulator(auto_approve=True, app_preset="personal_oidc")
@pytest.mark.parametrize("snippet", of_kind("login-app"))
def test_login_apps_log_in_at_the_emulator(
    snippet: Snippet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kakao_emulator: KakaoEmulator
) -> None:
    keys = {"client_id": kakao_emulator.app.client_id,
            "client_secret": kakao_emulator.app.client_secret}  # fmt: skip
    monkeypatch.chdir(tmp_path)
    # Starlette's Config(".env") reads the keys from the file the quick start tells you to write.
    (tmp_path / ".env").write_text(
        f"KAKAO_CLIENT_ID={keys['client_id']}\nKAKAO_CLIENT_SECRET={keys['client_secret']}\n"
    )
    # What "Try it without Kakao" says: the same registration, pointed at the emulator.
    real = authlib_kakao.register_kakao
    pointed = functools.partial(real, kauth_url=kakao_emulator.url, kapi_url=kakao_emulator.url)
    monkeypatch.setattr(authlib_kakao, "register_kakao", functools.partial(pointed, **keys))
    namespace: dict[str, Any] = {"__name__": "app"}

    exec(compiled(snippet), namespace)

    app = namespace["app"]
    nickname = kakao_emulator.user.nickname
    if type(app).__module__.startswith("flask"):
        client = app.test_client()
        assert "Log in with Kakao" in client.get("/").text
        login = client.get("/login")
        back = authorize(login.headers["Location"], kakao_emulator)
        assert client.get(back).headers["Location"] == "/"
        assert client.get("/").text == f"Hello, {nickname}!"
    else:
        from starlette.testclient import TestClient

        with TestClient(app, follow_redirects=False) as web:
            assert "Log in with Kakao" in web.get("/").text
            login = web.get("/login")
            back = authorize(login.headers["location"], kakao_emulator)
            assert web.get(back).headers["location"] == "/"
            assert web.get("/").text == f"Hello, {nickname}!"


def test_the_index_lists_every_page() -> None:
    index = (DOCS / "index.md").read_text("utf-8")
    listed = set(re.findall(r"^([\w-]+)$", index, flags=re.MULTILINE))
    pages = {page.stem for page in DOCS.glob("*.md")} - {"index"}
    assert pages - listed == set(), "add these pages to a toctree in docs/index.md"


EVERY_SNIPPET = [s for page in sorted(DOCS.glob("*.md")) for s in read_snippets(page)]


@pytest.mark.parametrize("snippet", [pytest.param(s, id=s.name) for s in EVERY_SNIPPET])
def test_every_pages_snippets_compile_and_import_what_exists(snippet: Snippet) -> None:
    # Pages whose snippets need outside parts (Redis, a webhook sender) are not run above; their
    # code still compiles (as a function body: a fragment may return or await), and each
    # authlib_kakao name it imports exists.
    body = "async def snippet():\n" + textwrap.indent(snippet.code, "    ") + "    pass\n"
    tree = ast.parse(body, snippet.name, feature_version=(3, 11))
    compile(tree, snippet.name, "exec", dont_inherit=True)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("authlib_kakao"):
            module = importlib.import_module(str(node.module))
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(
                    f"{node.module}.{alias.name}"
                ), f"{snippet.name}: {node.module}.{alias.name}"
