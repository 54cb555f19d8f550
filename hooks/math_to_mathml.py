"""MkDocs hook: render TeX math to MathML at build time.

pymdownx.arithmatex (generic mode) wraps each formula in
`<span class="arithmatex">\\(...\\)</span>` or `<div class="arithmatex">\\[...\\]</div>`.
This hook replaces the TeX with MathML from latex2mathml, which browsers render
natively (Chromium 109+, Firefox, Safari), so pages need no math script and
no network access.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.math_to_mathml")

INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.DOTALL)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.DOTALL)


def render_formula(tex: str, display: str, page_path: str) -> str:
    """Convert one TeX formula to MathML, naming the page when the TeX is invalid."""
    source = html.unescape(tex).strip()
    try:
        mathml = convert(source, display=display)
    except Exception as error:  # latex2mathml raises several unrelated types
        raise PluginError(
            f"{page_path}: formula {source!r} could not be converted to MathML "
            f"({type(error).__name__}: {error}); simplify the TeX or fix its syntax"
        ) from error
    return mathml


def on_page_content(content: str, page: Any, config: Any, files: Any) -> str:
    """Replace every arithmatex formula of the page with MathML."""
    page_path = page.file.src_uri
    count = 0

    def replace_block(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        mathml = render_formula(match.group("tex"), "block", page_path)
        return f'<div class="arithmatex">{mathml}</div>'

    def replace_inline(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        mathml = render_formula(match.group("tex"), "inline", page_path)
        return f'<span class="arithmatex">{mathml}</span>'

    content = BLOCK.sub(replace_block, content)
    content = INLINE.sub(replace_inline, content)
    log.debug("%s: rendered %d formulas to MathML", page_path, count)
    return content
