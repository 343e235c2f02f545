"""Time `papers import hf` on N synthetic API items: `python benchmarks/import_hf.py [--items N]`.

The items are resampled from the real Hugging Face samples beside the repository, with
fresh well-formed but fake arXiv ids (9901.00001, ...) and a numbered title each, split
into daily response files of `--per-day` items. Everything is written to a temporary
folder and thrown away afterwards; nothing goes near the real content/.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import io
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples" / "hf-daily-api"
sys.path.insert(0, str(REPO))

from generator.cli import main  # noqa: E402


def synthetic_items(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` items shaped like the API's, resampled from the real samples."""
    real = [item for path in sorted(SAMPLES.glob("*.json")) for item in json.loads(path.read_text("utf-8"))]
    if not real:
        raise SystemExit(f"no samples in {SAMPLES}")
    rng = random.Random(seed)
    items = []
    for number in range(1, count + 1):
        item = copy.deepcopy(rng.choice(real))
        paper = item["paper"]
        paper["id"] = f"{9901 + (number - 1) // 99_999}.{(number - 1) % 99_999 + 1:05d}"
        paper["title"] = f"{paper['title']} (synthetic {number})"
        paper["upvotes"] = rng.randrange(0, 500)
        items.append(item)
    return items


def write_days(folder: Path, items: list[dict[str, Any]], per_day: int) -> int:
    day = dt.date(2025, 1, 1)
    files = 0
    for start in range(0, len(items), per_day):
        name = f"{day.isoformat()}.json"
        (folder / name).write_text(json.dumps(items[start : start + per_day]), encoding="utf-8")
        day += dt.timedelta(days=1)
        files += 1
    return files


def timed(argv: list[str]) -> tuple[float, str]:
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(f"`papers {' '.join(argv)}` failed with exit code {code}")
    lines = out.getvalue().strip().splitlines()
    return seconds, lines[-1] if lines else ""


def run(count: int, per_day: int, seed: int, check: bool) -> None:
    work = Path(tempfile.mkdtemp(prefix="papers-bench-hf-"))
    try:
        responses = work / "responses"
        responses.mkdir()
        files = write_days(responses, synthetic_items(count, seed), per_day)
        root = work / "site"
        (root / "content").mkdir(parents=True)
        shutil.copytree(REPO / "layouts", root / "layouts")
        shutil.copy(REPO / "site.yaml", root / "site.yaml")
        print(f"{count} items in {files} daily files")
        seconds, summary = timed(["--root", str(root), "import", "hf", str(responses)])
        print(f"first import:  {seconds:.2f}s  {summary}")
        seconds, summary = timed(["--root", str(root), "import", "hf", str(responses)])
        print(f"second import: {seconds:.2f}s  {summary}")
        if check:
            seconds, summary = timed(["--root", str(root), "check"])
            print(f"papers check:  {seconds:.2f}s  {summary}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=10_000, help="how many API items (default 10,000)")
    parser.add_argument("--per-day", type=int, default=40, help="items per daily response file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="also time `papers check` on the result")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = parse_args()
    run(args.items, args.per_day, args.seed, args.check)
