"""Shared test set-up: stop the whole run early when the data set is missing."""

from __future__ import annotations

import fcntl
import logging
import os
import warnings
from pathlib import Path

import pytest
from sklearn.datasets import fetch_california_housing, get_data_home

from page_chains import REPO_ROOT
from site_build import mkdocs_build

log = logging.getLogger(__name__)

CACHE_FILE = "cal_housing_py3.pkz"


def missing_data_message(error: Exception) -> str:
    """Explain how to provide the California housing data without a network."""
    return (
        f"The California housing data set is missing or unreadable in scikit-learn's data "
        f"home ({get_data_home()}), and loading or downloading it failed "
        f"({type(error).__name__}: {error}).\n"
        f"Provide it in one of two ways (delete a corrupt {CACHE_FILE} first):\n"
        f"  - run the tests once with internet access, so scikit-learn caches it, or\n"
        f"  - set SCIKIT_LEARN_DATA to a folder that contains scikit-learn's cache file "
        f"{CACHE_FILE}, for example: export SCIKIT_LEARN_DATA=/path/to/scikit_learn_data"
    )


def pytest_configure(config: pytest.Config) -> None:
    """Load the data set once, or stop with one message instead of a failure per test."""
    log.info("SCIKIT_LEARN_DATA=%s", os.environ.get("SCIKIT_LEARN_DATA", "(not set)"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # scikit-learn's "Retry downloading"
            fetch_california_housing(n_retries=1, delay=0.1)
    # A missing file or no network raises OSError (URLError is one), but a corrupt
    # cache file can raise almost anything from joblib and pickle (KeyError,
    # EOFError, ValueError, zlib.error), and every case means the data is unusable.
    except Exception as error:
        raise pytest.UsageError(missing_data_message(error)) from None


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site once per test run, with notebooks and checks executed.

    Under pytest-xdist every worker requests the site. The first one builds it
    under a file lock in a folder named by the run's id, and the others reuse it.
    """
    try:
        run_id = request.getfixturevalue("testrun_uid")  # from pytest-xdist, shared by its workers
    except pytest.FixtureLookupError:
        run_id = "single-process"
    shared = tmp_path_factory.getbasetemp().parent / f"site-{run_id}"
    shared.mkdir(parents=True, exist_ok=True)
    site_dir, done = shared / "site", shared / "built"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            log.info("building the site into %s", site_dir)
            result = mkdocs_build(REPO_ROOT / "mkdocs.yml", site_dir, {"DL4R_EXECUTE": "1"})
            assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
            done.touch()
    return site_dir

