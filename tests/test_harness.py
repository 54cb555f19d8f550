"""Check the page harness itself: block extraction, tab flattening, output comparison, data guard."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from page_chains import (
    REPO_ROOT,
    compare_output,
    extract_chain,
    last_progress_line,
    mask_progress_timing,
    render_snippets,
)
from snippet_sections import SnippetIncludeError

PAGE = '''# Example

```python
shared = 1
```

=== "PyTorch"

    ```python title="torch.py" linenums="1"
    framework = "torch"
    ```

    ```text title="Output"
    torch
    ```

=== "TensorFlow"

    ```py hl_lines="1"
    framework = "tf"
    ```

``` { .python }
print(shared)
```

```text title="Output"
1
```
'''


def test_chain_counts_fences_with_attributes():
    torch_chain = extract_chain(PAGE, "example.md", "PyTorch")
    tf_chain = extract_chain(PAGE, "example.md", "TensorFlow")
    assert [block.code for block in torch_chain] == [
        "shared = 1\n", 'framework = "torch"\n', "print(shared)\n"
    ]
    assert [block.code for block in tf_chain] == [
        "shared = 1\n", 'framework = "tf"\n', "print(shared)\n"
    ]


def test_chain_attaches_outputs_to_blocks():
    torch_chain = extract_chain(PAGE, "example.md", "PyTorch")
    assert torch_chain[1].expected_stdout == "torch\n"
    assert torch_chain[1].tab == "PyTorch"
    assert torch_chain[2].expected_stdout == "1\n"
    assert torch_chain[2].tab is None


def test_chain_blocks_name_source_lines():
    torch_chain = extract_chain(PAGE, "example.md", "PyTorch")
    assert [block.line for block in torch_chain] == [3, 9, 23]
    assert torch_chain[1].origin == "example.md:9 (tab 'PyTorch')"
    assert torch_chain[2].origin == "example.md:23 (outside the tabs)"


def test_compare_output_accepts_two_last_digit_units():
    assert compare_output("loss 0.5848\n", "loss 0.5850\n") is None
    assert compare_output("loss 0.5848\n", "loss 0.5846\n") is None


def test_compare_output_rejects_three_last_digit_units():
    assert compare_output("loss 0.5848\n", "loss 0.5851\n") is not None


def test_compare_output_rejects_other_framework_number():
    # The PyTorch tab's test MSE must not pass for the TensorFlow tab's.
    assert compare_output("test MSE: 0.5491\n", "test MSE: 0.5500\n") is not None


def test_compare_output_rejects_integer_difference():
    assert compare_output("(14860, 8)\n", "(14861, 8)\n") is not None


def test_compare_output_rejects_extra_line():
    assert compare_output("a\n", "a\nb\n") == "expected 1 lines, got 2"


def test_progress_line_masks_timing():
    stderr = (
        "training:   0%|          | 0/20 [00:00<?, ?epoch/s]\r"
        "training: 100%|##########| 20/20 [00:04<00:00,  4.40epoch/s, train=0.399]\n"
    )
    line = last_progress_line(stderr)
    assert line == "training: 100%|##########| 20/20 [00:04<00:00,  4.40epoch/s, train=0.399]"
    assert mask_progress_timing(line) == "training: 100%|##########| 20/20 [<time>, <rate>, train=0.399]"


def test_render_names_misspelled_section(tmp_path):
    page = REPO_ROOT / "docs" / "broken-include-test.md"
    page.write_text('# Page\n\n```python\n--8<-- "snippets/part1_torch.py:trainig"\n```\n')
    try:
        with pytest.raises(SnippetIncludeError) as error:
            render_snippets(page)
    finally:
        page.unlink()
    assert "docs/broken-include-test.md:4" in str(error.value)
    assert "section 'trainig' not found" in str(error.value)


@pytest.mark.parametrize("cache_bytes", [None, b"\x00" * 1000], ids=["missing", "truncated"])
def test_bad_data_stops_run_with_one_message(tmp_path, cache_bytes):
    # A data home without a valid cache file, and a proxy on a closed local port:
    # no usable data and no network.
    if cache_bytes is not None:
        (tmp_path / "cal_housing_py3.pkz").write_bytes(cache_bytes)
    env = dict(
        os.environ,
        SCIKIT_LEARN_DATA=str(tmp_path),
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        no_proxy="",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_snippets.py"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert output.count("ERROR:") == 1, output
    assert "SCIKIT_LEARN_DATA" in output
    assert "cal_housing_py3.pkz" in output
    assert "Traceback" not in output
