"""Measure the built site with Lighthouse 12: scores, transfer size and third-party requests.

Usage, from the repository root after `make build` and `npm ci --prefix benchmarks`:

    .venv/bin/python benchmarks/lighthouse.py [--site-dir site] [--runs 3]

The site is served on 127.0.0.1 with gzip compression, as static hosts such as
GitHub Pages serve it. Lighthouse runs the mobile preset (its default) in
headless Chromium. The medians of the runs go to benchmarks/results/lighthouse.json,
which the site's "About this site" page shows.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import gzip
import http.server
import json
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger("lighthouse")

BENCHMARKS = Path(__file__).resolve().parent
RESULTS = BENCHMARKS / "results" / "lighthouse.json"
LIGHTHOUSE = BENCHMARKS / "node_modules" / ".bin" / "lighthouse"
PAGES = ["part1-from-scratch/", "notebooks/part1-from-scratch-pytorch/"]
CATEGORIES = ["performance", "accessibility", "best-practices"]
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--no-first-run --disable-component-update --disable-sync"
)
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".ipynb", ".txt", ".xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files, gzip-compressing text types when the client accepts it."""

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts_gzip and path.suffix in COMPRESSIBLE and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=9)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _BytesFile(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("http: " + format, *args)


class _BytesFile:
    """The minimal file object that SimpleHTTPRequestHandler copies to the socket."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = self.data, b""
        return data

    def close(self) -> None:
        pass


def serve(site_dir: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


def run_lighthouse(url: str, chrome: str) -> dict:
    """Run Lighthouse once on a URL and return its JSON report."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}",
        ]
        result = subprocess.run(
            command, env=dict(os.environ, CHROME_PATH=chrome),
            capture_output=True, text=True, timeout=300, check=False,
        )
        if result.returncode != 0 or not report.is_file():
            raise RuntimeError(f"lighthouse failed on {url} (exit {result.returncode}):\n{result.stderr[-2000:]}")
        return json.loads(report.read_text(encoding="utf-8"))


def summarize(report: dict) -> dict:
    """Return the figures of one run: scores 0-100, transfer in KB, third-party requests."""
    requests = report["audits"]["network-requests"]["details"]["items"]
    third_party = [
        item["url"] for item in requests
        if urlsplit(item["url"]).hostname not in (None, "127.0.0.1", "localhost")
    ]
    failing = sorted(
        audit_id for audit_id, audit in report["audits"].items()
        if audit.get("score") is not None and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
    )
    return {
        **{category: round(100 * report["categories"][category]["score"]) for category in CATEGORIES},
        "transfer_kb": round(report["audits"]["total-byte-weight"]["numericValue"] / 1024, 1),
        "third_party_requests": len(third_party),
        "failing_audits": failing,
    }


def chromium_version(chrome: str) -> str:
    return subprocess.run([chrome, "--version"], capture_output=True, text=True, check=False).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lighthouse 12 medians for the built site.")
    parser.add_argument("--site-dir", type=Path, default=Path("site"), help="built site folder (default: site)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page, at least 1 (default: 3)")
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"),
                        help="Chromium executable (default: $CHROME_PATH or /usr/bin/chromium)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if not (args.site_dir / "index.html").is_file():
        parser.error(f"no built site in {args.site_dir}; run `make build` first or pass --site-dir")
    if not LIGHTHOUSE.is_file():
        parser.error(f"{LIGHTHOUSE} not found; run `npm ci --prefix benchmarks` first")
    if not Path(args.chrome).is_file():
        parser.error(f"Chromium not found at {args.chrome}; install Debian's chromium or pass --chrome")

    server, base_url = serve(args.site_dir)
    pages = {}
    try:
        for page in PAGES:
            runs = []
            for run in range(1, args.runs + 1):
                runs.append(summarize(run_lighthouse(base_url + page, args.chrome)))
                log.info("%s run %d: %s", page, run, runs[-1])
            medians = {
                key: statistics.median(run[key] for run in runs)
                for key in [*CATEGORIES, "transfer_kb", "third_party_requests"]
            }
            pages[page] = {**medians, "failing_audits": sorted({a for run in runs for a in run["failing_audits"]})}
    finally:
        server.shutdown()

    lighthouse_version = json.loads((BENCHMARKS / "node_modules" / "lighthouse" / "package.json").read_text())["version"]
    results = {
        "date": datetime.date.today().isoformat(),
        "runs": args.runs,
        "preset": "mobile (Lighthouse default), simulated throttling",
        "served_with": "with gzip compression from 127.0.0.1",
        "machine": f"{os.cpu_count()} CPU cores, {platform.system()} {platform.machine()}",
        "lighthouse": lighthouse_version,
        "chromium": chromium_version(args.chrome),
        "pages": pages,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
