"""Sphinx configuration. The error-code page is generated from ``authlib_kakao.core.error_codes``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from authlib_kakao._version import __version__  # noqa: E402
from authlib_kakao.core.error_codes import render_markdown  # noqa: E402

project = "authlib-kakao"
author = "the authlib-kakao authors"
copyright = "2026, the authlib-kakao authors"
release = __version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = f"authlib-kakao {release}"
autodoc_member_order = "bysource"
autodoc_typehints = "description"

# The error reference is written from the same table the library raises from, so it cannot drift.
(Path(__file__).parent / "_generated").mkdir(exist_ok=True)
(Path(__file__).parent / "_generated" / "error_codes.md").write_text(render_markdown(), "utf-8")
