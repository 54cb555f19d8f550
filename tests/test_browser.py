"""Drive the built site in headless Chromium, as a reader's browser would."""

from __future__ import annotations

import functools
import http.server
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from page_chains import REPO_ROOT, page_chains

log = logging.getLogger(__name__)

# Debian's Chromium by default; DL4R_CHROMIUM names another Chromium-based browser.
CHROMIUM = os.environ.get("DL4R_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = [
    "",
    "part1-from-scratch/",
    "notebooks/part1-from-scratch-pytorch/",
    "notebooks/part1-from-scratch-tensorflow/",
    "notebooks/part1-from-scratch-numpy/",
    "about/",
]
PART1 = REPO_ROOT / "docs" / "part1-from-scratch.md"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def require_chromium() -> None:
    """Skip without Chromium, unless DL4R_REQUIRE_TOOLS=1 (as CI sets) makes that a failure."""
    if Path(CHROMIUM).is_file():
        return
    message = f"{CHROMIUM} not found; install Debian's chromium package or set DL4R_CHROMIUM"
    if os.environ.get("DL4R_REQUIRE_TOOLS") == "1":
        pytest.fail(message)
    pytest.skip(message)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug("http: " + format, *args)


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """Serve the built site on a free port of 127.0.0.1."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """A browser page that records console errors and every request that leaves localhost."""

    def __init__(self, context: object) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Requests to any other host are recorded and aborted, so the site is tested offline.
        context.route("**/*", self.route)

    def route(self, route: object) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort()


@pytest.fixture
def watch(browser: object, base_url: str) -> Iterator[PageWatch]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url.rstrip("/"))
    yield PageWatch(context)
    context.close()


def selected_labels(page: object) -> list[str]:
    """Return the label of the selected tab in every tab set of the page."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.tabbed-set')].map(set => {
            const checked = set.querySelector(':scope > input:checked');
            return set.querySelector(`:scope > .tabbed-labels > label[for="${checked.id}"]`).innerText.trim();
        })"""
    )


def test_tab_choice_links_all_sets(watch, base_url):
    page = watch.page
    page.goto(base_url + "part1-from-scratch/")
    assert set(selected_labels(page)) == {"PyTorch"}
    page.locator(".tabbed-labels label", has_text="TensorFlow").first.click()
    labels = selected_labels(page)
    assert len(labels) >= 10
    assert set(labels) == {"TensorFlow"}


def test_tab_choice_survives_reload_and_navigation(watch, base_url):
    page = watch.page
    page.goto(base_url)
    page.locator(".tabbed-labels label", has_text="NumPy").first.click()
    page.reload()
    assert set(selected_labels(page)) == {"NumPy"}
    page.locator("a.md-nav__link", has_text="Tutorial").first.click()
    page.wait_for_url("**/part1-from-scratch/")
    assert set(selected_labels(page)) == {"NumPy"}


def test_tab_anchor_link_selects_linked_tabs(watch, base_url):
    page = watch.page
    page.goto(base_url + "part1-from-scratch/#tensorflow")
    page.wait_for_timeout(300)
    assert set(selected_labels(page)) == {"TensorFlow"}


def copy_python_blocks(page: object, base_url: str, label: str) -> list[str]:
    """Open Part I on tab `label` and return what each visible copy button puts on the clipboard."""
    page.goto(base_url + "part1-from-scratch/")
    page.locator(".tabbed-labels label", has_text=label).first.click()
    copied = []
    buttons = page.locator('.language-python button[data-md-type="copy"]')
    for index in range(buttons.count()):
        button = buttons.nth(index)
        if not button.is_visible():
            continue  # a block in another tab
        button.scroll_into_view_if_needed()
        button.hover()
        button.click()
        copied.append(page.evaluate("navigator.clipboard.readText()"))
    return copied


@pytest.mark.parametrize("label", ["PyTorch", "TensorFlow", "NumPy"])
def test_copy_button_gives_exact_code(watch, base_url, label):
    copied = copy_python_blocks(watch.page, base_url, label)
    chain = page_chains(PART1)[label]
    assert len(copied) == len(chain)
    for number, (text, block) in enumerate(zip(copied, chain, strict=True), start=1):
        assert text.rstrip("\n") == block.code.rstrip("\n"), f"copied block {number} differs from {block.origin}"


def test_copied_numpy_blocks_run_as_program(watch, base_url, tmp_path):
    copied = copy_python_blocks(watch.page, base_url, "NumPy")
    program = tmp_path / "part1_numpy_copied.py"
    program.write_text("\n\n".join(copied) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(program)],
        env=dict(os.environ, MPLBACKEND="Agg"),
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "validation MSE: 0.58" in result.stdout


@pytest.mark.parametrize("path", ["part1-from-scratch/", "notebooks/part1-from-scratch-numpy/"])
def test_math_typeset_offline(watch, base_url, path):
    page = watch.page
    page.goto(base_url + path)
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().width)"
    )
    assert len(sizes) >= 10
    assert min(sizes) > 0
    text = page.evaluate("() => document.querySelector('article').innerText")
    assert "\\mathbf" not in text
    assert "\\frac" not in text
    assert watch.external == []


def test_math_after_navigation(watch, base_url):
    page = watch.page
    page.goto(base_url)
    page.locator("a.md-nav__link", has_text="Notebook: PyTorch").first.click()
    page.wait_for_url("**/notebooks/part1-from-scratch-pytorch/")
    assert page.locator("math").count() >= 10
    assert "\\mathbf" not in page.evaluate("() => document.querySelector('article').innerText")


@pytest.mark.parametrize("path", PAGES)
def test_page_offline_without_errors(watch, base_url, path):
    page = watch.page
    page.goto(base_url + path, wait_until="networkidle")
    assert watch.external == [], f"requests that left localhost: {watch.external}"
    assert watch.errors == [], f"console errors: {watch.errors}"


def test_search_finds_gradient_tape(watch, base_url):
    page = watch.page
    page.goto(base_url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator(".md-search__input").press_sequentially("GradientTape", delay=20)
    result = page.locator(".md-search-result__item").first
    result.wait_for(timeout=10000)
    links = page.evaluate("() => [...document.querySelectorAll('.md-search-result__link')].map(a => a.href)")
    assert any("part1-from-scratch" in link for link in links)
    assert watch.external == []


def contrast_ratio(foreground: list[float], background: list[float]) -> float:
    """Return the WCAG contrast ratio of two sRGB colours given as 0-255 triples.

    A fourth value in `foreground` is its alpha, blended over the background.
    """
    if len(foreground) == 4:
        alpha = foreground[3]
        foreground = [alpha * f + (1 - alpha) * b for f, b in zip(foreground[:3], background[:3])]
    background = background[:3]

    def luminance(rgb: list[float]) -> float:
        channels = [c / 255 for c in rgb]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


CODE_COLOURS = """() => {
    const parse = value => value.match(/[\\d.]+/g).slice(0, 4).map(Number);
    const code = document.querySelector('.language-python code');
    const name = code.querySelector('.n');  // a plain name token
    const comment = document.querySelector('.language-python code .c1');
    return {
        scheme: document.body.getAttribute('data-md-color-scheme'),
        text: parse(getComputedStyle(name).color),
        comment: parse(getComputedStyle(comment).color),
        background: parse(getComputedStyle(code).backgroundColor),
    };
}"""


def test_palette_toggle_keeps_code_readable(watch, base_url):
    page = watch.page
    page.goto(base_url + "part1-from-scratch/")
    light = page.evaluate(CODE_COLOURS)
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_timeout(200)
    dark = page.evaluate(CODE_COLOURS)
    assert {light["scheme"], dark["scheme"]} == {"default", "slate"}
    for colours in (light, dark):
        assert contrast_ratio(colours["text"], colours["background"]) >= 4.5, colours
        assert contrast_ratio(colours["comment"], colours["background"]) >= 4.5, colours

