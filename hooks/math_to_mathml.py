"""MkDocs hook: render TeX math to MathML at build time.

pymdownx.arithmatex (generic mode) wraps each formula in
`<span class="arithmatex">\\(...\\)</span>` or `<div class="arithmatex">\\[...\\]</div>`.
Notebook pages from mkdocs-jupyter keep `$...$` and `$$...$$` in the text of
their Markdown cells and expect MathJax. This hook replaces both kinds of TeX
with MathML from latex2mathml, which browsers render natively (Chromium 109+,
Firefox, Safari), so pages need no math script and no network access. It also
removes mkdocs-jupyter's MathJax and Mermaid loaders, which would load scripts
from a CDN.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString
from latex2mathml.converter import convert
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.math_to_mathml")

INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.DOTALL)
BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.DOTALL)
# In notebook Markdown cells: $$...$$ first, then $...$ not preceded by a backslash.
DOLLAR_BLOCK = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.DOTALL)
# Inline math may wrap onto the next line, but not across a blank line.
DOLLAR_INLINE = re.compile(r"(?<![\\$])\$(?P<tex>(?:[^$\n]|\n(?!\n))+?)\$")


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


def render_dollar_math(text: str, page_path: str) -> str:
    """Return HTML for a text node, with $$...$$ and $...$ formulas as MathML."""
    escaped = html.escape(text, quote=False)
    escaped = DOLLAR_BLOCK.sub(
        lambda match: render_formula(match.group("tex"), "block", page_path), escaped
    )
    return DOLLAR_INLINE.sub(
        lambda match: render_formula(match.group("tex"), "inline", page_path), escaped
    )


def render_notebook_math(content: str, page_path: str) -> str:
    """Convert the dollar math of notebook Markdown cells and drop the CDN script loaders."""
    soup = BeautifulSoup(content, "html.parser")
    for cell in soup.select(".jp-RenderedMarkdown"):
        for text in list(cell.find_all(string=True)):
            if not isinstance(text, NavigableString) or "$" not in text:
                continue
            if text.find_parent(["code", "pre", "script", "style"]) is not None:
                continue
            text.replace_with(BeautifulSoup(render_dollar_math(str(text), page_path), "html.parser"))

    for script in soup.find_all("script"):
        body = script.string or ""
        empty_source = script.has_attr("src") and not script["src"].strip()
        if empty_source or "MathJax" in body or "mermaid" in body:
            script.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        if "mathjax" in comment.lower():
            comment.extract()
    return str(soup)


def on_page_content(content: str, page: Any, config: Any, files: Any) -> str:
    """Replace every TeX formula of the page with MathML."""
    page_path = page.file.src_uri
    if "jp-RenderedMarkdown" in content:
        content = render_notebook_math(content, page_path)
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
