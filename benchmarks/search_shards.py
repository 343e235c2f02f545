"""Split search indexes: what one index per month, or a recent/archive pair, would cost.

    python3 benchmarks/search_shards.py SITE --split month
    python3 benchmarks/search_shards.py SITE --split recent

SITE is a site built with `papers build --no-search` (e.g. from `benchmarks/corpus.py`).
Pagefind cannot update an index, so an edit re-indexes every page; with several indexes
merged in the browser (Pagefind's `mergeIndex`), an edit re-indexes only its part. This
script indexes each part of SITE's paper pages on its own (into `SITE/pagefind-shards/`),
prints the time per part, then runs the first queries of `search.py` in a fresh browser
against the merged parts and prints the bytes on the wire, to compare with one index.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.server import ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from benchmarks.search import QUERIES, PagesLikeHandler  # noqa: E402
from generator.pagefind_order import make_reproducible  # noqa: E402
from generator.search import pagefind_executable  # noqa: E402

SHARDS_DIR = "pagefind-shards"
MONTH_MARK = 'data-pagefind-filter="month">'


def month_of(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    start = html.index(MONTH_MARK) + len(MONTH_MARK)
    return html[start : start + 7]


def split_pages(site: Path, split: str) -> dict[str, list[Path]]:
    """Part name -> its paper pages, newest part first."""
    by_month: dict[str, list[Path]] = defaultdict(list)
    for page in sorted((site / "papers").glob("*/index.html")):
        by_month[month_of(page)].append(page)
    months = sorted(by_month, reverse=True)
    if split == "month":
        return {month: by_month[month] for month in months}
    return {"recent": by_month[months[0]], "archive": [p for m in months[1:] for p in by_month[m]]}


def index_parts(site: Path, parts: dict[str, list[Path]]) -> dict[str, float]:
    out = site / SHARDS_DIR
    shutil.rmtree(out, ignore_errors=True)
    seconds = {}
    with tempfile.TemporaryDirectory() as work:
        for name, pages in parts.items():
            source = Path(work) / name
            for page in pages:
                target = source / page.relative_to(site)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(page, target)
            start = time.perf_counter()
            command = [str(pagefind_executable()), "--site", str(source), "--silent"]
            subprocess.run([*command, "--output-path", str(out / name)], check=True)
            seconds[name] = time.perf_counter() - start
            make_reproducible(out / name)
    return seconds


TEST_PAGE = """<!doctype html><meta charset="utf-8"><title>loading</title><script type="module">
const parts = %s, bundle = "/%s/";
const pagefind = await import(bundle + parts[0] + "/pagefind.js");
await pagefind.options({ baseUrl: "/" });
for (const part of parts.slice(1)) await pagefind.mergeIndex(bundle + part + "/", { baseUrl: "/" });
const found = await pagefind.search(new URLSearchParams(location.search).get("q"));
await Promise.all(found.results.slice(0, 10).map((result) => result.data()));
document.title = "done " + found.results.length;
</script>"""


def query_bytes(site: Path, parts: list[str]) -> list[tuple[str, int, int]]:
    """(query, results, bytes on the wire) for each first query, in a fresh browser each."""
    from playwright.sync_api import sync_playwright

    (site / "shards-test.html").write_text(TEST_PAGE % (json.dumps(parts), SHARDS_DIR), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PagesLikeHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    rows = []
    try:
        with sync_playwright() as playwright:
            for query in QUERIES:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                PagesLikeHandler.sent = []
                page = browser.new_page()
                page.goto(base + "shards-test.html?q=" + query)
                page.wait_for_function("document.title.startsWith('done')", timeout=60_000)
                results = int(page.title().split()[1])
                browser.close()
                wire = sum(row[1] for row in PagesLikeHandler.sent if f"/{SHARDS_DIR}/" in row[0])
                rows.append((query, results, wire))
    finally:
        server.shutdown()
        (site / "shards-test.html").unlink()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a site built with --no-search")
    parser.add_argument("--split", choices=["month", "recent"], default="month")
    args = parser.parse_args()
    parts = split_pages(args.site, args.split)
    seconds = index_parts(args.site, parts)
    for name, pages in parts.items():
        print(f"{name}: {len(pages):,} pages indexed in {seconds[name]:.1f} s")
    print(f"all parts: {sum(seconds.values()):.1f} s")
    rows = query_bytes(args.site, list(parts))
    for query, results, wire in rows:
        print(f"{query!r}: {results} results, {wire / 1e3:.0f} KB transferred")
    wires = [wire for _, _, wire in rows]
    print(f"first query: median {statistics.median(wires) / 1e3:.0f} KB, largest {max(wires) / 1e3:.0f} KB")


if __name__ == "__main__":
    main()
