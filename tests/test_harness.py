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
)

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


def test_compare_output_accepts_last_digit():
    assert compare_output("loss 0.5848\n", "loss 0.5849\n") is None


def test_compare_output_rejects_real_difference():
    assert compare_output("loss 0.5848\n", "loss 0.5901\n") is not None


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


def test_missing_data_stops_run_with_one_message(tmp_path):
    # An empty data home and a proxy on a closed local port: no data, no network.
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
