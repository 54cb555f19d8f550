"""Turn a tutorial page into one runnable chain of code blocks per framework tab.

A reader reproduces a page by pasting, in page order, the Python blocks outside
the tabs plus the blocks of one tab. This module builds exactly that program
from the page as the site renders it:

1. Expand the `--8<--` snippet includes with the pymdownx.snippets settings of
   `mkdocs.yml`, so the code is the code the site shows.
2. Keep the lines outside content tabs and the lines of one tab label, and drop
   the other tabs.
3. Read the fenced blocks with pytest-codeblocks' parser. A `text` fence titled
   "Output" after a Python block is that block's expected standard output; one
   titled "Progress bar (standard error)" is its last tqdm line.
4. Run the chain in a fresh interpreter, one block at a time in one namespace,
   and record each block's standard output and standard error.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import markdown
from mkdocs.config import load_config
from pytest_codeblocks import extract_from_buffer

from snippet_sections import check_includes

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_FILE = REPO_ROOT / "mkdocs.yml"

PYTHON_LANGUAGES = {"python", "py", "python3"}
OUTPUT_TITLE = "Output"
PROGRESS_TITLE = "Progress bar (standard error)"

# Floats printed by the examples may differ in the last digit across CPUs and
# BLAS builds, so a float may differ from the page by this many units in its
# last printed decimal place. Integers and text must match exactly.
LAST_DIGIT_UNITS = 2

TAB_HEADER = re.compile(r'^(?P<indent>[ ]*)===[+!]*[ ]+"(?P<label>[^"]*)"[ \t]*$')
FENCE = re.compile(r"^[ ]*(?P<marker>`{3,}|~{3,})")
FLOAT = re.compile(r"[-+]?\d+\.\d+(?:[eE][-+]?\d+)?")
TITLE = re.compile(r'title="(?P<title>[^"]*)"')
# A tqdm line such as `training: 100%|####| 20/20 [00:04<00:00,  4.40epoch/s, loss=0.5]`.
PROGRESS_LINE = re.compile(r"\|\s*\d+/\d+ \[")
PROGRESS_TIMING = re.compile(r"\[[\d:]+<[^,\]]*,\s*[^,\]]*")
BLOCK_END = "\x1e--- end of block ---\x1e"


@dataclass
class Block:
    """One Python block of a chain, with the outputs that the page shows for it."""

    code: str
    page: str
    line: int  # line of the opening fence in the page source
    tab: str | None
    expected_stdout: str | None = None
    expected_progress: str | None = None

    @property
    def origin(self) -> str:
        where = f"tab {self.tab!r}" if self.tab else "outside the tabs"
        return f"{self.page}:{self.line} ({where})"


@dataclass
class BlockResult:
    """Standard output and standard error of one block of a chain run."""

    stdout: str
    stderr: str


@dataclass
class ChainRun:
    """The outcome of one chain: per-block results and the failure, if any."""

    results: list[BlockResult] = field(default_factory=list)
    returncode: int = 0
    failed_stderr: str = ""


def site_markdown() -> markdown.Markdown:
    """Build a Markdown converter with the extensions and settings of mkdocs.yml."""
    config = load_config(str(CONFIG_FILE))
    return markdown.Markdown(
        extensions=config["markdown_extensions"],
        extension_configs=config["mdx_configs"],
    )


def page_name(page: Path) -> str:
    """Return the page path relative to the repository, as messages show it."""
    return page.relative_to(REPO_ROOT).as_posix() if page.is_relative_to(REPO_ROOT) else str(page)


def render_snippets(page: Path, md: markdown.Markdown | None = None) -> str:
    """Return the page's Markdown with every snippet include expanded as the site does.

    Raises SnippetIncludeError naming the page line, file and section of a broken include.
    """
    md = md or site_markdown()
    text = page.read_text(encoding="utf-8")
    base_paths = [
        (REPO_ROOT / base).resolve()
        for base in md.preprocessors["snippet"].base_path
    ]
    check_includes(text, page_name(page), base_paths)
    # pymdownx.snippets resolves base_path against the working directory, and
    # `mkdocs build` runs from the repository root.
    with contextlib.chdir(REPO_ROOT):
        expanded = md.preprocessors["snippet"].run(text.splitlines())
    return "\n".join(expanded) + "\n"


def outside_fences(lines: list[str]) -> list[bool]:
    """Return, per line, whether it lies outside fenced code blocks (fence lines count as inside)."""
    flags = []
    open_marker: str | None = None
    for line in lines:
        match = FENCE.match(line)
        if open_marker is None:
            if match:
                open_marker = match.group("marker")
            flags.append(match is None)
        else:
            if match and match.group("marker").startswith(open_marker) and not line.strip()[len(match.group("marker")):].strip():
                open_marker = None
            flags.append(False)
    return flags


def tab_labels(text: str) -> list[str]:
    """List the distinct content-tab labels of a page in order of appearance.

    A `===` line inside a fenced code block (a page template, say) is not a tab.
    """
    labels: list[str] = []
    lines = text.splitlines()
    for line, outside in zip(lines, outside_fences(lines)):
        match = TAB_HEADER.match(line) if outside else None
        if match and match.group("label") not in labels:
            labels.append(match.group("label"))
    return labels


def flatten_tabs(text: str, keep: str | None) -> list[tuple[str, str | None, int]]:
    """Return (line, tab label, line number) for the lines outside tabs and in tabs labelled `keep`.

    Tab content is dedented to the level of its `===` header. Line numbers
    count from 1 in `text`. Nested tabs are not supported and raise ValueError.
    """
    kept: list[tuple[str, str | None, int]] = []
    current: tuple[str, int] | None = None  # (label, header indent) of the open tab
    lines = text.splitlines()

    for number, (line, outside) in enumerate(zip(lines, outside_fences(lines)), start=1):
        header = TAB_HEADER.match(line) if outside else None
        if current is not None:
            label, indent = current
            inside = not line.strip() or len(line) - len(line.lstrip(" ")) > indent
            if inside and header is not None:
                raise ValueError(f"nested content tab {header.group('label')!r} inside {label!r}")
            if inside:
                if label == keep:
                    kept.append((line[indent + 4:], label, number))
                continue
            current = None
        if header is not None:
            current = (header.group("label"), len(header.group("indent")))
            continue
        kept.append((line, None, number))
    return kept


def fence_language(syntax: str | None) -> str:
    """Return the language of a fence info string such as `python title="x" linenums="1"`."""
    words = (syntax or "").strip().lstrip("{").split()
    return words[0].lstrip(".").lower() if words else ""


def fence_title(syntax: str | None) -> str | None:
    """Return the `title="..."` of a fence info string, or None."""
    match = TITLE.search(syntax or "")
    return match.group("title") if match else None


def is_output_fence(syntax: str | None) -> bool:
    """Return True for the `text` fences that show a Python block's output."""
    return fence_language(syntax) == "text" and fence_title(syntax) in (OUTPUT_TITLE, PROGRESS_TITLE)


def extract_chain(
    text: str, page_name: str, tab: str | None, source_lines: list[int] | None = None
) -> list[Block]:
    """Return the Python blocks that a reader of tab `tab` runs, in page order.

    `source_lines` gives the line of each Python fence in the page source, for
    messages; without it, lines are counted in `text`.
    """
    flattened = flatten_tabs(text, tab)
    flat = "\n".join(line for line, _, _ in flattened) + "\n"

    chain: list[Block] = []
    for block in extract_from_buffer(io.StringIO(flat)):
        language = fence_language(block.syntax)
        _, block_tab, line_number = flattened[block.lineno - 1]
        if language in PYTHON_LANGUAGES:
            if source_lines is not None:
                line_number = source_lines[len(chain)]
            chain.append(Block(code=block.code, page=page_name, line=line_number, tab=block_tab))
        elif is_output_fence(block.syntax):
            title = fence_title(block.syntax)
            if not chain:
                raise ValueError(f"{page_name}: an {title!r} block comes before any Python block")
            if title == OUTPUT_TITLE:
                chain[-1].expected_stdout = block.code
            else:
                chain[-1].expected_progress = block.code
    return chain


def page_chains(page: Path) -> dict[str, list[Block]]:
    """Return one chain per tab label of the page, or a single chain named 'page' without tabs.

    Each block's origin names the line of its fence in the page source.
    """
    source = page.read_text(encoding="utf-8")
    text = render_snippets(page)
    name = page_name(page)
    labels = tab_labels(text) or [None]
    chains = {}
    for label in labels:
        # Snippets expand inside fences, so the source has the same Python fences in
        # the same order, each at the line a reader's editor shows.
        source_lines = [block.line for block in extract_chain(source, name, label)]
        chains[label or "page"] = extract_chain(text, name, label, source_lines)
    return chains


DRIVER = f"""
import json, sys
blocks = json.load(sys.stdin)
namespace = {{"__name__": "__main__", "__builtins__": __builtins__}}
for block in blocks:
    exec(compile(block["code"], block["origin"], "exec"), namespace)
    sys.stdout.flush()
    sys.stderr.flush()
    print({BLOCK_END!r}, flush=True)
    print({BLOCK_END!r}, file=sys.stderr, flush=True)
"""


def run_chain(chain: list[Block], timeout: float = 900.0) -> ChainRun:
    """Run the blocks in one fresh interpreter, as a reader pasting them would."""
    payload = json.dumps([{"code": block.code, "origin": block.origin} for block in chain])
    # Agg: a figure's plt.show() in a script draws nothing instead of opening a window.
    env = dict(os.environ, PYTHONIOENCODING="utf-8", TF_CPP_MIN_LOG_LEVEL="2", MPLBACKEND="Agg")
    log.info("running %d blocks in a fresh interpreter", len(chain))
    completed = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=payload,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env=env,
        timeout=timeout,
        check=False,
    )
    stdouts = completed.stdout.split(BLOCK_END + "\n")
    stderrs = completed.stderr.split(BLOCK_END + "\n")
    finished = len(stdouts) - 1
    run = ChainRun(returncode=completed.returncode)
    run.results = [BlockResult(stdouts[i], stderrs[i]) for i in range(finished)]
    if completed.returncode != 0:
        run.failed_stderr = stderrs[-1]
    return run


def last_progress_line(stderr: str) -> str | None:
    """Return the last tqdm redraw in a stream of carriage-return updates, or None."""
    segments = re.split(r"[\r\n]+", stderr)
    bars = [segment.strip() for segment in segments if PROGRESS_LINE.search(segment)]
    return bars[-1] if bars else None


def mask_progress_timing(line: str) -> str:
    """Replace a tqdm line's elapsed time, remaining time and rate, which vary by run."""
    return PROGRESS_TIMING.sub("[<time>, <rate>", line)


def float_tolerance(printed: str) -> float:
    """Return LAST_DIGIT_UNITS units of the last decimal place of a printed float."""
    mantissa, _, exponent = printed.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return LAST_DIGIT_UNITS * 10.0 ** (int(exponent or 0) - decimals)


def compare_output(expected: str, actual: str) -> str | None:
    """Return None when the outputs match, or a message naming the first difference.

    Text and integers must be identical. A float may differ from the expected one
    by LAST_DIGIT_UNITS units in the expected float's last printed decimal place.
    """
    expected_lines = expected.rstrip("\n").splitlines()
    actual_lines = actual.rstrip("\n").splitlines()
    if len(expected_lines) != len(actual_lines):
        return f"expected {len(expected_lines)} lines, got {len(actual_lines)}"

    for number, (want, got) in enumerate(zip(expected_lines, actual_lines), start=1):
        want, got = want.rstrip(), got.rstrip()
        if FLOAT.split(want) != FLOAT.split(got):
            return f"line {number}: expected {want!r}, got {got!r}"
        for want_float, got_float in zip(FLOAT.findall(want), FLOAT.findall(got)):
            tolerance = float_tolerance(want_float)
            if abs(float(want_float) - float(got_float)) > tolerance * (1 + 1e-9):
                return (
                    f"line {number}: expected {want_float} but the code prints {got_float} "
                    f"(tolerance {tolerance:g}) in {got!r}"
                )
    return None
