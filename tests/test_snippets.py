"""Run each snippet module end to end, as `python snippets/<module>.py` does."""

from __future__ import annotations

import math
import runpy
import sys
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.datasets import fetch_california_housing


from page_chains import last_progress_line

SNIPPETS = Path(__file__).resolve().parent.parent / "snippets"
FRAMEWORK_MODULES = ["part1_torch.py", "part1_tf.py", "part1_numpy.py"]

NUM_EPOCHS = 20
NUM_STEPS = 2980  # 20 epochs x ceil(14860 / 100) batches
# After 20 epochs, gradient descent is within 1% of the least-squares validation MSE.
REFERENCE_REL_TOL = 0.01


def to_numpy(tensor: Any) -> np.ndarray:
    """Convert a PyTorch tensor (tracked or not) or a TensorFlow tensor to NumPy."""
    if hasattr(tensor, "detach"):
        tensor = tensor.detach()
    return np.asarray(tensor)


def run_module(name: str) -> tuple[dict[str, Any], str, str]:
    """Run a snippet module as __main__; return its globals, standard output and standard error."""
    sys.path.insert(0, str(SNIPPETS))  # as `python snippets/<module>.py` does
    stdout, stderr = StringIO(), StringIO()
    try:
        with redirect_stdout(stdout), redirect_stderr(stderr):
            namespace = runpy.run_path(str(SNIPPETS / name), run_name="__main__")
    finally:
        sys.path.remove(str(SNIPPETS))
    return namespace, stdout.getvalue(), stderr.getvalue()


@pytest.fixture(scope="module", params=FRAMEWORK_MODULES)
def module_run(request: pytest.FixtureRequest) -> tuple[dict[str, Any], str, str]:
    return run_module(request.param)


def test_data_target_centred_from_y():
    namespace, _, _ = run_module("part1_data.py")
    target = fetch_california_housing().target.reshape(-1, 1)
    assert namespace["y"].shape == (20640, 1)
    np.testing.assert_allclose(namespace["y"], target - target.mean(), atol=1e-12)


def test_data_split_sizes():
    namespace, _, _ = run_module("part1_data.py")
    assert namespace["X_train"].shape == (14860, 8)
    assert namespace["X_valid"].shape == (3716, 8)
    assert namespace["X_test"].shape == (2064, 8)
    assert namespace["y_train"].shape == (14860, 1)


def test_module_validation_mse_near_reference(module_run):
    namespace, _, _ = module_run
    reference = float(namespace["reference_valid_mse"])
    assert math.isclose(namespace["valid_mse"], reference, rel_tol=REFERENCE_REL_TOL)


def test_module_test_mse_near_reference(module_run):
    namespace, _, _ = module_run
    reference = float(namespace["reference_test_mse"])
    assert math.isclose(namespace["test_mse"], reference, rel_tol=2 * REFERENCE_REL_TOL)


def test_module_weights_shape(module_run):
    namespace, _, _ = module_run
    assert to_numpy(namespace["W"]).shape == (8, 1)
    assert to_numpy(namespace["b"]).shape == (1,)


def test_module_loss_history(module_run):
    namespace, _, _ = module_run
    train_losses = np.array(namespace["train_losses"])
    valid_losses = np.array(namespace["valid_losses"])
    assert train_losses.shape == (NUM_STEPS,)
    assert valid_losses.shape == (NUM_EPOCHS,)
    assert np.isfinite(train_losses).all()
    assert np.isfinite(valid_losses).all()
    # Training lowers the loss: the last epoch's validation loss is below the first's.
    assert valid_losses[-1] < valid_losses[0]


def test_module_prints_final_metrics(module_run):
    namespace, stdout, _ = module_run
    assert f"validation MSE: {namespace['valid_mse']:.4f}" in stdout
    assert f"test MSE:       {namespace['test_mse']:.4f}" in stdout


def test_mse_loss_rejects_shape_mismatch(module_run):
    namespace, _, _ = module_run
    mse_loss = namespace["mse_loss"]
    y_hat = namespace["model"](namespace["X_valid"][:7])  # (7, 1)
    y_flat = namespace["y_valid"][:7, 0]                   # (7,)

    with pytest.raises(ValueError) as error:
        mse_loss(y_hat, y_flat)
    assert "y_hat has shape (7, 1)" in str(error.value)
    assert "y has shape (7,)" in str(error.value)


def test_progress_bar_redraws_once_per_epoch_at_most(module_run):
    _, _, stderr = module_run
    redraws = [segment for segment in stderr.replace("\r", "\n").splitlines() if "epoch" in segment]
    assert last_progress_line(stderr) is not None
    # One redraw per epoch, plus the empty bar at the start and the final one at close.
    assert len(redraws) <= NUM_EPOCHS + 2
    assert len(stderr.encode("utf-8")) < 5000
