"""MkDocs hook: replace `<!-- insert-output: SCRIPT [ARGUMENTS] -->` with what SCRIPT prints.

The script runs with the build's Python from the repository root, and its
standard output (Markdown) takes the place of the marker line. Results are
cached in `.cache/script-output/`, keyed by the contents of the script, of the
.py and .json files in its folder, of every file under `snippets/` and of
`requirements.txt`, so `mkdocs serve` reruns a script only when they change.

Set DL4R_EXECUTE=0 to skip running scripts while editing: the page then shows
a note that the results were not computed in this build.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.script_output")

MARKER = re.compile(r"^(?P<indent>[ ]*)<!--\s*insert-output:\s*(?P<command>.+?)\s*-->[ \t]*$", re.MULTILINE)
TIMEOUT_SECONDS = 900


def execution_enabled() -> bool:
    """Return False when DL4R_EXECUTE is set to 0, false or no."""
    return os.environ.get("DL4R_EXECUTE", "1").strip().lower() not in {"0", "false", "no"}


def inputs_digest(root: Path, script: Path, arguments: list[str]) -> str:
    """Hash the script, the files of its folder, every snippet file and the pinned requirements."""
    digest = hashlib.sha256(" ".join(arguments).encode())
    neighbours = [
        path for path in sorted(script.parent.rglob("*"))
        if "node_modules" not in path.parts and path.suffix in {".py", ".json"}
    ]
    inputs = [script, root / "requirements.txt", *neighbours, *sorted((root / "snippets").rglob("*.py"))]
    for path in inputs:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_script(root: Path, script: Path, arguments: list[str], page_path: str) -> str:
    """Run the script and return its standard output, raising PluginError if it fails."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONIOENCODING="utf-8")
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, str(script), *arguments],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise PluginError(
            f"{page_path}: {script.relative_to(root)} timed out after {TIMEOUT_SECONDS} s"
        ) from error
    if result.returncode != 0:
        tail = "\n".join(result.stderr.splitlines()[-20:])
        raise PluginError(
            f"{page_path}: {script.relative_to(root)} failed with exit code "
            f"{result.returncode}; run it alone to debug. Last lines of its error output:\n{tail}"
        )
    log.info("%s: ran %s in %.1f s", page_path, script.relative_to(root), time.perf_counter() - started)
    return result.stdout


def script_output(root: Path, script_name: str, page_path: str, arguments: list[str] | None = None) -> str:
    """Return the script's output, from the cache when its inputs are unchanged."""
    arguments = arguments or []
    script = (root / script_name).resolve()
    if not script.is_file():
        raise PluginError(f"{page_path}: script '{script_name}' in an insert-output marker not found")
    if not execution_enabled():
        return (
            '!!! warning "Not computed in this build"\n'
            f"    This build ran with DL4R_EXECUTE=0, so `{script_name}` did not run.\n"
        )

    key = inputs_digest(root, script, arguments)
    cache = root / ".cache" / "script-output" / f"{script.stem}-{key}.md"
    if cache.is_file():
        log.info("%s: using cached output of %s", page_path, script_name)
        return cache.read_text(encoding="utf-8")
    output = run_script(root, script, arguments, page_path)
    cache.parent.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name first, so a concurrent build never reads half a file.
    partial = cache.with_name(f".{cache.name}.{os.getpid()}.partial")
    partial.write_text(output, encoding="utf-8")
    os.replace(partial, cache)
    return output


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each insert-output marker of the page with its script's output."""
    root = Path(config["config_file_path"]).resolve().parent
    page_path = page.file.src_uri

    def replace(match: re.Match[str]) -> str:
        script, *arguments = shlex.split(match.group("command"))
        output = script_output(root, script, page_path, arguments)
        # Indented like the marker, so that output inside an admonition or tab stays there.
        return "\n".join(match.group("indent") + line if line else line for line in output.splitlines())

    return MARKER.sub(replace, markdown)
