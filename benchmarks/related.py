"""Time related papers at scale: `python benchmarks/related.py [--papers 10000 100000] [--root DIR]`.

Papers are made in memory the way `benchmarks/corpus.py` writes them (titles and
abstracts resampled from the real ones, TeX mixed in), so 100,000 papers need no disk.
With `--root`, the papers of a project folder (e.g. one `corpus.py` generated) are timed
instead. Prints the wall-clock time of each stage, the CPU time of the whole (less disturbed by other
work on the machine), and the share of papers that got related ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.corpus import make_abstract, make_title, real_texts  # noqa: E402
from generator.content import read_site  # noqa: E402
from generator.model import Paper  # noqa: E402
from generator.related import counted_terms, related_papers, text_key  # noqa: E402
from generator.related_index import RelatedIndex  # noqa: E402


def synthetic_papers(count: int, seed: int = 1) -> list[Paper]:
    """`count` papers over `count / 50` days, as `corpus.py` would write them."""
    rng = random.Random(seed)
    titles, abstracts, authors = real_texts()
    days = max(1, count // 50)
    start = dt.date(2025, 1, 1)
    papers = []
    for index in range(count):
        day = start + dt.timedelta(days=index * days // count)
        arxiv = f"{day:%y%m}.{index + 10000:05d}"
        papers.append(
            Paper(
                slug=arxiv,
                day=day,
                title=make_title(rng, titles, index),
                body=make_abstract(rng, abstracts),
                source=f"content/{day.year}/{day.isoformat()}/{arxiv}.md",
                authors=tuple(rng.sample(authors, k=min(len(authors), rng.randint(1, 8)))),
                arxiv=arxiv,
            )
        )
    return papers


def time_stages(papers: Sequence[Paper]) -> dict[str, float]:
    """Seconds per stage, then for bringing the index up to date after one abstract is
    edited and after one paper is added, and in total through `related_papers` itself."""
    timings: dict[str, float] = {}
    ordered = sorted(papers, key=lambda paper: paper.slug)
    start = time.perf_counter()
    texts = {paper.slug: text_key(paper) for paper in ordered}
    counted = {texts[paper.slug]: counted_terms(paper) for paper in ordered}
    timings["terms"] = time.perf_counter() - start
    index = RelatedIndex()
    start = time.perf_counter()
    index.update(texts, counted, 5)
    timings["index and lists"] = time.perf_counter() - start
    middle = ordered[len(ordered) // 2]
    for label, changed in (
        ("one abstract edited", replace(middle, body=middle.body + " We also study sparse retrieval.")),
        ("one paper added", replace(middle, slug="zz-added", body=ordered[0].body, title=ordered[1].title)),
    ):
        texts = {**texts, changed.slug: text_key(changed)}
        counted[texts[changed.slug]] = counted_terms(changed)
        start = time.perf_counter()
        index.update(dict(sorted(texts.items())), counted, 5)
        timings[label] = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    related = related_papers(papers)
    timings["related_papers (total)"] = time.perf_counter() - start
    timings["of which CPU"] = time.process_time() - cpu
    timings["share with related"] = sum(1 for slugs in related.values() if slugs) / max(1, len(papers))
    return timings


def report(label: str, papers: Sequence[Paper]) -> None:
    timings = time_stages(papers)
    share = timings.pop("share with related")
    stages = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
    print(f"{label}: {stages}; {share:.0%} of papers have related ones", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--root", type=Path, help="time the papers of this project instead")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.root:
        papers = read_site(args.root).papers
        report(f"{len(papers)} papers from {args.root}", papers)
        return
    for count in args.papers:
        report(f"{count} papers", synthetic_papers(count, args.seed))


if __name__ == "__main__":
    main()
