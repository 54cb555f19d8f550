"""Project-wide rules: tab parity, the nav, and the lock file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mkdocs.config import load_config
from packaging.requirements import Requirement
from packaging.version import Version

from page_chains import FENCE, REPO_ROOT, TAB_HEADER, outside_fences

TAB_LABELS = ["PyTorch", "TensorFlow", "NumPy"]
HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.+?)\s*$")


def tab_sets(text: str) -> list[tuple[str, int, list[str]]]:
    """Return (heading above it, line, labels) for each tab set of a page.

    Consecutive `===` headers at one indentation, separated only by their
    indented content, form one set.
    """
    lines = text.splitlines()
    outside = outside_fences(lines)
    sets: list[tuple[str, int, list[str]]] = []
    heading = "(top of page)"
    current: tuple[int, list[str]] | None = None  # (indent, labels) of the set being read
    for number, (line, is_outside) in enumerate(zip(lines, outside), start=1):
        match = TAB_HEADER.match(line) if is_outside else None
        if match:
            indent = len(match.group("indent"))
            if current is not None and current[0] == indent:
                current[1].append(match.group("label"))
            else:
                current = (indent, [match.group("label")])
                sets.append((heading, number, current[1]))
            continue
        if is_outside and (title := HEADING.match(line)):
            heading = title.group("title")
        if current is not None and line.strip() and len(line) - len(line.lstrip(" ")) <= current[0]:
            current = None
    return sets


def parity_problems(page_name: str, text: str) -> list[str]:
    problems = []
    for heading, line, labels in tab_sets(text):
        if labels != TAB_LABELS:
            problems.append(
                f"{page_name}:{line}: step '{heading}' has tabs {labels}, expected {TAB_LABELS} in that "
                "order; add the missing tab or fix the label, because linked tabs match by exact text"
            )
    return problems


@pytest.mark.parametrize("page", sorted((REPO_ROOT / "docs").rglob("*.md")), ids=lambda page: page.name)
def test_tab_sets_have_every_framework(page):
    problems = parity_problems(page.relative_to(REPO_ROOT).as_posix(), page.read_text(encoding="utf-8"))
    assert problems == [], "\n".join(problems)


def test_tab_parity_names_page_and_step():
    text = '## 3. Parameters\n\n=== "PyTorch"\n\n    a\n\n=== "Tensorflow"\n\n    b\n\n=== "NumPy"\n\n    c\n'
    assert parity_problems("docs/x.md", text) == [
        "docs/x.md:3: step '3. Parameters' has tabs ['PyTorch', 'Tensorflow', 'NumPy'], expected "
        "['PyTorch', 'TensorFlow', 'NumPy'] in that order; add the missing tab or fix the label, "
        "because linked tabs match by exact text"
    ]


def test_tab_parity_ignores_fenced_templates():
    text = '````markdown\n=== "PyTorch"\n\n    a\n````\n'
    assert tab_sets(text) == []
    assert FENCE.match("````markdown")


def nav_sources(nav: list) -> set[str]:
    found: set[str] = set()
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(value, list):
            found |= nav_sources(value)
        elif isinstance(value, str):
            found.add(value)
    return found


def test_every_page_in_nav():
    config = load_config(str(REPO_ROOT / "mkdocs.yml"))
    in_nav = nav_sources(config["nav"])
    docs = REPO_ROOT / "docs"
    missing = sorted(page.relative_to(docs).as_posix() for page in docs.rglob("*.md")
                     if page.relative_to(docs).as_posix() not in in_nav)
    assert missing == [], (
        f"pages missing from nav in mkdocs.yml: {missing}; add each under nav, or move it out of docs/"
    )


def pinned(path: Path) -> dict[str, str]:
    """Return {normalized name: version} for the `name==version` lines of a requirements file."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().rstrip("\\").strip()
        if "==" in line and not line.startswith("-"):
            requirement = Requirement(line)
            pins[requirement.name.lower().replace("_", "-")] = str(next(iter(requirement.specifier)).version)
    return pins


def lock_problems(requirements: Path, lock: Path) -> list[str]:
    expected, locked = pinned(requirements), pinned(lock)
    problems = []
    for name, version in expected.items():
        got = locked.get(name)
        # A local label such as +cpu still satisfies ==version (PEP 440).
        if got is None or Version(got).public != Version(version).public:
            problems.append(f"{name}=={version} in {requirements.name}, but {lock.name} has {got}")
    if problems:
        problems.append(f"{lock.name} is stale: run `make lock` and commit {lock.name}")
    return problems


def test_lock_in_sync_with_requirements():
    problems = lock_problems(REPO_ROOT / "requirements.txt", REPO_ROOT / "requirements.lock")
    assert problems == [], "\n".join(problems)


def test_lock_check_names_stale_pin(tmp_path):
    (tmp_path / "requirements.txt").write_text("tqdm==4.70.1\ntorch==2.13.0\n")
    (tmp_path / "requirements.lock").write_text(
        "tqdm==4.69.0 \\\n    --hash=sha256:00\ntorch==2.13.0+cpu \\\n    --hash=sha256:00\n"
    )
    assert lock_problems(tmp_path / "requirements.txt", tmp_path / "requirements.lock") == [
        "tqdm==4.70.1 in requirements.txt, but requirements.lock has 4.69.0",
        "requirements.lock is stale: run `make lock` and commit requirements.lock",
    ]


@pytest.mark.parametrize("template", ["templates/partN_torch.py", "templates/tutorial-page.md"])
def test_authoring_guide_shows_templates(template):
    guide = (REPO_ROOT / "docs" / "authoring.md").read_text(encoding="utf-8")
    # The guide escapes the snippet markers (;--8<--) so that the build shows them as text.
    shown = re.search(rf'title="{re.escape(template)}"\n(?P<body>.*?)\n`{{3,4}}\n', guide, re.DOTALL)
    assert shown is not None, f"docs/authoring.md does not show {template}"
    assert shown.group("body").replace(";--8<--", "--8<--") + "\n" == (REPO_ROOT / template).read_text(encoding="utf-8")
