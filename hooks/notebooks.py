"""MkDocs hook: one executed Jupyter notebook per tab of every tutorial page.

For each page with content tabs and each tab label, the hook builds a notebook
from the page as the site renders it. The prose becomes Markdown cells, and the
label's chain of Python blocks (the chain that the page tests run) becomes the
code cells. The
notebook is executed with nbclient, saved under `notebooks/` in the site, and
rendered by mkdocs-jupyter. The loss figure of each run is saved as a PNG
that the page shows in place of `<!-- notebook-figure: LABEL -->`.

Execution runs in background threads from `on_files` on, and each page waits
only for the notebooks it needs. Executed notebooks are cached in
`.cache/notebooks/<key>/`, where the key hashes the notebook's cells, the
pinned requirements, the Python version and whether execution is on.
Set DL4R_EXECUTE=0 to publish the notebooks unexecuted and skip the figures.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import io
import json
import logging
import os
import posixpath
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import nbformat
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, NoSuchKernel
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from page_chains import (
    PYTHON_LANGUAGES,
    extract_chain,
    extract_from_buffer,
    fence_language,
    flatten_tabs,
    is_output_fence,
    render_snippets,
    tab_labels,
)
from provenance import versions
from snippet_sections import SnippetIncludeError
from script_output import execution_enabled

log = logging.getLogger("mkdocs.hooks.notebooks")

NOTEBOOK_DIR = "notebooks"
CELL_TIMEOUT_SECONDS = 600
MAX_PARALLEL_NOTEBOOKS = os.cpu_count() or 1  # one kernel per CPU core

FIGURE_MARKER = re.compile(r"^(?P<indent>[ ]*)<!--\s*notebook-figure:\s*(?P<label>[^>]*?)\s*-->[ \t]*$", re.MULTILINE)
OUTPUT_MARKER = re.compile(r"^(?P<indent>[ ]*)<!--\s*insert-output:\s*(?P<command>.*?)\s*-->[ \t]*$")
# Build-time outputs a notebook states itself; the others it links to on the page.
PROVENANCE_SCRIPT = "hooks/provenance.py"
RELATIVE_LINK = re.compile(r"\]\((?!https?:|mailto:|#|/)(?P<path>[^)#\s]+)(?P<fragment>#[^)\s]*)?\)")
ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?)\s+\w+(?:\s+"(?P<title>[^"]*)")?\s*$')
CARRIAGE_RETURN_LINE = re.compile(r"[^\n]*\r(?=[^\n])")
# TensorFlow's C++ start-up log lines (absl format), printed whatever TF_CPP_MIN_LOG_LEVEL is.
TENSORFLOW_LOG_LINE = re.compile(
    r"^(?:[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\] .*"
    r"|WARNING: All log messages before absl::InitializeLog\(\) .*)\n?",
    re.MULTILINE,
)
# Figures keep their exact size (figsize x dpi) instead of a tight bounding box.
KERNEL_ARGUMENTS = ["--InlineBackend.print_figure_kwargs={'bbox_inches': None}"]


@dataclass
class NotebookJob:
    """One notebook to build: where it comes from and where its results go."""

    page: str                # page source path, relative to docs_dir
    label: str               # tab label, also the framework name
    slug: str                # file name stem, e.g. part1-from-scratch-pytorch
    notebook_path: Path      # the executed (or plain) notebook, inside the cache
    figure_path: Path        # the loss figure, inside the cache
    future: concurrent.futures.Future[None] | None = None


_jobs: dict[str, NotebookJob] = {}  # by site path of the notebook
_executor: concurrent.futures.ThreadPoolExecutor | None = None


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def admonitions_to_quotes(lines: list[str]) -> list[str]:
    """Turn `!!! kind "Title"` blocks into Markdown quotes, which Jupyter renders."""
    converted: list[str] = []
    inside = False
    for line in lines:
        match = ADMONITION.match(line)
        if match:
            inside = True
            title = match.group("title")
            if title:
                converted.append(f"> **{title}**")
                converted.append(">")
            continue
        if inside and (line.startswith("    ") or not line.strip()):
            converted.append(f"> {line[4:]}".rstrip() if line.strip() else ">")
            continue
        if inside:
            while converted and converted[-1] == ">":
                converted.pop()
            converted.append("")
        inside = False
        converted.append(line)
    while converted and converted[-1] == ">":
        converted.pop()  # a quote that ends the text ends without an empty quoted line
    return converted


def site_url_of(path: str) -> str:
    """Return the directory URL of a docs file: `a/b.md` and `a/b.ipynb` become `a/b/`."""
    stem = re.sub(r"\.(md|ipynb)$", "", path)
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/" if stem != path else path


def rewrite_links(text: str, site_root: str, page_dir: str) -> str:
    """Point the page's relative links (to .md pages, notebooks, files) at their site URLs.

    `page_dir` is the page's folder inside docs/, and `site_root` the URL of the
    site root as seen from the notebook.
    """

    def replace(match: re.Match[str]) -> str:
        path = posixpath.normpath(posixpath.join(page_dir, match.group("path")))
        return f"]({site_root}{site_url_of(path)}{match.group('fragment') or ''})"

    return RELATIVE_LINK.sub(replace, text)


def build_output_line(match: re.Match[str], page_link: str) -> str:
    """Return what a notebook shows for an insert-output marker of the page.

    The library versions are stated in place. Other build outputs (check tables,
    benchmark tables) stay on the page, so the notebook links to them.
    """
    indent = match.group("indent")
    if match.group("command").split()[0] == PROVENANCE_SCRIPT:
        return indent + ", ".join(f"{name} {version}" for name, version in versions().items())
    return f"{indent}The table computed when the site was built is in this section on [the page]({page_link})."


def markdown_cell(lines: list[str], page_link: str, site_root: str, page_dir: str) -> str:
    """Return the source of one Markdown cell from page lines between code blocks."""
    kept = []
    for line in lines:
        if FIGURE_MARKER.match(line):
            continue  # the figure is the output of the plot cell
        marker = OUTPUT_MARKER.match(line)
        # The page link is already a site URL, so it must not be rewritten again. It goes
        # in as a "#" placeholder, which the rewrite of relative links skips.
        kept.append(build_output_line(marker, "#dl4r-page-link") if marker else line)
    text = rewrite_links("\n".join(admonitions_to_quotes(kept)), site_root, page_dir)
    text = re.sub(r"\n{3,}", "\n\n", text.replace("](#dl4r-page-link)", f"]({page_link})"))
    return text.strip("\n")


def build_notebook(
    text: str, label: str, title: str, header: str, page_link: str,
    site_root: str = "../../", page_dir: str = "",
) -> nbformat.NotebookNode:
    """Build a notebook from rendered page Markdown: prose cells and the tab's code cells.

    The code cells are exactly the page-test chain of `label`, in page order.
    Relative links of the page are rewritten against `site_root`.
    """
    flattened = flatten_tabs(text, label)
    lines = [line for line, _, _ in flattened]
    blocks = extract_from_buffer(io.StringIO("\n".join(lines) + "\n"))

    cells = [nbformat.v4.new_markdown_cell(f"# {title}\n\n{header}")]
    prose: list[str] = []
    position = 0  # next line of `lines` not yet assigned to a cell
    for block in blocks:
        start = block.lineno - 1  # index of the opening fence
        end = start + block.code.count("\n") + 1  # index of the closing fence
        language = fence_language(block.syntax)
        if language not in PYTHON_LANGUAGES and not is_output_fence(block.syntax):
            continue  # other fences stay in the prose
        prose.extend(lines[position:start])
        position = end + 1
        if is_output_fence(block.syntax):
            continue  # the notebook shows real outputs instead
        source = markdown_cell(prose, page_link, site_root, page_dir)
        if source:
            cells.append(nbformat.v4.new_markdown_cell(source))
        prose = []
        cells.append(nbformat.v4.new_code_cell(block.code.rstrip("\n")))
    prose.extend(lines[position:])
    source = markdown_cell(prose, page_link, site_root, page_dir)
    if source:
        cells.append(nbformat.v4.new_markdown_cell(source))

    # The first heading of the page becomes the notebook title cell's text instead.
    first = cells[1]
    if first.cell_type == "markdown" and first.source.startswith("# "):
        first.source = first.source.partition("\n")[2].strip("\n")

    # Fixed cell ids keep the notebook, and so its cache key, the same from build to build.
    for index, cell in enumerate(cells, start=1):
        cell["id"] = f"cell-{index}"
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": NATIVE_KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def merge_streams(outputs: list[Any]) -> list[Any]:
    """Join consecutive outputs of the same stream, as a terminal would show them."""
    merged: list[Any] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous["name"] == output["name"]
        ):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def clean_outputs(notebook: nbformat.NotebookNode) -> None:
    """Keep what a terminal would show of progress bars, and drop TensorFlow's start-up log."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = merge_streams(cell.outputs)
        for output in outputs:
            if output.get("output_type") == "stream":
                text = TENSORFLOW_LOG_LINE.sub("", output["text"])
                output["text"] = CARRIAGE_RETURN_LINE.sub("", text).replace("\r", "")
        cell.outputs = [
            output for output in outputs
            if output.get("output_type") != "stream" or output["text"].strip()
        ]


def execute_notebook(notebook: nbformat.NotebookNode, page: str, label: str, cwd: Path) -> None:
    """Execute a notebook in place, raising PluginError that names the page, tab and cell.

    A kernel named in the metadata that is not installed falls back to the
    default Python kernel with a warning.
    """
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONIOENCODING="utf-8")
    env.pop("MPLBACKEND", None)  # the kernel's inline backend draws the figures
    kernel_name = notebook.metadata.get("kernelspec", {}).get("name", NATIVE_KERNEL_NAME)
    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name=kernel_name,
        resources={"metadata": {"path": str(cwd)}}, extra_arguments=KERNEL_ARGUMENTS,
    )
    started = time.perf_counter()
    try:
        try:
            client.execute(env=env)
        except NoSuchKernel:
            log.warning(
                "%s [%s]: kernel %r is not installed; running the notebook with the default "
                "Python kernel %r", page, label, kernel_name, NATIVE_KERNEL_NAME,
            )
            notebook.metadata["kernelspec"] = {
                "name": NATIVE_KERNEL_NAME, "display_name": "Python 3", "language": "python"
            }
            client = NotebookClient(
                notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name=NATIVE_KERNEL_NAME,
                resources={"metadata": {"path": str(cwd)}}, extra_arguments=KERNEL_ARGUMENTS,
            )
            client.execute(env=env)
    except CellExecutionError as error:
        failed = next(
            (index for index, cell in enumerate(notebook.cells, start=1)
             if any(output.get("output_type") == "error" for output in cell.get("outputs", []))),
            None,
        )
        source = notebook.cells[failed - 1].source if failed else "(unknown cell)"
        raise PluginError(
            f"{page} [{label} notebook]: cell {failed} failed with {error.ename}: {error.evalue}\n"
            f"--- cell {failed} ---\n{source}"
        ) from error
    log.info("%s [%s]: notebook executed in %.1f s", page, label, time.perf_counter() - started)


def figure_png(notebook: nbformat.NotebookNode) -> bytes | None:
    """Return the last PNG figure that the notebook displays, or None if it shows none."""
    images = [
        output["data"]["image/png"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    return base64.b64decode(images[-1]) if images else None


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that a concurrent build never reads it half-written."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)


def run_job(job: NotebookJob, notebook: nbformat.NotebookNode, cwd: Path) -> None:
    """Execute (or reuse from the cache) one notebook and write it and its figure."""
    if job.notebook_path.is_file():
        log.info("%s [%s]: using cached notebook", job.page, job.label)
        return
    if execution_enabled():
        execute_notebook(notebook, job.page, job.label, cwd)
        clean_outputs(notebook)
        figure = figure_png(notebook)
        if figure is not None:
            write_atomically(job.figure_path, figure)
    # The notebook is written last: its presence marks a complete cache entry.
    write_atomically(job.notebook_path, nbformat.writes(notebook).encode("utf-8"))


def colab_link(config: Any, site_path: str) -> str | None:
    """Return an "Open in Colab" URL for a published notebook, or None without a GitHub repo_url."""
    repo_url = (config.get("repo_url") or "").rstrip("/")
    match = re.fullmatch(r"https://github\.com/(?P<repo>[^/]+/[^/]+?)(?:\.git)?", repo_url)
    if match is None:
        return None
    branch = config["extra"].get("colab_branch", "gh-pages")
    return f"https://colab.research.google.com/github/{match.group('repo')}/blob/{branch}/{site_path}"


def page_markdown(config: Any) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    )


def inputs_key(notebook: nbformat.NotebookNode, root: Path) -> str:
    digest = hashlib.sha256(json.dumps(notebook, sort_keys=True).encode())
    requirements = root / "requirements.txt"
    if requirements.is_file():
        digest.update(requirements.read_bytes())
    digest.update(sys.version.encode())
    digest.update(str(execution_enabled()).encode())
    return digest.hexdigest()[:16]


@event_priority(100)  # before mkdocs-jupyter wraps notebook files
def on_files(files: Files, config: Any) -> Files:
    """Generate the notebooks of every tabbed page, start executing them, and add them to the site."""
    global _executor
    root = Path(config["config_file_path"]).resolve().parent
    _jobs.clear()
    _executor = concurrent.futures.ThreadPoolExecutor(max_workers=MAX_PARALLEL_NOTEBOOKS)
    md = page_markdown(config)
    provenance = ", ".join(f"{name} {version}" for name, version in versions().items())

    for page_file in list(files.documentation_pages()):
        if not page_file.src_uri.endswith(".md"):
            continue
        try:
            text = render_snippets(Path(page_file.abs_src_path), md)
        except SnippetIncludeError as error:
            raise PluginError(str(error)) from error
        labels = tab_labels(text)
        if not labels:
            continue
        stem = Path(page_file.src_uri).with_suffix("").as_posix().replace("/", "-")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), stem)
        # An absolute link also works in Jupyter and Colab; the relative one only on the site.
        site_root = config.get("site_url") or "../../"  # notebook pages are notebooks/<name>/
        page_link = site_root + page_file.url

        for label in labels:
            tab_code = [block for block in extract_chain(text, page_file.src_uri, label) if block.tab == label]
            if not tab_code:
                continue  # for example a tab set of shell commands: nothing to run
            slug = f"{stem}-{slugify(label)}"
            site_path = f"{NOTEBOOK_DIR}/{slug}.ipynb"
            if site_path in _jobs:
                raise PluginError(
                    f"{page_file.src_uri}: tabs {_jobs[site_path].label!r} and {label!r} would both "
                    f"publish {site_path}; spell the labels the same way on every tab set"
                )
            header = (
                f"This notebook is the {label} tab of [{title}]({page_link}), generated from the "
                f"same source when the site was built. Run the cells in order. Its stored outputs "
                f"come from a run with {provenance}; the random generator is seeded with 0 in step 3."
            )
            colab = colab_link(config, f"{NOTEBOOK_DIR}/{slug}/{slug}.ipynb")
            if colab:
                header += f" [Open in Colab]({colab})."
            notebook = build_notebook(
                text, label, f"{title} ({label} notebook)", header, page_link,
                site_root, posixpath.dirname(page_file.src_uri),
            )
            # mkdocs-jupyter reads a notebook through its File's src_dir, so each cache
            # entry mirrors the site layout: <source_dir>/notebooks/<name>.ipynb.
            source_dir = root / ".cache" / "notebooks" / inputs_key(notebook, root)
            (source_dir / NOTEBOOK_DIR).mkdir(parents=True, exist_ok=True)
            job = NotebookJob(
                page=page_file.src_uri, label=label, slug=slug,
                notebook_path=source_dir / site_path,
                figure_path=source_dir / NOTEBOOK_DIR / f"{slug}-loss.png",
            )
            job.future = _executor.submit(run_job, job, notebook, root)
            _jobs[site_path] = job
            files.append(File(site_path, str(source_dir), config["site_dir"], config["use_directory_urls"]))
            log.info("%s [%s]: notebook %s queued", page_file.src_uri, label, site_path)
    return files


def wait_for(job: NotebookJob) -> None:
    assert job.future is not None
    job.future.result()  # re-raises the job's PluginError


@event_priority(100)  # before mkdocs-jupyter reads the notebook
def on_pre_page(page: Any, config: Any, files: Files) -> Any:
    job = _jobs.get(page.file.src_uri)
    if job is not None:
        wait_for(job)
    return page


def on_page_markdown(markdown_text: str, page: Any, config: Any, files: Files) -> str:
    """Replace each `<!-- notebook-figure: LABEL -->` with the loss figure of that tab's notebook."""

    def figure(match: re.Match[str]) -> str:
        indent, label = match.group("indent"), match.group("label")
        stem = Path(page.file.src_uri).with_suffix("").as_posix().replace("/", "-")
        slug = f"{stem}-{slugify(label)}"
        job = _jobs.get(f"{NOTEBOOK_DIR}/{slug}.ipynb")
        if job is None:
            raise PluginError(f"{page.file.src_uri}: notebook-figure marker for unknown tab {label!r}")
        wait_for(job)
        figure_uri = f"{NOTEBOOK_DIR}/{slug}-loss.png"
        if job.figure_path.is_file() and files.get_file_from_path(figure_uri) is None:
            # Added only now because a notebook may show no figure; static files are
            # copied after every page's Markdown is processed.
            files.append(File.generated(config, figure_uri, abs_src_path=str(job.figure_path)))
        if not job.figure_path.is_file():
            return (
                f'{indent}!!! warning "Figure not computed in this build"\n'
                f"{indent}    The {label} notebook was not executed (DL4R_EXECUTE=0) or showed no figure."
            )
        return (
            f"{indent}![Training loss per batch and per epoch, validation loss per epoch, and the "
            f"least-squares validation MSE, from the {label} notebook run]"
            f"({figure_uri}){{ width=\"700\" height=\"400\" loading=lazy }}"
        )

    return FIGURE_MARKER.sub(figure, markdown_text)


def on_post_build(config: Any) -> None:
    if _executor is not None:
        _executor.shutdown(wait=True)
