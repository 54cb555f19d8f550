"""Run every tutorial page once per framework tab, as a reader pasting it would."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from page_chains import (
    REPO_ROOT,
    Block,
    ChainRun,
    compare_output,
    last_progress_line,
    mask_progress_timing,
    page_chains,
    run_chain,
)

PAGES = sorted((REPO_ROOT / "docs").rglob("*.md"))


def chain_ids() -> list[tuple[Path, str]]:
    """List (page, tab label) for every page that has Python blocks."""
    ids = []
    for page in PAGES:
        for label, chain in page_chains(page).items():
            if chain:
                ids.append((page, label))
    return ids


@functools.cache
def chain_and_run(page: Path, label: str) -> tuple[list[Block], ChainRun]:
    """Extract and run one chain once per test session."""
    chain = page_chains(page)[label]
    return chain, run_chain(chain)


CHAINS = chain_ids()
CHAIN_NAMES = [f"{page.relative_to(REPO_ROOT).as_posix()}[{label}]" for page, label in CHAINS]


def describe_failure(block: Block, stderr: str) -> str:
    tail = "\n".join(stderr.splitlines()[-25:])
    return f"{block.origin} failed:\n{block.code}\n--- standard error (last lines) ---\n{tail}"


@pytest.mark.parametrize(("page", "label"), CHAINS, ids=CHAIN_NAMES)
def test_chain_runs(page, label):
    chain, run = chain_and_run(page, label)
    if run.returncode != 0:
        failed = chain[len(run.results)] if len(run.results) < len(chain) else chain[-1]
        pytest.fail(describe_failure(failed, run.failed_stderr))
    assert len(run.results) == len(chain)


@pytest.mark.parametrize(("page", "label"), CHAINS, ids=CHAIN_NAMES)
def test_chain_outputs_match_page(page, label):
    chain, run = chain_and_run(page, label)
    assert run.returncode == 0, "the chain failed; see test_chain_runs"
    for block, result in zip(chain, run.results, strict=True):
        if block.expected_stdout is not None:
            difference = compare_output(block.expected_stdout, result.stdout)
            assert difference is None, (
                f"{block.origin}: the page shows an output that the code does not print: "
                f"{difference}\n--- the code prints ---\n{result.stdout}"
            )
        else:
            assert result.stdout == "", (
                f"{block.origin} prints output that the page does not show:\n{result.stdout}"
            )
        if block.expected_progress is not None:
            progress = last_progress_line(result.stderr)
            assert progress is not None, f"{block.origin}: no progress bar on standard error"
            difference = compare_output(
                mask_progress_timing(block.expected_progress), mask_progress_timing(progress)
            )
            assert difference is None, f"{block.origin}: progress bar differs: {difference}"


@pytest.mark.parametrize(("page", "label"), CHAINS, ids=CHAIN_NAMES)
def test_chain_output_is_deterministic(page, label):
    chain, first = chain_and_run(page, label)
    second = run_chain(chain)
    assert second.returncode == 0
    assert [result.stdout for result in second.results] == [result.stdout for result in first.results]


def test_every_page_has_chains():
    part1 = REPO_ROOT / "docs" / "part1-from-scratch.md"
    assert (part1, "PyTorch") in CHAINS
    assert (part1, "TensorFlow") in CHAINS
    assert (part1, "NumPy") in CHAINS
