"""Render a cold build on every core: fork, share the tasks out, write pages where they are made.

Workers are forked after the site is read, so they inherit it instead of receiving it.
The tasks that make papers' own pages (a day with its papers) are dealt out in turn;
first each worker turns Markdown and TeX into HTML for the papers of its days (the
costliest step), and sends what lists show of them (title, excerpt) to the others,
through this process. Meanwhile this process computes related papers (in processes of
their own), and sends the lists with the others' fields. Then each worker renders its
days, says so (search indexing can start), and takes the other tasks (tags, weeks,
archive, API) one at a time while any are left. Pages are written straight into the
staging folder (or, when that folder is the spare site, only those it does not already
hold). A paper's full text never leaves the worker that made it, so no process holds the
whole site's. Output does not depend on the number of workers: every page is a pure
function of the site.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import pickle
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from generator import forking
from generator.errors import PapersError
from generator.model import Site
from generator.render import Groups, Page, Renderer, Task, page_tasks, prepare, relate, render_sitemaps
from generator.search import EarlyDocuments
from generator.views import PaperView
from generator.write import remove_pages, write_pages

MIN_PAPERS_PER_WORKER = 400  # below this, forking costs more than it saves
NICER_AFTER_PAPERS = 10  # a worker's priority drop once search indexing can start


@dataclass
class _Job:
    """What forked workers inherit: set in the parent just before the fork."""

    views: dict[str, PaperView]
    tasks: list[Task]
    out: Path
    renderer: Renderer
    previous: Path | None
    present: dict[str, Hashable] | None  # the keys of the pages `out` already holds (a spare)
    shared: list[object]  # what page keys hold that workers send back as positions, not copies
    documents: EarlyDocuments | None = None  # search documents, written with the paper pages
    # The next of the tasks that show no paper's own page, taken by whichever worker is free.
    next_task: Any = None  # a multiprocessing Value, made before the fork

    def own_tasks(self, index: int, count: int) -> list[Task]:
        """Worker `index`'s share of the tasks that make papers' own pages: every `count`-th
        (their text is rendered in the worker beforehand)."""
        return [task for task in self.tasks if task.papers][index::count]

    def other_tasks(self) -> Iterator[Task]:
        """The other tasks, each taken by whichever worker is free first."""
        rest = [task for task in self.tasks if not task.papers]
        if self.next_task is None:
            yield from rest
            return
        while True:
            with self.next_task.get_lock():
                taken = self.next_task.value
                self.next_task.value += 1
            if taken >= len(rest):
                return
            yield rest[taken]

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
# What a worker made: each page's inputs key (and the page, without its bytes), the bytes
# written, the paths it changed, how many pages it rendered, and its groups of pages.
Share = tuple[dict[str, tuple[Hashable, Page]], int, set[str], int, Groups]
_PAPERS_WRITTEN = b"papers written"  # a worker's word between its two kinds of tasks


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
    papers_written: Callable[[], None] | None = None,
    documents: EarlyDocuments | None = None,
) -> Rendered:
    """Render and write every page into `out`, linking unchanged ones from `previous`.

    `present` is the keys of the pages `out` already holds (an earlier site, brought up to
    date here): those whose key still holds are left alone, others are replaced, and pages
    no longer part of the site are removed. `papers_written` is called once every paper's own
    page is written, while other pages are still being made (search indexing starts then);
    `documents`, the search documents to write with the paper pages, has their digests by then."""
    global _JOB
    # With a warm memo most pages are reused and views are filled lazily: stay in one process.
    count = worker_count(len(site.papers), workers) if not renderer.memo else 1
    views = prepare(renderer, site, related=False)  # related papers may still be in the making
    tasks = page_tasks(renderer, site, views)
    if count == 1:  # else while the workers start
        relate(renderer, renderer.related_source(site.papers), views)
    shared = [renderer.global_key, renderer.vocabulary_key, *site.papers, *views.values(), *site.days]
    job = _JOB = _Job(views, tasks, out, renderer, previous, present, shared, documents)
    try:  # the site is read-only from here: frozen, collections in the workers skip it (and
        # do not touch, and so copy, the memory they share with this process)
        with forking.frozen():
            if count == 1:
                results = [_render_share(0, 1, papers_written)]
            else:
                related = functools.partial(renderer.related_source, site.papers)
                results = _run_workers(count, shared, related, papers_written)
    finally:
        _JOB = None
    keys = {path: entry for part in results for path, entry in part[0].items()}
    if len(keys) != sum(len(part[0]) for part in results):
        raise PapersError.single(str(out), "two pages would be written to the same path")
    pages = [entry[1] for entry in keys.values()]
    sitemaps = render_sitemaps(renderer, pages)
    _, size = write_pages(out, job.to_write(sitemaps), previous, replace=present is not None)
    fresh = {path for part in results for path in part[2]}
    rendered = sum(part[3] for part in results)
    for part in results:  # for the build cache: groups are reused whole by the next build
        renderer.groups_made.update(part[4])
    for sitemap in sitemaps:
        keys[sitemap.path] = (renderer.memo[sitemap.path][0], sitemap.without_content())
        fresh |= set() if sitemap.reused else {sitemap.path}
        rendered += not sitemap.reused
    if present is not None:
        remove_pages(out, present.keys() - keys.keys())
    return Rendered(len(keys), sum(part[1] for part in results) + size, keys, fresh, rendered)


def _run_workers(
    count: int,
    shared: list[object],
    related: Callable[[], dict[str, tuple[str, ...]]],
    papers_written: Callable[[], None] | None,
) -> list[Share]:
    """Fork `count` workers; while they render their papers' text, compute the `related`
    lists; pass each worker the lists and the others' listed fields; call `papers_written`
    once each has written its papers' own pages; collect the results."""
    assert _JOB is not None
    context = multiprocessing.get_context("fork")
    _JOB.next_task = context.Value("i", 0)
    ends, workers = [], []
    try:
        for index in range(count):
            here, there = context.Pipe()
            worker = context.Process(target=_work, args=(index, count, there, os.getpid()), daemon=True)
            worker.start()
            there.close()
            ends.append(here)
            workers.append(worker)
        lists = related()
        relate(_JOB.renderer, lists, _JOB.views)
        sent_lists = pickle.dumps(lists, pickle.HIGHEST_PROTOCOL)
        listed = [_receive(end, workers) for end in ends]  # pickled, passed on as they are
        for index, end in enumerate(ends):
            end.send_bytes(
                pickle.dumps((sent_lists, [fields for other, fields in enumerate(listed) if other != index]))
            )
        if _JOB.renderer.keep_listed:  # for the build cache
            for fields in listed:
                for slug, values in pickle.loads(fields):
                    _JOB.views[slug].fill(values)
        for end in ends:
            message = _receive(end, workers)
            if not message.startswith(_PAPERS_WRITTEN):
                raise PapersError.single("build", "a worker process lost its way", "run the build again")
            if _JOB.documents is not None:
                _JOB.documents.digests.update(pickle.loads(message.removeprefix(_PAPERS_WRITTEN)))
        if papers_written is not None:
            papers_written()
        return [forking.loads_sharing(_receive(end, workers), shared) for end in ends]
    except BaseException:  # Ctrl-C, say: what they make now would be thrown away
        for worker in workers:
            worker.kill()
        raise
    finally:
        for worker in workers:
            worker.join(timeout=1)
            if worker.is_alive():  # a failure elsewhere: it is waiting for what will not come
                worker.kill()
                worker.join()


def _receive(end: Connection, workers: Sequence[multiprocessing.process.BaseProcess]) -> bytes:
    """A worker's next message, or the error that stopped it, raised here. While waiting,
    another worker's death counts too: one killed while it held the lock of the task
    counter would leave the others waiting for it forever."""
    try:
        while not end.poll(0.5):
            if any(worker.exitcode not in (None, 0) for worker in workers):
                return forking.checked(b"")
        return forking.checked(end.recv_bytes())
    except EOFError:  # it died
        return forking.checked(b"")


def _work(index: int, count: int, end: Connection, parent: int) -> None:
    """A worker: fill the views of its own papers, swap listed fields, render its tasks."""
    assert _JOB is not None
    forking.die_with_parent(parent)  # each holds the others' pipes open: none would see EOF
    try:
        own = [paper.slug for task in _JOB.own_tasks(index, count) for paper in task.papers]
        end.send_bytes(pickle.dumps(_listed_fields(own), pickle.HIGHEST_PROTOCOL))
        lists, others = pickle.loads(end.recv_bytes())
        relate(_JOB.renderer, pickle.loads(lists), _JOB.views)
        for listed in others:
            for slug, fields in pickle.loads(listed):
                _JOB.views[slug].fill(fields)
        share = _render_share(index, count, functools.partial(_papers_written, end))
        end.send_bytes(forking.dumps_sharing(share, _JOB.shared))
    except BaseException as error:  # every failure is the parent's to report
        end.send_bytes(forking.failure_message(error))


def _papers_written(end: Connection) -> None:
    """Tell the parent, with the digests of the search documents written here. What this
    worker renders from now on is not waited for as long as search indexing runs: it yields
    the processor to Pagefind."""
    assert _JOB is not None
    digests = _JOB.documents.digests if _JOB.documents else {}
    end.send_bytes(_PAPERS_WRITTEN + pickle.dumps(digests, pickle.HIGHEST_PROTOCOL))
    if _JOB.documents is not None:
        with contextlib.suppress(OSError):
            os.nice(NICER_AFTER_PAPERS)


def _listed_fields(slugs: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Render the papers' text here (kept for their own pages) and return what lists show."""
    assert _JOB is not None
    views = _JOB.views
    return [(slug, views[slug].listed(compute=True)) for slug in slugs]


def _same_as_before(page: Page) -> bool:
    """A re-rendered page can still come out as before (e.g. when an unrelated tag changed)."""
    if _JOB is None or _JOB.previous is None:
        return False
    try:
        return (_JOB.previous / page.path).read_bytes() == page.content
    except OSError:
        return False


def _render_share(index: int, count: int, papers_written: Callable[[], None] | None = None) -> Share:
    """Run worker `index`'s share of the tasks and write its pages; return their keys.
    `papers_written` is called between the tasks that make papers' own pages and the others."""
    assert _JOB is not None
    renderer = _JOB.renderer
    keys: dict[str, tuple[Hashable, Page]] = {}
    total = rendered = 0
    fresh: set[str] = set()
    folders: set[str] = set()
    memo, present = renderer.memo, _JOB.present
    replace = present is not None

    def run(task: Task) -> None:
        nonlocal total, rendered
        assert _JOB is not None
        for page in task():  # written one by one, then let go: a task can make 100,000 pages
            if page.path in keys:
                raise PapersError.single(page.path, "two pages would be written to the same path")
            if page.reused and present is not None:  # most pages of a rebuild: the spare holds
                entry = memo[page.path]  # them as they are, so there is nothing to write
                if page.path in present and present[page.path] == entry[0] and entry[1] is page:
                    keys[page.path] = entry
                    continue
            total += write_pages(_JOB.out, _JOB.to_write([page]), _JOB.previous, replace, folders)[1]
            if _JOB.documents is not None and not page.reused:
                _JOB.documents.write(page.path, page.content)
            entry = memo[page.path]  # the same object when it is as memoised: the build
            if entry[1] is not page and entry[1] != page.without_content():  # cache writes new ones
                entry = (entry[0], page.without_content())
            keys[page.path] = entry
            rendered += not page.reused
            if not page.reused and not _same_as_before(page):
                fresh.add(page.path)

    for task in _JOB.own_tasks(index, count):
        run(task)
    if papers_written is not None:
        papers_written()
    for task in _JOB.other_tasks():
        run(task)
    return keys, total, fresh, rendered, renderer.groups_made
