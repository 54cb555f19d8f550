"""Unit tests of the notebook hook: cell failures, kernel fallback, Colab links, prose cells."""

from __future__ import annotations

import nbformat
import pytest
from mkdocs.exceptions import PluginError

from notebooks import (
    admonitions_to_quotes,
    build_notebook,
    clean_outputs,
    colab_link,
    execute_notebook,
    markdown_cell,
    rewrite_links,
)
from page_chains import REPO_ROOT

PAGE = '''# Title

Intro.

```python
x = 1
```

```text title="Output"
ignored
```

=== "PyTorch"

    Torch prose.

    ```python
    y = x + 1
    ```

=== "NumPy"

    ```python
    y = x + 2
    ```

!!! note "Careful"
    A note.

```python
print(y)
```
'''


def tiny_notebook(*sources: str, kernel: str = "python3") -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    return notebook


def test_failing_cell_names_page_tab_and_cell():
    notebook = tiny_notebook("x = 1", "1 / 0")
    with pytest.raises(PluginError) as error:
        execute_notebook(notebook, "part9.md", "PyTorch", REPO_ROOT)
    message = str(error.value)
    assert "part9.md [PyTorch notebook]: cell 2 failed with ZeroDivisionError" in message
    assert "1 / 0" in message


def test_missing_kernel_falls_back_to_python():
    notebook = tiny_notebook("print(6 * 7)", kernel="no-such-kernel")
    execute_notebook(notebook, "part9.md", "NumPy", REPO_ROOT)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert notebook.cells[0].outputs[0]["text"] == "42\n"


def test_colab_link_from_github_repo_url():
    config = {"repo_url": "https://github.com/example/dl-site", "extra": {"colab_branch": "gh-pages"}}
    assert colab_link(config, "notebooks/a/a.ipynb") == (
        "https://colab.research.google.com/github/example/dl-site/blob/gh-pages/notebooks/a/a.ipynb"
    )


def test_colab_link_needs_github_repo_url():
    assert colab_link({"repo_url": None, "extra": {}}, "notebooks/a/a.ipynb") is None
    assert colab_link({"repo_url": "https://gitlab.com/x/y", "extra": {}}, "a.ipynb") is None


def test_notebook_cells_follow_tab_chain():
    notebook = build_notebook(PAGE, "PyTorch", "Title: PyTorch notebook", "Header.", "../../page/")
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    prose = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert code == ["x = 1", "y = x + 1", "print(y)"]
    assert "Torch prose." in prose
    assert "ignored" not in prose
    assert "> **Careful**" in prose
    assert prose.count("# Title") == 1  # the notebook title replaces the page's own


def test_admonition_becomes_quote():
    lines = ['!!! warning "Trap"', "    Line one.", "", "    Line two.", "", "After."]
    assert admonitions_to_quotes(lines) == ["> **Trap**", ">", "> Line one.", ">", "> Line two.", "", "After."]


def test_clean_outputs_keeps_last_progress_line():
    notebook = tiny_notebook("pass")
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="I0000 00:00:1.5    7 port.cc:153] oneDNN\n"),
        nbformat.v4.new_output("stream", name="stderr", text="bar 0/2\r"),
        nbformat.v4.new_output("stream", name="stderr", text="bar 1/2\rbar 2/2\n"),
    ]
    clean_outputs(notebook)
    assert [output.text for output in notebook.cells[0].outputs] == ["bar 2/2\n"]


def test_relative_links_point_at_site_urls():
    text = (
        "[page](part1-from-scratch.md#check-your-work), [nb](notebooks/a-numpy.ipynb), "
        "[home](index.md), [web](https://example.org/x.md), [here](#setup)"
    )
    assert rewrite_links(text, "../../", "") == (
        "[page](../../part1-from-scratch/#check-your-work), [nb](../../notebooks/a-numpy/), "
        "[home](../../), [web](https://example.org/x.md), [here](#setup)"
    )


def test_build_outputs_in_notebook_cells():
    lines = [
        '!!! info "Where the outputs come from"',
        "    This build ran with:",
        "",
        "    <!-- insert-output: hooks/provenance.py -->",
        "",
        "## 9. Making it fast",
        "",
        "<!-- insert-output: benchmarks/training_speed.py --report -->",
    ]
    cell = markdown_cell(lines, "../../part1-from-scratch/", "../../", "")
    assert "> Python " in cell  # the versions, inside the quote
    assert "insert-output" not in cell
    assert "on [the page](../../part1-from-scratch/)." in cell  # not rewritten a second time
