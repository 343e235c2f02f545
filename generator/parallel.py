"""Render a cold build on every core: fork, share the tasks out, write pages where they are made.

Workers are forked after the site is read, so they inherit it instead of receiving it.
First they turn Markdown and TeX into HTML for a share of the papers (the costliest step)
and send the results back; then, forked again with every view filled in, each renders a
share of the page tasks and writes its pages straight into the staging folder (or, when
that folder is the spare site, only the pages it does not already hold). Output does not
depend on the number of workers: every page is a pure function of the site.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import forking
from generator.errors import PapersError
from generator.model import Site
from generator.render import Page, Renderer, Task, page_tasks, prepare, render_sitemaps
from generator.views import PaperView
from generator.write import remove_pages, write_pages

MIN_PAPERS_PER_WORKER = 400  # below this, forking costs more than it saves
_VIEW_FIELDS = ("title_html", "title_text", "_body", "excerpt", "tldr_html")


@dataclass
class _Job:
    """What forked workers inherit: set in the parent just before the fork."""

    views: list[PaperView]
    tasks: list[Task]
    out: Path
    renderer: Renderer
    previous: Path | None
    present: dict[str, Hashable] | None  # the keys of the pages `out` already holds (a spare)
    shared: list[object]  # what page keys hold that workers send back as positions, not copies

    def to_write(self, pages: list[Page]) -> list[Page]:
        """The pages `out` does not already hold as they are now."""
        if self.present is None:
            return pages
        memo, present = self.renderer.memo, self.present
        return [
            page for page in pages if page.path not in present or present[page.path] != memo[page.path][0]
        ]


@dataclass
class Rendered:
    """A build's pages (without their bytes), with the inputs key of each for the cache."""

    pages: int
    bytes: int
    keys: dict[str, tuple[Hashable, Page]]
    fresh: set[str]  # the paths whose bytes this build changed
    rendered: int  # pages rendered rather than reused (some may come out unchanged)


_JOB: _Job | None = None


def worker_count(papers: int, requested: int | None = None) -> int:
    if requested is not None:
        return max(1, requested)
    return forking.worker_count(papers, MIN_PAPERS_PER_WORKER)


def render_to_disk(
    renderer: Renderer,
    site: Site,
    out: Path,
    workers: int | None = None,
    previous: Path | None = None,
    present: dict[str, Hashable] | None = None,
) -> Rendered:
    """Render and write every page into `out`, linking unchanged ones from `previous`.

    `present` is the keys of the pages `out` already holds (an earlier site, brought up to
    date here): those whose key still holds are left alone, others are replaced, and pages
    no longer part of the site are removed."""
    global _JOB
    views = prepare(renderer, site)
    tasks = page_tasks(renderer, site, views)
    # The site is read-only from here: frozen, collections in the workers skip it (and do not
    # touch, and so copy, the memory they share with this process). Unfrozen afterwards, so a
    # caller that builds many times (the tests) can still collect what each build left.
    gc.freeze()
    shared = [renderer.global_key, renderer.vocabulary_key, *site.papers, *views.values(), *site.days]
    job = _JOB = _Job(list(views.values()), tasks, out, renderer, previous, present, shared)
    # With a warm memo most pages are reused and views are filled lazily: stay in one process.
    count = worker_count(len(site.papers), workers) if not renderer.memo else 1
    try:
        if count > 1:
            context = multiprocessing.get_context("fork")
            with context.Pool(count) as pool:
                for shard in pool.starmap(_fill_views, [(i, count) for i in range(count)]):
                    for index, fields in shard:
                        _JOB.views[index].__dict__.update(fields)
            with context.Pool(count) as pool:
                shares = pool.starmap(_render_share_sent, [(i, count) for i in range(count)])
            results = [forking.loads_sharing(share, shared) for share in shares]
        else:
            results = [_render_share(0, 1)]
    finally:
        _JOB = None
        gc.unfreeze()
    keys = {path: entry for part in results for path, entry in part[0].items()}
    if len(keys) != sum(len(part[0]) for part in results):
        raise PapersError.single(str(out), "two pages would be written to the same path")
    pages = [entry[1] for entry in keys.values()]
    sitemaps = render_sitemaps(renderer, pages)
    _, size = write_pages(out, job.to_write(sitemaps), previous, replace=present is not None)
    fresh = {path for part in results for path in part[2]}
    rendered = sum(part[3] for part in results)
    for sitemap in sitemaps:
        keys[sitemap.path] = (renderer.memo[sitemap.path][0], sitemap.without_content())
        fresh |= set() if sitemap.reused else {sitemap.path}
        rendered += not sitemap.reused
    if present is not None:
        remove_pages(out, present.keys() - keys.keys())
    return Rendered(len(keys), sum(part[1] for part in results) + size, keys, fresh, rendered)


def _fill_views(index: int, count: int) -> list[tuple[int, dict[str, Any]]]:
    assert _JOB is not None
    filled = []
    for position in range(index, len(_JOB.views), count):
        view = _JOB.views[position]
        filled.append((position, {name: getattr(view, name) for name in _VIEW_FIELDS}))
    return filled


def _same_as_before(page: Page) -> bool:
    """A re-rendered page can still come out as before (e.g. when an unrelated tag changed)."""
    if _JOB is None or _JOB.previous is None:
        return False
    try:
        return (_JOB.previous / page.path).read_bytes() == page.content
    except OSError:
        return False


def _render_share_sent(index: int, count: int) -> bytes:
    """`_render_share` pickled for the parent, which holds the papers the keys refer to."""
    assert _JOB is not None
    return forking.dumps_sharing(_render_share(index, count), _JOB.shared)


def _render_share(index: int, count: int) -> tuple[dict[str, tuple[Hashable, Page]], int, set[str], int]:
    """Run every `count`-th task from `index` and write its pages; return their keys."""
    assert _JOB is not None
    renderer = _JOB.renderer
    keys: dict[str, tuple[Hashable, Page]] = {}
    total = rendered = 0
    fresh: set[str] = set()
    for task in _JOB.tasks[index::count]:
        made = task()
        _, size = write_pages(_JOB.out, _JOB.to_write(made), _JOB.previous, _JOB.present is not None)
        total += size
        for page in made:
            if page.path in keys:
                raise PapersError.single(page.path, "two pages would be written to the same path")
            keys[page.path] = (renderer.memo[page.path][0], page.without_content())
            rendered += not page.reused
            if not page.reused and not _same_as_before(page):
                fresh.add(page.path)
    return keys, total, fresh, rendered
