"""MkDocs hook: fail the build on a snippet include whose file or section is missing.

pymdownx.snippets with `check_paths: true` already stops the build, but its
message names neither the page nor the snippet file. This hook checks every
`--8<-- "path:section"` line of a page before it is converted and raises an
error that names the page, the file, the section and the sections that exist.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.snippet_sections")

# One-line include: `--8<-- "file"` or `--8<-- "file:section"`, optionally indented.
# A leading `;` escapes the marker, so such lines are left alone, as pymdownx does.
INCLUDE = re.compile(r'^[ \t]*-+8<-+[ \t]+"(?P<target>[^"]+)"[ \t]*$')
SECTION_NAME = re.compile(r"[a-z][-_0-9a-z]*", re.IGNORECASE)
SECTION_START = re.compile(r"-+8<-+[ \t]+\[[ \t]*start[ \t]*:[ \t]*(?P<name>[-_0-9a-z]+)[ \t]*\]", re.IGNORECASE)


def split_target(target: str) -> tuple[str, str | None]:
    """Split `path:section` into the path and the section name (None when absent)."""
    path, _, section = target.rpartition(":")
    if path and SECTION_NAME.fullmatch(section):
        return path, section
    return target, None


def find_snippet(path: str, base_paths: list[Path]) -> Path | None:
    """Return the first base path's file named `path`, or None."""
    for base in base_paths:
        candidate = base / path
        if candidate.is_file():
            return candidate
    return None


def section_names(snippet: Path) -> list[str]:
    """List the section names that a snippet file opens with `--8<-- [start:NAME]`."""
    text = snippet.read_text(encoding="utf-8")
    return [match.group("name") for match in SECTION_START.finditer(text)]


class SnippetIncludeError(ValueError):
    """A `--8<--` include names a snippet file or section that does not exist."""


def check_includes(markdown: str, page_path: str, base_paths: list[Path]) -> None:
    """Raise SnippetIncludeError naming the page line, file and section of the first broken include."""
    for number, line in enumerate(markdown.splitlines(), start=1):
        match = INCLUDE.match(line)
        if match is None:
            continue
        path, section = split_target(match.group("target"))
        if path.lower().startswith(("http://", "https://")):
            continue

        snippet = find_snippet(path, base_paths)
        if snippet is None:
            searched = ", ".join(str(base) for base in base_paths)
            raise SnippetIncludeError(
                f"{page_path}:{number}: snippet file '{path}' not found in the snippet "
                f"base paths ({searched}); fix the path or add the file"
            )
        if section is None:
            continue

        names = section_names(snippet)
        if section not in names:
            available = ", ".join(names) if names else "none"
            raise SnippetIncludeError(
                f"{page_path}:{number}: section '{section}' not found in snippet file "
                f"'{path}' (its sections: {available}); fix the name on the page or add "
                f"'# --8<-- [start:{section}]' and '# --8<-- [end:{section}]' to the file"
            )
        log.debug("%s:%d includes %s:%s", page_path, number, path, section)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Raise PluginError naming the page, file and section of a broken include."""
    snippet_config = config["mdx_configs"].get("pymdownx.snippets", {})
    base_paths = [Path(base).resolve() for base in snippet_config.get("base_path", ["."])]
    try:
        check_includes(markdown, page.file.src_uri, base_paths)
    except SnippetIncludeError as error:
        raise PluginError(str(error)) from error
    return markdown
