"""Checks that tie the three Part I tabs together: gradients and training runs.

Both the test suite and the site build use these functions, so the "Check your
work" section of the page shows numbers computed by the same code the tests
assert on. The checks execute the page's own snippet sections, not copies.

Run `python snippets/part1_checks.py` to print the results as Markdown, or
with `--json` as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import io
import json
import logging
import math
import platform
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

SNIPPETS = Path(__file__).resolve().parent
FRAMEWORK_MODULES = {
    "PyTorch": "part1_torch.py",
    "TensorFlow": "part1_tf.py",
    "NumPy": "part1_numpy.py",
}
SEED = 0
FINITE_DIFFERENCE_STEP = 1e-6

# Tolerances that the tests assert and the page states.
# float32 gradients of one batch: autograd and the hand-written formula differ
# only by the order of float32 sums.
GRADIENT_TOL = 1e-6
# The float64 hand-written gradient against a central finite difference: the
# loss is quadratic, so the central difference is exact up to rounding.
FINITE_DIFFERENCE_TOL = 1e-8
# After 2,980 float32 steps from the same start: weights and per-step losses.
WEIGHT_TOL = 1e-5
LOSS_REL_TOL = 1e-5

SECTION_MARKER = re.compile(r"^\s*#\s*-+8<-+\s*\[\s*(start|end)\s*:\s*([-_0-9a-z]+)\s*\]\s*$", re.I)
PACKAGES = ["numpy", "scikit-learn", "torch", "tensorflow-cpu", "tqdm"]


def section_code(module: str, name: str) -> str:
    """Return the code of one `--8<--` section of a snippet module."""
    lines = (SNIPPETS / module).read_text(encoding="utf-8").splitlines()
    inside = False
    found: list[str] = []
    names = []
    for line in lines:
        marker = SECTION_MARKER.match(line)
        if marker is None:
            if inside:
                found.append(line)
            continue
        kind, section = marker.groups()
        names.append(section)
        if section == name:
            inside = kind == "start"
            if not inside:
                return "\n".join(found) + "\n"
    available = ", ".join(dict.fromkeys(names)) or "none"
    raise KeyError(f"section {name!r} not found in snippets/{module} (its sections: {available})")


def initial_parameters() -> tuple[np.ndarray, np.ndarray]:
    """Return the shared starting point: W (8, 1) and b (1,), float32, seeded."""
    rng = np.random.default_rng(SEED)
    W = rng.standard_normal((8, 1), dtype=np.float32) / math.sqrt(8)
    b = np.zeros(1, dtype=np.float32)
    return W, b


def to_framework(framework: str, array: np.ndarray) -> Any:
    """Convert a NumPy array to the framework's tensor type, keeping float32."""
    if framework == "PyTorch":
        import torch

        return torch.tensor(array)
    if framework == "TensorFlow":
        import tensorflow as tf

        return tf.constant(array)
    return array.copy()


def to_numpy(tensor: Any) -> np.ndarray:
    """Convert any framework's tensor or variable to a NumPy array."""
    if hasattr(tensor, "detach"):
        tensor = tensor.detach()
    return np.asarray(tensor)


def run_sections(framework: str, names: list[str], namespace: dict[str, Any]) -> None:
    """Execute sections of a framework's module in `namespace`, discarding what they print."""
    module = FRAMEWORK_MODULES[framework]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for name in names:
            code = compile(section_code(module, name), f"snippets/{module}:{name}", "exec")
            exec(code, namespace)


def prepared_namespace(framework: str) -> dict[str, Any]:
    """Return a tab's namespace after the data, tensors, shared W and b, model and loss steps.

    The tab's own "parameters" step is replaced by `initial_parameters()`, so every
    framework starts from the same weights.
    """
    sys.path.insert(0, str(SNIPPETS))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import part1_data
    finally:
        sys.path.remove(str(SNIPPETS))

    namespace: dict[str, Any] = {"__name__": "__main__"}
    for name in ["X_train", "y_train", "X_valid", "y_valid", "X_test", "y_test",
                 "reference_valid_mse", "reference_test_mse"]:
        namespace[name] = getattr(part1_data, name)
    run_sections(framework, ["imports", "tensors"], namespace)

    W, b = initial_parameters()
    namespace["W"] = to_framework(framework, W)
    namespace["b"] = to_framework(framework, b)
    run_sections(framework, ["gradients", "model", "loss"], namespace)
    return namespace


def batch_gradients(framework: str, namespace: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Return dL/dW and dL/db on the first training batch, computed as the tab computes them."""
    xb = namespace["X_train"][:100]
    yb = namespace["y_train"][:100]
    model, mse_loss = namespace["model"], namespace["mse_loss"]
    W, b = namespace["W"], namespace["b"]

    if framework == "PyTorch":
        loss = mse_loss(model(xb), yb)
        loss.backward()
        dW, db = W.grad, b.grad
    elif framework == "TensorFlow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = mse_loss(model(xb), yb)
        dW, db = tape.gradient(loss, [W, b])
    else:
        dW, db = namespace["mse_gradients"](xb, model(xb), yb)
    return to_numpy(dW), to_numpy(db)


def finite_difference_check(numpy_namespace: dict[str, Any]) -> float:
    """Return the largest gap between the float64 hand-written gradient and a central difference."""
    xb = np.asarray(numpy_namespace["X_train"][:100], dtype=np.float64)
    yb = np.asarray(numpy_namespace["y_train"][:100], dtype=np.float64)
    mse_loss, mse_gradients = numpy_namespace["mse_loss"], numpy_namespace["mse_gradients"]
    W32, b32 = initial_parameters()
    theta = np.concatenate([W32.ravel(), b32]).astype(np.float64)  # (D + 1,): W then b

    def loss_at(params: np.ndarray) -> float:
        W, b = params[:-1].reshape(-1, 1), params[-1:]
        return float(mse_loss(xb @ W + b, yb))

    W, b = theta[:-1].reshape(-1, 1), theta[-1:]
    dW, db = mse_gradients(xb, xb @ W + b, yb)
    analytic = np.concatenate([dW.ravel(), db])

    numeric = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = FINITE_DIFFERENCE_STEP
        numeric[i] = (loss_at(theta + step) - loss_at(theta - step)) / (2 * FINITE_DIFFERENCE_STEP)
    return float(np.max(np.abs(analytic - numeric)))


@dataclass
class TrainingRun:
    """Final parameters and loss histories of one tab's training step."""

    W: np.ndarray
    b: np.ndarray
    train_losses: np.ndarray
    valid_losses: np.ndarray


def train_from_shared_start(framework: str) -> TrainingRun:
    """Run the tab's training step from `initial_parameters()` and return the result."""
    namespace = prepared_namespace(framework)
    run_sections(framework, ["training"], namespace)
    return TrainingRun(
        W=to_numpy(namespace["W"]),
        b=to_numpy(namespace["b"]),
        train_losses=np.asarray(namespace["train_losses"]),
        valid_losses=np.asarray(namespace["valid_losses"]),
    )


@dataclass
class CheckResults:
    """Everything the "Check your work" section shows."""

    versions: dict[str, str]
    seed: int
    gradient_gaps: dict[str, float]      # framework -> max |gradient - NumPy gradient|
    finite_difference_gap: float
    weight_gaps: dict[str, float]        # framework -> max |W, b - NumPy's W, b| after training
    loss_gaps: dict[str, float]          # framework -> max relative per-step loss gap
    num_steps: int
    final_valid_mse: dict[str, float]


def library_versions() -> dict[str, str]:
    """Return the versions of Python and of the packages that produced the results."""
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def run_checks() -> CheckResults:
    """Run the gradient check and the cross-framework training comparison."""
    namespaces = {framework: prepared_namespace(framework) for framework in FRAMEWORK_MODULES}
    gradients = {framework: batch_gradients(framework, ns) for framework, ns in namespaces.items()}
    dW_ref, db_ref = gradients["NumPy"]
    gradient_gaps = {
        framework: float(max(np.max(np.abs(dW - dW_ref)), np.max(np.abs(db - db_ref))))
        for framework, (dW, db) in gradients.items()
        if framework != "NumPy"
    }

    runs = {framework: train_from_shared_start(framework) for framework in FRAMEWORK_MODULES}
    reference = runs["NumPy"]
    weight_gaps, loss_gaps = {}, {}
    for framework, run in runs.items():
        if framework == "NumPy":
            continue
        weight_gaps[framework] = float(max(
            np.max(np.abs(run.W - reference.W)), np.max(np.abs(run.b - reference.b))
        ))
        relative = np.abs(run.train_losses - reference.train_losses) / reference.train_losses
        loss_gaps[framework] = float(np.max(relative))

    return CheckResults(
        versions=library_versions(),
        seed=SEED,
        gradient_gaps=gradient_gaps,
        finite_difference_gap=finite_difference_check(namespaces["NumPy"]),
        weight_gaps=weight_gaps,
        loss_gaps=loss_gaps,
        num_steps=len(reference.train_losses),
        final_valid_mse={framework: float(run.valid_losses[-1]) for framework, run in runs.items()},
    )


def verdict(gap: float, tolerance: float) -> str:
    return "pass" if gap <= tolerance else "**FAIL**"


def results_markdown(results: CheckResults) -> str:
    """Format the results as the Markdown of the page's "Check your work" section."""
    lines = [
        f"Computed when this page was built, on one batch of 100 rows and on {results.num_steps:,} "
        f"training steps. Seed {results.seed}; "
        + ", ".join(f"{name} {version}" for name, version in results.versions.items())
        + ".",
        "",
        "| check | compared with | largest gap | tolerance | result |",
        "| --- | --- | --- | --- | --- |",
    ]
    for framework, gap in results.gradient_gaps.items():
        lines.append(
            f"| {framework} gradient, one batch | NumPy by hand | {gap:.1e} | {GRADIENT_TOL:.0e} "
            f"| {verdict(gap, GRADIENT_TOL)} |"
        )
    gap = results.finite_difference_gap
    lines.append(
        f"| NumPy gradient by hand (float64) | central finite difference | {gap:.1e} "
        f"| {FINITE_DIFFERENCE_TOL:.0e} | {verdict(gap, FINITE_DIFFERENCE_TOL)} |"
    )
    for framework, gap in results.weight_gaps.items():
        lines.append(
            f"| {framework} W and b after 20 epochs | NumPy | {gap:.1e} | {WEIGHT_TOL:.0e} "
            f"| {verdict(gap, WEIGHT_TOL)} |"
        )
    for framework, gap in results.loss_gaps.items():
        lines.append(
            f"| {framework} loss, every step (relative) | NumPy | {gap:.1e} | {LOSS_REL_TOL:.0e} "
            f"| {verdict(gap, LOSS_REL_TOL)} |"
        )
    lines += [
        "",
        "Validation MSE after 20 epochs from the shared start: "
        + ", ".join(f"{framework} {mse:.4f}" for framework, mse in results.final_valid_mse.items())
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = run_checks()
    print(json.dumps(asdict(results), indent=2) if args.json else results_markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
