"""Build the real site with `mkdocs build --strict`, for the tests that inspect it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from page_chains import REPO_ROOT

PART1_HTML = Path("part1-from-scratch") / "index.html"


def mkdocs_build(
    config_file: Path, site_dir: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict` from the repository root, as a user does."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config_file), "-d", str(site_dir)],
        cwd=REPO_ROOT,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1", **(extra_env or {})),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
