"""Search at scale: indexing time, index size, and bytes a browser downloads for a first query.

    python3 benchmarks/search.py --sizes 1000,10000

Generates a corpus per size (benchmarks/corpus.py), builds it without search, times
Pagefind over the built pages, then opens the search page in headless Chromium, runs a
query and counts the bytes of every response the search made (Pagefind's script, its
WebAssembly, the metadata, index chunks and result fragments), from opening the page
to the first results.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.corpus import generate
from generator.build import build
from generator.search import INDEX_DIR, index_site

QUERY = "diffusion language models"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def first_query_bytes(site: Path, query: str) -> tuple[int, int, float]:
    """(bytes transferred for the search, number of results, seconds to first results)."""
    from playwright.sync_api import expect, sync_playwright

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[assignment,method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    sizes: list[int] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.on(
                "response",
                lambda response: sizes.append(len(response.body())) if "/pagefind/" in response.url else None,
            )
            page.goto(base + "search/")
            expect(page.locator(".search-status")).to_contain_text("Type to search", timeout=60_000)
            start = time.perf_counter()
            page.fill("#search-query", query)
            page.wait_for_selector(".search-result")
            seconds = time.perf_counter() - start
            results = int(page.locator(".search-status").inner_text().split()[0])
            page.wait_for_timeout(500)
            browser.close()
    finally:
        server.shutdown()
    return sum(sizes), results, seconds


def measure(size: int, work: Path) -> dict[str, float]:
    project = work / f"corpus-{size}"
    generate(project, size, max(1, size // 50), 1)
    out = project / "public"
    (project / "site.yaml").write_text("title: Bench\nbase_url: http://127.0.0.1/\n", encoding="utf-8")
    build(project, out=out, search=False, use_cache=False)
    start = time.perf_counter()
    index_site(out)
    seconds = time.perf_counter() - start
    transferred, results, query_seconds = first_query_bytes(out, QUERY)
    return {
        "papers": size,
        "index_seconds": seconds,
        "index_mb": folder_size(out / INDEX_DIR) / 1e6,
        "first_query_kb": transferred / 1e3,
        "results": results,
        "query_seconds": query_seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(size, Path(work)))
    print("| papers | indexing (s) | index on disk (MB) | first query (KB) | results | time to results (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['papers']:,.0f} | {row['index_seconds']:.1f} | {row['index_mb']:.1f} | "
            f"{row['first_query_kb']:.0f} | {row['results']:.0f} | {row['query_seconds']:.2f} |"
        )


if __name__ == "__main__":
    main()
