"""Search at scale: indexing time, index size, and bytes a browser downloads for a first query.

    python3 benchmarks/search.py --sizes 1000,10000

Generates a corpus per size (benchmarks/corpus.py), builds it with search (`--index
single` or `split` sets `search_index`; the build reports the indexing time), then opens the search page in headless Chromium, runs a
query and counts the bytes of every response the search made (Pagefind's script, its
WebAssembly, the metadata, index chunks and result fragments), from opening the page
to the first results, served as GitHub Pages serves it (text compressed with gzip).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import statistics
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from benchmarks.corpus import generate  # noqa: E402
from generator.build import build  # noqa: E402
from generator.search import INDEX_DIR  # noqa: E402

# First queries, each in a fresh browser (cold cache); words common in the corpus cost most,
# since Pagefind loads every page's positions of each word.
QUERIES = (
    "diffusion language models",
    "sparse attention",
    "weather forecasting",
    "robot manipulation",
    "reinforcement learning reward",
)
# GitHub Pages compresses text responses; Pagefind's own index files are compressed already.
COMPRESSED_TYPES = (".html", ".css", ".js", ".json", ".svg", ".xml")


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class PagesLikeHandler(SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does (gzip for text when asked) and counts the bytes."""

    sent: ClassVar[list[tuple[str, int, int]]] = []  # (path, bytes on the wire, bytes of the file)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        raw = len(body)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if path.suffix in COMPRESSED_TYPES and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, mtime=0)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.sent.append((self.path, len(body), raw))


def first_query_bytes(site: Path, query: str) -> tuple[int, int, int, float]:
    """(bytes on the wire for the search, the same uncompressed, results, seconds to results)."""
    from playwright.sync_api import expect, sync_playwright

    handler = functools.partial(PagesLikeHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    PagesLikeHandler.sent = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.goto(base + "search/")
            expect(page.locator(".search-status")).to_contain_text("Type to search", timeout=60_000)
            start = time.perf_counter()
            page.fill("#search-query", query)
            page.wait_for_selector(".search-result")
            seconds = time.perf_counter() - start
            results = int(page.locator(".search-status").inner_text().split()[0].rstrip("+"))
            page.wait_for_timeout(500)
            browser.close()
    finally:
        server.shutdown()
    searched = [row for row in PagesLikeHandler.sent if "/pagefind/" in row[0]]
    return sum(row[1] for row in searched), sum(row[2] for row in searched), results, seconds


def measure(size: int, work: Path, index: str) -> dict[str, float]:
    project = work / f"corpus-{size}"
    generate(project, size, max(1, size // 50), 1)
    out = project / "public"
    (project / "site.yaml").write_text(
        f"title: Bench\nbase_url: http://127.0.0.1/\nsocial_cards: false\nsearch_index: {index}\n",
        encoding="utf-8",
    )
    seconds = build(project, out=out, use_cache=False).timings["index"]
    queries = [first_query_bytes(out, query) for query in QUERIES]
    for query, (wire, raw, results, query_seconds) in zip(QUERIES, queries, strict=True):
        print(
            f"{size:,} papers, {query!r}: {wire / 1e3:.0f} KB transferred ({raw / 1e3:.0f} KB "
            f"uncompressed), {results} results in {query_seconds:.2f} s",
            file=sys.stderr,
        )
    return {
        "papers": size,
        "index_seconds": seconds,
        "index_mb": folder_size(out / INDEX_DIR) / 1e6,
        "first_query_kb": statistics.median(q[0] for q in queries) / 1e3,
        "max_query_kb": max(q[0] for q in queries) / 1e3,
        "raw_query_kb": statistics.median(q[1] for q in queries) / 1e3,
        "query_seconds": statistics.median(q[3] for q in queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--index", choices=["single", "split"], default="single", help="search_index setting")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(size, Path(work), args.index))
    print(
        "| papers | indexing (s) | index on disk (MB) | first query, median (KB) | largest (KB) "
        "| uncompressed, median (KB) | time to results (s) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['papers']:,.0f} | {row['index_seconds']:.1f} | {row['index_mb']:.1f} | "
            f"{row['first_query_kb']:.0f} | {row['max_query_kb']:.0f} | {row['raw_query_kb']:.0f} | "
            f"{row['query_seconds']:.2f} |"
        )


if __name__ == "__main__":
    main()
