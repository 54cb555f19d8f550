"""Measure the training speed of Part I's own code, per framework and variant.

Usage, from the repository root:

    .venv/bin/python benchmarks/training_speed.py [--frameworks PyTorch,TensorFlow,NumPy]
                                                  [--repetitions 3] [--no-save]
    .venv/bin/python benchmarks/training_speed.py --report   # print the last results as Markdown

Each variant executes sections of the page's snippet modules (never copies of
them), starting from the same weights, and reports steps per second: the median
over the repetitions, after one untimed warm-up run. The warm-up includes
torch.compile's compilation; tf.function traces earlier, when the page's
section runs during set-up. Ratios are against PyTorch's page loop. The results go to
benchmarks/results/training_speed.json, which the site shows.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import importlib.util
import io
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("training_speed")

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "training_speed.json"
FRAMEWORKS = {"PyTorch": "torch", "TensorFlow": "tensorflow", "NumPy": "numpy"}
PACKAGES = {"PyTorch": "torch", "TensorFlow": "tensorflow-cpu", "NumPy": "numpy"}
STEPS_PER_EPOCH = 149
# Goals that the report checks.
FAST_TENSORFLOW_GOAL = 0.8  # TensorFlow's fastest variant against PyTorch's page loop
PROGRESS_BAR_COST_GOAL = 0.10  # page loop with the bar against the same loop without it

sys.path.insert(0, str(ROOT / "snippets"))


class NoBar:
    """A stand-in for tqdm that draws nothing, to measure what the bar costs."""

    def __init__(self, iterable: Any, **options: Any) -> None:
        self.iterable = iterable

    def __iter__(self):
        return iter(self.iterable)

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass


def quiet() -> contextlib.ExitStack:
    """Discard what the page code prints (its progress bar included)."""
    stack = contextlib.ExitStack()
    stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
    stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return stack


def fresh_namespace(framework: str) -> dict[str, Any]:
    """Return the tab's namespace up to the loss step, with the shared starting weights."""
    import part1_checks

    with quiet():
        return part1_checks.prepared_namespace(framework)


def run_section(framework: str, name: str, namespace: dict[str, Any]) -> None:
    import part1_checks

    part1_checks.run_sections(framework, [name], namespace)


def page_loop(framework: str, with_bar: bool) -> Callable[[], int]:
    """Return a run of the page's training step (20 epochs); it returns the steps taken."""

    def run() -> int:
        namespace = fresh_namespace(framework)
        if not with_bar:
            namespace["tqdm"] = NoBar
        run_section(framework, "training", namespace)
        return len(namespace["train_losses"])

    return run


def trained_namespace(framework: str) -> dict[str, Any]:
    """Return the tab's namespace after its training step, as a reader has it at step 9."""
    namespace = fresh_namespace(framework)
    namespace["tqdm"] = NoBar
    run_section(framework, "training", namespace)
    return namespace


def step_function(framework: str, epochs: int, compile_step: bool = False) -> Callable[[], int]:
    """Return a run of `epochs` epochs through the page's `train_step` (the "fast" section)."""
    namespace = trained_namespace(framework)
    run_section(framework, "fast", namespace)  # defines train_step and runs one epoch
    train_step = namespace["train_step"]
    if compile_step:
        import torch

        train_step = torch.compile(train_step)
    X, y, batch_size = namespace["X_train"], namespace["y_train"], namespace["batch_size"]

    def run() -> int:
        steps = 0
        for _ in range(epochs):
            for start in range(0, len(X), batch_size):
                train_step(X[start:start + batch_size], y[start:start + batch_size])
                steps += 1
        return steps

    return run


def epoch_function(epochs: int) -> Callable[[], int]:
    """Return a run of `epochs` calls of TensorFlow's `train_epoch` (the "fast_epoch" section)."""
    namespace = trained_namespace("TensorFlow")
    run_section("TensorFlow", "fast", namespace)
    run_section("TensorFlow", "fast_epoch", namespace)
    train_epoch, X, y = namespace["train_epoch"], namespace["X_train"], namespace["y_train"]

    def run() -> int:
        for _ in range(epochs):
            float(train_epoch(X, y))  # float() waits for the result
        return epochs * STEPS_PER_EPOCH

    return run


def variants(framework: str) -> dict[str, Callable[[], Callable[[], int]]]:
    """Name each variant of a framework and how to set it up."""
    table: dict[str, Callable[[], Callable[[], int]]] = {
        "page loop (progress bar per epoch)": lambda: page_loop(framework, with_bar=True),
        "page loop without progress bar": lambda: page_loop(framework, with_bar=False),
        "train_step": lambda: step_function(framework, epochs=5),
    }
    if framework == "PyTorch":
        table["train_step with torch.compile"] = lambda: step_function(framework, epochs=5, compile_step=True)
    if framework == "TensorFlow":
        table["train_step"] = lambda: step_function(framework, epochs=5)
        table["train_step with tf.function"] = table.pop("train_step")
        table["train_epoch with tf.function"] = lambda: epoch_function(epochs=20)
    return table


def measure(run: Callable[[], int], repetitions: int) -> tuple[float, float]:
    """Return (median steps per second, seconds of the warm-up run)."""
    with quiet():
        started = time.perf_counter()
        run()
        warm_up = time.perf_counter() - started
        rates = []
        for _ in range(repetitions):
            started = time.perf_counter()
            steps = run()
            rates.append(steps / (time.perf_counter() - started))
    return statistics.median(rates), warm_up


def installed(framework: str) -> bool:
    return importlib.util.find_spec(FRAMEWORKS[framework]) is not None


def parse_frameworks(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in FRAMEWORKS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown framework {', '.join(unknown) or '(none given)'}; choose from {', '.join(FRAMEWORKS)}"
        )
    return names


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def report(results: dict) -> str:
    """Format the results as Markdown, with the goals checked."""
    baseline = results.get("baseline_steps_per_second")
    lines = [
        f"Measured on {results['date']} with `benchmarks/training_speed.py`: median of "
        f"{results['repetitions']} repetitions after a warm-up run, on {results['machine']}, "
        + ", ".join(f"{name} {version}" for name, version in results["versions"].items())
        + ". Figures vary by machine and load; the ratios travel better than the rates.",
        "",
        "| framework | variant | steps/s | vs. PyTorch page loop | warm-up run (s) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for row in results["rows"]:
        ratio = f"{row['steps_per_second'] / baseline:.2f}x" if baseline else "n/a"
        lines.append(
            f"| {row['framework']} | {row['variant']} | {row['steps_per_second']:,.0f} | {ratio} "
            f"| {row['warm_up_seconds']:.2f} |"
        )
    for name in results.get("skipped", []):
        lines.append(f"| {name} | not installed, skipped | | | |")
    lines.append("")
    for goal in results.get("goals", []):
        lines.append(f"- {goal['name']}: {goal['value']} (goal {goal['goal']}): {'met' if goal['met'] else '**not met**'}")
    return "\n".join(lines) + "\n"


def check_goals(rows: list[dict], baseline: float | None) -> list[dict]:
    goals = []
    rates = {(row["framework"], row["variant"]): row["steps_per_second"] for row in rows}
    tensorflow = [rate for (framework, _), rate in rates.items() if framework == "TensorFlow"]
    if tensorflow and baseline:
        ratio = max(tensorflow) / baseline
        goals.append({"name": "fastest TensorFlow variant vs. PyTorch page loop",
                      "value": f"{ratio:.2f}x", "goal": f">= {FAST_TENSORFLOW_GOAL}x",
                      "met": ratio >= FAST_TENSORFLOW_GOAL})
    for framework in FRAMEWORKS:
        with_bar = rates.get((framework, "page loop (progress bar per epoch)"))
        without = rates.get((framework, "page loop without progress bar"))
        if with_bar and without:
            cost = 1 - with_bar / without
            goals.append({"name": f"{framework} progress-bar cost", "value": f"{cost:.1%}",
                          "goal": f"<= {PROGRESS_BAR_COST_GOAL:.0%}", "met": cost <= PROGRESS_BAR_COST_GOAL})
    return goals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Training speed of Part I's code, per framework and variant.")
    parser.add_argument("--frameworks", type=parse_frameworks, default=list(FRAMEWORKS),
                        help=f"comma-separated, from {', '.join(FRAMEWORKS)} (default: all)")
    parser.add_argument("--repetitions", type=positive, default=3,
                        help="timed runs per variant after the warm-up, at least 1 (default: 3)")
    parser.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    parser.add_argument("--report", action="store_true", help="print the last saved results as Markdown and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # An empty Inductor cache, so that the torch.compile warm-up is a first compilation.
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", tempfile.mkdtemp(prefix="inductor-cache-"))

    if args.report:
        if not RESULTS.is_file():
            print(f"{RESULTS} not found; run benchmarks/training_speed.py to measure.", file=sys.stderr)
            return 1
        print(report(json.loads(RESULTS.read_text(encoding="utf-8"))))
        return 0

    rows, skipped, versions = [], [], {}
    for framework in args.frameworks:
        if not installed(framework):
            log.warning("%s is not installed; skipping it", framework)
            skipped.append(framework)
            continue
        versions[framework] = importlib.metadata.version(PACKAGES[framework])
        for variant, setup in variants(framework).items():
            rate, warm_up = measure(setup(), args.repetitions)
            log.info("%s, %s: %.0f steps/s (warm-up %.2f s)", framework, variant, rate, warm_up)
            rows.append({"framework": framework, "variant": variant,
                         "steps_per_second": rate, "warm_up_seconds": warm_up})

    baseline = next((row["steps_per_second"] for row in rows
                     if row["framework"] == "PyTorch" and row["variant"].startswith("page loop (")), None)
    results = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} CPU cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "versions": versions,
        "repetitions": args.repetitions,
        "baseline_steps_per_second": baseline,
        "rows": rows,
        "skipped": skipped,
        "goals": check_goals(rows, baseline),
    }
    if not args.no_save:
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
