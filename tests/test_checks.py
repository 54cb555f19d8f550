"""Gradient checks and cross-framework agreement, with the tolerances the page states."""

from __future__ import annotations

import numpy as np
import pytest


import part1_checks as checks  # in snippets/, which pytest.ini puts on sys.path


@pytest.fixture(scope="module")
def results() -> checks.CheckResults:
    return checks.run_checks()


@pytest.mark.parametrize("framework", ["PyTorch", "TensorFlow"])
def test_autograd_matches_hand_gradient(results, framework):
    assert results.gradient_gaps[framework] <= checks.GRADIENT_TOL


def test_hand_gradient_matches_finite_difference(results):
    assert results.finite_difference_gap <= checks.FINITE_DIFFERENCE_TOL


@pytest.mark.parametrize("framework", ["PyTorch", "TensorFlow"])
def test_trained_weights_agree_with_numpy(results, framework):
    assert results.weight_gaps[framework] <= checks.WEIGHT_TOL


@pytest.mark.parametrize("framework", ["PyTorch", "TensorFlow"])
def test_loss_histories_agree_with_numpy(results, framework):
    assert results.loss_gaps[framework] <= checks.LOSS_REL_TOL


def test_checks_cover_every_step(results):
    assert results.num_steps == 2980
    assert set(results.final_valid_mse) == {"PyTorch", "TensorFlow", "NumPy"}


def test_checks_report_library_versions(results):
    assert results.versions["torch"].startswith("2.13.0")
    assert results.versions["tensorflow-cpu"] == "2.21.0"
    assert results.versions["numpy"] == np.__version__


def test_finite_difference_catches_wrong_gradient():
    namespace = checks.prepared_namespace("NumPy")
    correct = namespace["mse_gradients"]

    def half_gradient(X, y_hat, y):
        dW, db = correct(X, y_hat, y)
        return dW / 2, db / 2  # the 2 of the derivative forgotten

    namespace["mse_gradients"] = half_gradient
    assert checks.finite_difference_check(namespace) > 1e-3


def test_section_code_names_missing_section():
    with pytest.raises(KeyError) as error:
        checks.section_code("part1_numpy.py", "trainig")
    assert "section 'trainig' not found in snippets/part1_numpy.py" in str(error.value)
    assert "training" in str(error.value)


def test_numpy_gradients_reject_shape_mismatch():
    namespace = checks.prepared_namespace("NumPy")
    xb = namespace["X_train"][:7]
    y_hat = namespace["model"](xb)                # (7, 1)
    y_flat = namespace["y_train"][:7].reshape(-1)  # (7,)
    with pytest.raises(ValueError) as error:
        namespace["mse_gradients"](xb, y_hat, y_flat)
    assert "y_hat has shape (7, 1)" in str(error.value)
    assert "y has shape (7,)" in str(error.value)
