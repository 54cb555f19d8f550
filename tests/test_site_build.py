"""Build the real site with `mkdocs build --strict` and check the rendered pages."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup, Tag

from page_chains import REPO_ROOT, compare_output, page_chains
from site_build import PART1_HTML, mkdocs_build

PART1 = REPO_ROOT / "docs" / "part1-from-scratch.md"
HOOKS = sorted((REPO_ROOT / "hooks").glob("*.py"))


def code_text(highlight: Tag) -> str:
    """Return a rendered code block's text as the copy button gives it: no line numbers."""
    for line_number in highlight.select(".linenos, .linenodiv"):
        line_number.decompose()
    code = highlight.select_one("td.code code") or highlight.select_one("code")
    assert code is not None
    return code.get_text()


def rendered_python_blocks(html: str) -> list[tuple[str | None, str]]:
    """List (tab label or None, code) for every Python block of a built page, in page order."""
    soup = BeautifulSoup(html, "html.parser")
    blocks = []
    for highlight in soup.select("div.language-python.highlight"):
        label = None
        tab_block = highlight.find_parent("div", class_="tabbed-block")
        if tab_block is not None:
            tab_set = tab_block.find_parent("div", class_="tabbed-set")
            siblings = tab_block.find_parent("div", class_="tabbed-content").find_all(
                "div", class_="tabbed-block", recursive=False
            )
            labels = tab_set.select(":scope > .tabbed-labels > label")
            # By identity: Tag equality compares content, and two tabs may hold the same code.
            position = next(index for index, sibling in enumerate(siblings) if sibling is tab_block)
            label = labels[position].get_text(strip=True)
        blocks.append((label, code_text(highlight)))
    return blocks


def test_build_strict_succeeds(site):
    assert (site / "index.html").is_file()
    assert (site / PART1_HTML).is_file()


TAB_LABELS = ["PyTorch", "TensorFlow", "NumPy"]


@pytest.mark.parametrize("label", TAB_LABELS)
def test_rendered_blocks_equal_tested_chain(site, label):
    rendered = rendered_python_blocks((site / PART1_HTML).read_text(encoding="utf-8"))
    on_page = [code for tab, code in rendered if tab in (None, label)]
    chain = page_chains(PART1)[label]
    assert len(on_page) == len(chain), (
        f"the built page shows {len(on_page)} Python blocks for {label}, "
        f"but the test chain runs {len(chain)}"
    )
    for number, (shown, tested) in enumerate(zip(on_page, chain, strict=True), start=1):
        assert shown.rstrip("\n") == tested.code.rstrip("\n"), f"block {number} differs"


def test_every_step_has_all_tabs(site):
    soup = BeautifulSoup((site / PART1_HTML).read_text(encoding="utf-8"), "html.parser")
    tab_sets = soup.select("div.tabbed-set")
    assert len(tab_sets) >= 9
    for tab_set in tab_sets:
        labels = [label.get_text(strip=True) for label in tab_set.select(".tabbed-labels > label")]
        assert labels == TAB_LABELS


def test_tensorflow_tabs_never_mention_torch(site):
    rendered = rendered_python_blocks((site / PART1_HTML).read_text(encoding="utf-8"))
    tensorflow_code = [code for tab, code in rendered if tab == "TensorFlow"]
    assert tensorflow_code
    for code in tensorflow_code:
        assert "torch" not in code.lower(), code


def test_code_blocks_left_aligned(site):
    for _, code in rendered_python_blocks((site / PART1_HTML).read_text(encoding="utf-8")):
        lines = [line for line in code.splitlines() if line.strip()]
        indents = [len(line) - len(line.lstrip()) for line in lines]
        assert min(indents) == 0, f"block is indented by {min(indents)}:\n{code}"


def test_math_rendered_to_mathml(site):
    html = (site / PART1_HTML).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    formulas = soup.select(".arithmatex")
    assert len(formulas) >= 10
    for formula in formulas:
        assert formula.find("math") is not None, f"formula left as TeX: {formula.get_text()!r}"
    assert "\\(" not in html
    assert "\\[" not in html


def test_credits_original_author(site):
    html = (site / PART1_HTML).read_text(encoding="utf-8")
    assert "J. Emmanuel Johnson" in html


def write_config_with_page(tmp_path: Path, page_text: str) -> Path:
    """Write a site that inherits mkdocs.yml and contains only the given page."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(page_text, encoding="utf-8")
    hooks = "".join(f"  - {hook}\n" for hook in HOOKS)
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {REPO_ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nhooks:\n{hooks}"
        f"watch:\n  - {REPO_ROOT / 'snippets'}\nnav:\n  - Home: index.md\n",
        encoding="utf-8",
    )
    return config


@pytest.mark.parametrize(
    ("include", "messages"),
    [
        (
            "snippets/part1_torch.py:trainig",
            ["index.md:4", "section 'trainig' not found", "snippets/part1_torch.py"],
        ),
        (
            "snippets/part1_missing.py:imports",
            ["index.md:4", "snippet file 'snippets/part1_missing.py' not found"],
        ),
    ],
    ids=["missing section", "missing file"],
)
def test_broken_include_fails_build(tmp_path, include, messages):
    config = write_config_with_page(tmp_path, f'# Page\n\n```python\n--8<-- "{include}"\n```\n')
    result = mkdocs_build(config, tmp_path / "site")
    assert result.returncode != 0
    for message in messages:
        assert message in result.stderr


def test_check_your_work_shows_computed_results(site):
    soup = BeautifulSoup((site / PART1_HTML).read_text(encoding="utf-8"), "html.parser")
    heading = soup.find("h2", id="check-your-work")
    assert heading is not None
    table = heading.find_next("table")
    rows = [[cell.get_text(strip=True) for cell in row.find_all("td")] for row in table.find_all("tr")[1:]]
    assert len(rows) == 7
    for row in rows:
        assert row[-1] == "pass", row
        assert float(row[2]) <= float(row[3]), row
    versions = table.find_previous("p").get_text()
    assert "torch 2.13.0" in versions
    assert "tensorflow-cpu 2.21.0" in versions


NOTEBOOK_LABELS = {"PyTorch": "pytorch", "TensorFlow": "tensorflow", "NumPy": "numpy"}


def site_notebook(site: Path, label: str) -> nbformat.NotebookNode:
    slug = f"part1-from-scratch-{NOTEBOOK_LABELS[label]}"
    return nbformat.read(site / "notebooks" / slug / f"{slug}.ipynb", as_version=4)


def png_size(path: Path) -> tuple[int, int]:
    """Return (width, height) from a PNG's IHDR chunk, checking the signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("label", TAB_LABELS)
def test_notebook_cells_equal_chain(site, label):
    notebook = site_notebook(site, label)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    chain = page_chains(PART1)[label]
    assert len(code) == len(chain)
    for number, (cell, block) in enumerate(zip(code, chain, strict=True), start=1):
        assert cell == block.code.rstrip("\n"), f"code cell {number} differs from {block.origin}"


@pytest.mark.parametrize("label", TAB_LABELS)
def test_notebook_executed_without_errors(site, label):
    notebook = site_notebook(site, label)
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"cell {number} was not executed"
        kinds = [output.output_type for output in cell.outputs]
        assert "error" not in kinds, f"cell {number} raised: {cell.outputs}"


@pytest.mark.parametrize("label", TAB_LABELS)
def test_notebook_metrics_match_page(site, label):
    notebook = site_notebook(site, label)
    chain = page_chains(PART1)[label]
    evaluate = next(block for block in chain if "validation MSE" in (block.expected_stdout or ""))
    cell = next(cell for cell in notebook.cells if cell.cell_type == "code" and cell.source == evaluate.code.rstrip("\n"))
    stdout = "".join(output.text for output in cell.outputs if output.output_type == "stream" and output.name == "stdout")
    assert compare_output(evaluate.expected_stdout, stdout) is None, stdout


@pytest.mark.parametrize("label", TAB_LABELS)
def test_notebook_progress_bar_single_line(site, label):
    notebook = site_notebook(site, label)
    bars = 0
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert not any("widget" in mime for mime in output.get("data", {})), output
            if output.output_type == "stream":
                assert "\r" not in output.text
                bars += sum("epoch/s" in line for line in output.text.splitlines())
    assert bars == 1


@pytest.mark.parametrize("label", TAB_LABELS)
def test_loss_figure_on_page(site, label):
    slug = f"part1-from-scratch-{NOTEBOOK_LABELS[label]}"
    assert png_size(site / "notebooks" / f"{slug}-loss.png") == (700, 400)
    soup = BeautifulSoup((site / PART1_HTML).read_text(encoding="utf-8"), "html.parser")
    image = soup.find("img", src=f"../notebooks/{slug}-loss.png")
    assert image is not None
    assert label in image["alt"]


def test_notebook_page_toc_lists_every_heading(site):
    soup = BeautifulSoup(
        (site / "notebooks" / "part1-from-scratch-numpy" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    headings = [f"#{heading['id']}" for heading in soup.select("article h2[id], article h3[id]")]
    toc = soup.select_one("nav.md-nav--secondary")
    links = [link["href"] for link in toc.select("a.md-nav__link")]
    assert len(headings) >= 10
    assert links == headings


def test_notebook_pages_render_math_without_scripts(site):
    html = (site / "notebooks" / "part1-from-scratch-tensorflow" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all("math")) >= 10
    for cell in soup.select(".jp-RenderedMarkdown"):
        assert "$" not in cell.get_text(), cell.get_text()[:200]
    sources = [script.get("src") for script in soup.find_all("script") if script.has_attr("src")]
    assert all(source.strip() for source in sources)
    assert "cdnjs" not in html
    assert "mathjax" not in html.lower()


def test_build_without_execution(tmp_path):
    site_dir = tmp_path / "site"
    result = mkdocs_build(REPO_ROOT / "mkdocs.yml", site_dir, {"DL4R_EXECUTE": "0"})
    assert result.returncode == 0, result.stderr
    html = (site_dir / PART1_HTML).read_text(encoding="utf-8")
    assert "Figure not computed in this build" in html
    assert "Not computed in this build" in html
    notebook = site_notebook(site_dir, "NumPy")
    assert all(cell.get("execution_count") is None for cell in notebook.cells if cell.cell_type == "code")


def test_pinned_versions_on_pages_match_requirements():
    pinned = dict(
        line.split("==", 1)
        for line in (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    mentioned = 0
    for page in (REPO_ROOT / "docs").rglob("*.md"):
        for package, version in re.findall(r"([A-Za-z][\w.-]*)==([\w.+]+)", page.read_text(encoding="utf-8")):
            mentioned += 1
            assert pinned.get(package) == version, f"{page.name}: {package}=={version}, requirements.txt pins {pinned.get(package)}"
    assert mentioned >= 10


def test_about_page_shows_lighthouse_results(site):
    soup = BeautifulSoup((site / "about" / "index.html").read_text(encoding="utf-8"), "html.parser")
    rows = [[cell.get_text(strip=True) for cell in row.find_all("td")] for row in soup.select("table tr")[1:]]
    assert [row[0] for row in rows] == [
        "Performance", "Accessibility", "Best practices", "Transfer (KB)", "Third-party requests"
    ]
    assert all(len(row) == 4 for row in rows)  # measure, goal and two pages


def test_lighthouse_benchmark_rejects_zero_runs():
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "lighthouse.py"), "--runs", "0"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert "--runs must be at least 1, got 0" in result.stderr
    assert "usage:" in result.stderr


def run_training_speed(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "training_speed.py"), *arguments],
        capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--repetitions", "0"], "must be at least 1, got 0"),
        (["--repetitions", "x"], "must be a whole number, got 'x'"),
        (["--frameworks", "JAX"], "unknown framework JAX; choose from PyTorch, TensorFlow, NumPy"),
    ],
    ids=["zero repetitions", "not a number", "unknown framework"],
)
def test_training_speed_rejects_bad_arguments(arguments, message):
    result = run_training_speed(*arguments)
    assert result.returncode == 2
    assert message in result.stderr
    assert "usage:" in result.stderr


def test_training_speed_skips_missing_framework(monkeypatch, capsys):
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    try:
        import training_speed
    finally:
        sys.path.remove(str(REPO_ROOT / "benchmarks"))
    monkeypatch.setitem(training_speed.FRAMEWORKS, "NumPy", "numpy_is_not_installed_here")
    assert training_speed.main(["--frameworks", "NumPy", "--repetitions", "1", "--no-save"]) == 0
    output = capsys.readouterr().out
    assert "| NumPy | not installed, skipped |" in output
    assert "Traceback" not in output
