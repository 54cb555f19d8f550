"""MkDocs hook: small accessibility fixes to the HTML that the theme writes.

Material for MkDocs 9.8 marks its search box `role="dialog"` without an
accessible name, which screen readers announce as an unnamed dialog.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("mkdocs.hooks.accessibility")

SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
NAMED_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">'


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Give the search dialog an accessible name."""
    if SEARCH_DIALOG not in output:
        log.debug("%s: no search dialog to name", page.file.src_uri)
    return output.replace(SEARCH_DIALOG, NAMED_SEARCH_DIALOG)
