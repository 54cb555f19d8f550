"""Print the library versions of the build environment, for pages to state where outputs come from.

The site build inserts this output with `<!-- insert-output: hooks/provenance.py -->`.
"""

from __future__ import annotations

import importlib.metadata
import platform

PACKAGES = ["numpy", "scikit-learn", "torch", "tensorflow-cpu", "tqdm", "matplotlib"]


def versions() -> dict[str, str]:
    """Return Python's and each package's installed version ("not installed" when missing)."""
    found = {"Python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


if __name__ == "__main__":
    print(", ".join(f"{name} {version}" for name, version in versions().items()))
