"""Print the last Lighthouse run (benchmarks/results/lighthouse.json) as Markdown.

The site build runs this script for the "About this site" page. It only reads
the stored results; `benchmarks/lighthouse.py` measures them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "lighthouse.json"
# Goals: (key, label, minimum or maximum, limit)
GOALS = [
    ("performance", "Performance", ">=", 98),
    ("accessibility", "Accessibility", ">=", 98),
    ("best-practices", "Best practices", ">=", 95),
    ("transfer_kb", "Transfer (KB)", "<=", 400),
    ("third_party_requests", "Third-party requests", "<=", 0),
]


def meets(value: float, operator: str, limit: float) -> bool:
    return value >= limit if operator == ">=" else value <= limit


def report(results: dict) -> str:
    pages = list(results["pages"])
    lines = [
        f"Last measured on {results['date']}: Lighthouse {results['lighthouse']}, "
        f"{results['preset']}, median of {results['runs']} runs per page, site served {results['served_with']}, "
        f"{results['chromium']} on {results['machine']}. Scores vary from run to run and machine to machine.",
        "",
        "| measure | goal | " + " | ".join(f"`{page}`" for page in pages) + " |",
        "| --- | --- |" + " --- |" * len(pages),
    ]
    for key, label, operator, limit in GOALS:
        cells = []
        for page in pages:
            value = results["pages"][page][key]
            mark = "" if meets(value, operator, limit) else " (below goal)"
            cells.append(f"{value:g}{mark}")
        goal = "≤ 400 (Part I)" if key == "transfer_kb" else f"{'≥' if operator == '>=' else '≤'} {limit}"
        lines.append(f"| {label} | {goal} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> int:
    if not RESULTS.is_file():
        print(f"{RESULTS} not found; run `python benchmarks/lighthouse.py` to measure the site.", file=sys.stderr)
        return 1
    print(report(json.loads(RESULTS.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
