"""The build, top to bottom: config, load and check, model, render, write, index, swap."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import shutil
import signal
import threading
import time
from collections.abc import Collection, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.api import API_INDEX
from generator.buildcache import BuildCache, kept_index, load_cache, save_cache
from generator.cards import card_maker
from generator.committed import refuse_committed_caches
from generator.config import SiteConfig
from generator.content import FileResult, cached_stamps, read_site
from generator.errors import PapersError, Problem, UsageError
from generator.forking import Inbox, InChild, Later, can_fork, collector_paused, frozen
from generator.load import CONTENT_DIR
from generator.parallel import render_to_disk
from generator.related import EarlyRelated, RelatedViews
from generator.render import ASSETS_DIR, Renderer
from generator.search import (
    INDEX_DIR,
    INDEX_WHILE_RENDERING,
    EarlyDocuments,
    Indexing,
    SearchIndex,
    SearchPart,
    index_site,
    plan_documents,
    search_parts,
    start_indexing,
)
from generator.summary import (
    CACHE_DIR,
    LAYOUTS_DIR,
    OUTPUT_DIR,
    Inputs,
    Summary,
    forget_last_build,
    output_identity,
    probe,
    save_summary,
    unchanged_since_last_build,
)
from generator.write import (
    PreviousSiteChanged,
    beside_names_fit,
    clean_leftovers,
    copy_assets,
    discard,
    list_site,
    output_lock,
    prune_site,
    remove_strays,
    spare_dir,
    staging_dir,
    swap_into_place,
)


@dataclass
class BuildResult:
    papers: int = 0
    days: int = 0
    pages: int = 0
    bytes: int = 0
    out: Path = Path(OUTPUT_DIR)
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    rendered: int = 0
    up_to_date: bool = False

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def build(
    root: Path,
    out: Path | None = None,
    base_url: str | None = None,
    search: bool = True,
    repository: str | None = None,
    live_reload: bool = False,
    today: dt.date | None = None,
    workers: int | None = None,
    use_cache: bool = True,
    inputs: Inputs | None = None,
) -> BuildResult:
    """Build the site of the project at `root` into `out` (default `root/public`).
    `inputs`: taken already (`summary.probe`, by a command that first looked whether
    anything changed), so not taken twice."""
    root = root.absolute()  # the cache keys files by path: `.` and the full path are one project
    out = (out or root / OUTPUT_DIR).absolute()
    if inputs is None:  # else the command that took them refused committed caches first
        refuse_committed_caches(root)  # before any cache, the summary of the last build included, is read
    _refuse_long_names(out)  # first: a name too long cannot even be looked up
    _refuse_files(out)
    _refuse_project_folders(root, out)
    _refuse_folders_of_other_files(root, out)
    with contextlib.ExitStack() as held:
        try:  # the whole build holds it: one that waited reads the cache the other one saved
            held.enter_context(output_lock(out))
        except OSError as error:
            raise _unwritable(out, error) from None
        try:
            return _build(
                root, out, base_url, search, repository, live_reload, today, workers, use_cache, inputs
            )
        except PreviousSiteChanged:  # a page deleted from the published site by hand
            forget_last_build(root, out)
            return _build(
                root, out, base_url, search, repository, live_reload, today, workers, use_cache, inputs
            )


def _refuse_files(out: Path) -> None:
    """`--out site.yaml`: the site is a folder, and a file there is someone's; refused
    before the build makes anything (its lock file beside it, say)."""
    if out.exists() and not out.is_dir():
        raise UsageError.single(
            str(out),
            "the output path is a file, not a folder: the site is built into a folder",
            "pick a new or empty folder for --out",
        )


def _refuse_long_names(out: Path) -> None:
    """A name that fits alone may not with `.staging-…`: the build failed late, with a traceback."""
    fits, limit = beside_names_fit(out)
    too_long = next((part for part in out.parts[:-1] if len(os.fsencode(part)) > limit), None)
    if too_long is not None:
        raise UsageError.single(
            str(out),
            f"a folder's name in the output path is too long (`{too_long[:12]}…`): the file system "
            f"allows {limit} bytes a name",
            "pick a shorter path for --out",
        )
    if not fits:
        raise UsageError.single(
            str(out),
            f"the output folder's name is too long: the folders a build keeps beside it "
            f"(`.{out.name[:12]}….staging-…`) would pass the file system's limit of {limit} bytes a name",
            "pick a shorter name for --out",
        )


def _refuse_project_folders(root: Path, out: Path) -> None:
    """The output folder is replaced whole: it must not hold the project, nor be inside its
    papers, layouts or cache (`--out .` would have swapped the project for the site)."""
    project, site = root.resolve(), out.resolve()
    kept = [project / name for name in (CONTENT_DIR, LAYOUTS_DIR, ".git", CACHE_DIR.split("/")[0])]
    if site == project or project.is_relative_to(site) or any(site.is_relative_to(k) for k in kept):
        raise UsageError.single(
            str(out),
            "the site would replace the project's own files: the output folder is replaced whole",
            f"build into a folder of its own, e.g. `--out {root / OUTPUT_DIR}` (the default)",
        )


def _refuse_folders_of_other_files(root: Path, out: Path) -> None:
    """`--out notes/` would replace a folder of someone's own files with the site. A folder
    other than the project's `public/` is built into when it is new, empty, or a site this
    generator made (it always writes `api/index.json`)."""
    if out == (root / OUTPUT_DIR).absolute() or not out.is_dir() or (out / API_INDEX).is_file():
        return
    with os.scandir(out) as entries:
        if next(entries, None) is None:
            return
    raise UsageError.single(
        str(out),
        "this folder holds files that are not a site built here: building would replace them",
        "pick a new or empty folder for --out, or remove this one first",
    )


def _unwritable(out: Path, error: OSError) -> PapersError:
    return PapersError.single(
        str(out),
        f"cannot write the site: {error.strerror or error}",
        "check the disk has space and the folder is writable",
    )


def _build(
    root: Path,
    out: Path,
    base_url: str | None,
    search: bool,
    repository: str | None,
    live_reload: bool,
    today: dt.date | None,
    workers: int | None,
    use_cache: bool,
    inputs: Inputs | None,
) -> BuildResult:
    layouts = root / LAYOUTS_DIR
    result = BuildResult(out=out)
    with result.timed("config"):
        inputs = inputs or probe(root, layouts, base_url, repository, use_cache)
        config, layouts_now, stamps = inputs.config, inputs.layouts, inputs.stamps
        if stamps is not None:
            summary = unchanged_since_last_build(
                root, out, (config, live_reload), search, layouts_now, stamps
            )
            if summary:  # checked by stat alone: the cache itself is not even loaded
                result.papers, result.days, result.pages = summary.papers, summary.days, summary.pages
                result.up_to_date = True
                return result
    spare = spare_dir(out)
    with contextlib.ExitStack() as published, contextlib.ExitStack() as held:  # `published` ends last
        check = _SpareCheck.start(spare) if use_cache else None  # begun before the cache is read
        if check is not None:
            held.callback(check.close)
        index = kept_index(root) if use_cache else None  # of related papers
        relating = EarlyRelated.start(index, len(stamps[1])) if stamps is not None else None  # likewise
        if relating is not None:
            held.callback(relating.close)
        with result.timed("config"), collector_paused():  # until frozen, or the first collection walks it all
            cache = load_cache(root, out) if use_cache else BuildCache()
            before = dict(cache.content.files)
            # The cache and the site live as long as the build: collections that walked them
            # again and again took half of a one-paper rebuild.
            held.enter_context(frozen())
        with result.timed("load"):
            checked = read_site(root, today, cache.content, stamps=stamps)
            if checked.errors:
                raise PapersError(checked.errors)
            result.warnings = checked.problems
        with result.timed("model"):
            site = checked.site
            result.papers, result.days = len(site.papers), len(site.days)
        if _up_to_date(cache, before, layouts_now, config, search, live_reload):
            result.pages, result.up_to_date = len(cache.keys), True
            return result
        staged = staging_dir(out)
        previous = out if cache.keys and out.is_dir() else None  # unchanged pages are linked from here
        early = _EarlyIndexing()  # search indexing, when started while pages are still made
        pruning: InChild[set[str]] | None = None
        related: Later[dict[str, tuple[str, ...]]] | None = None
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            clean_leftovers(out)
            present, pruning = _take_spare(cache, spare, staged, out, previous is not None, check)
            with result.timed("render"):
                # A layout or settings change re-renders everything: then a cold, parallel build is faster.
                warm = cache.layouts == layouts_now and cache.settings == (config, live_reload)
                if warm and cache.keys:  # one process renders (parallel.py): related papers are
                    related = cache.start_related(site.papers, index, relating)  # made meanwhile
                memo = cache.memo() if warm else {}
                cards = card_maker(root, layouts, config.social_cards and not live_reload)
                compiled = root / CACHE_DIR / "templates" if use_cache else None
                renderer = Renderer(
                    config, layouts, live_reload, memo, keep_bytes=False, cards=cards, compiled=compiled
                )
                if related is not None:
                    renderer.related_source = lambda papers: related.result()
                else:
                    renderer.related_source = functools.partial(cache.related_papers, kept=index)
                listed = {slug: paper for slug, (paper, _) in cache.listed.items()}
                renderer.related = RelatedViews.kept(cache.related[1], cache.related_keys, listed)
                renderer.groups = cache.groups if warm else {}  # reused whole while their keys hold
                if cache.layouts == layouts_now:  # parsing the templates for them took 0.15 s
                    renderer.template_keys.update(cache.template_keys)
                renderer.listed_before, renderer.keep_listed = cache.listed, use_cache
                shutil.rmtree(staged / INDEX_DIR, ignore_errors=True)  # a spare's: made again or relinked
                last = (out / INDEX_DIR, cache.search_index) if previous and cache.search else None
                parts = search_parts(site, config.search_index) if search else []
                # With nothing to reuse, every part is indexed: from when the papers' pages are written.
                papers_written, documents = None, None
                if search and last is None and len(site.papers) <= INDEX_WHILE_RENDERING:
                    documents = early.documents = plan_documents(staged, parts, config.language)
                    papers_written = functools.partial(early.start, staged, parts)
                if pruning is not None and present is not None:
                    for path in pruning.result():  # deleted by hand: written again
                        del present[path]
                rendered = render_to_disk(
                    renderer, site, staged, workers, previous, present, papers_written, documents
                )
                result.pages, result.bytes, result.rendered = (
                    rendered.pages,
                    rendered.bytes,
                    rendered.rendered,
                )
                copy_assets(layouts, staged, replace=present is not None)
            if search:
                with result.timed("index"):
                    changed = {path.removesuffix("index.html") for path in rendered.fresh}
                    search_index = index_site(
                        staged,
                        parts,
                        language=config.language,
                        previous=last,
                        changed=changed,
                        started=early.started,
                    )
            with result.timed("swap"):
                interrupts = published.enter_context(_interrupts_held())  # see there
                # The replaced site is kept as the spare when its pages' keys are known (see write.py).
                kept = swap_into_place(staged, out, keep=spare if use_cache and previous else None)
                interrupts.published = True
        except OSError as error:
            raise _unwritable(out, error) from None
        finally:
            for child in (pruning, related):
                if child is not None:
                    child.close()
            early.close()  # a build that failed while Pagefind ran, say
            shutil.rmtree(staged, ignore_errors=True)  # if it is there
        if use_cache:
            spare_keys = {path: entry[0] for path, entry in cache.keys.items()}  # the old site's
            cache.spare = (output_identity(spare), spare_keys) if kept else (None, {})
            cache.keys, cache.search, cache.layouts = rendered.keys, search, layouts_now
            cache.template_keys = renderer.template_keys
            cache.related_keys = renderer.related.keys
            cache.groups = {  # the pages as the keys hold them (no bytes), so the pickle shares them
                name: made
                if made is cache.groups.get(name)
                else (made[0], [rendered.keys[p.path][1] for p in made[1]])
                for name, made in renderer.groups_made.items()
            }
            cache.search_index = search_index if search else SearchIndex()
            cache.listed = {view.paper.slug: (view.paper, view.listed()) for view in renderer.views.values()}
            cache.settings = (config, live_reload)
            save_cache(root, out, cache)
            summary = Summary(
                cache.fingerprint,
                str(out),
                cache.identity,
                cache.settings,
                search,
                layouts_now,
                cached_stamps(cache.content),
                result.papers,
                result.days,
                result.pages,
            )
            save_summary(root, out, summary)
        return result


_HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass
class _Interrupts:
    received: list[int] = field(default_factory=list)
    published: bool = False  # the new site is swapped in


@contextmanager
def _interrupts_held() -> Iterator[_Interrupts]:
    """Ctrl-C or SIGTERM from the swap to the saved cache is held. Once the new site is
    published it is dropped: the build is done (reporting it interrupted, exit 130, was
    wrong), and a cache cut short costs the next build its head start. If the swap failed,
    it is sent again as the handlers come back. Python runs signal handlers in the main
    thread, so only there can they be set aside."""
    interrupts = _Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield interrupts
        return

    def hold(signum: int, frame: object) -> None:
        interrupts.received.append(signum)

    handlers = [(signum, signal.signal(signum, hold)) for signum in _HELD_SIGNALS]
    try:
        yield interrupts
    finally:
        for signum, handler in handlers:  # None: one not set from Python, taken as the default
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        if interrupts.received and not interrupts.published:
            _deliver(interrupts.received[0])


def _deliver(signum: int) -> None:
    """Act on a held signal as if it came now, in this thread (`os.kill` may reach another
    thread first, and the build would end before the main one saw it)."""
    handler = signal.getsignal(signum)
    if callable(handler):  # Python's own for Ctrl-C raises KeyboardInterrupt
        handler(signum, None)
    elif handler == signal.SIG_DFL:
        os.kill(os.getpid(), signum)


@dataclass
class _EarlyIndexing:
    """A cold build's search: its documents are written with the paper pages, and Pagefind
    starts once they all are, while the other pages are made."""

    documents: EarlyDocuments | None = None
    started: Indexing | None = None

    def start(self, staged: Path, parts: list[SearchPart]) -> None:
        """Called once every paper's page (and so its document) is written."""
        assert self.documents is not None
        self.started = start_indexing(staged, parts, self.documents.language, self.documents)

    def close(self) -> None:
        if self.started is not None:
            self.started.close()
        if self.documents is not None:
            self.documents.remove()


def _up_to_date(
    cache: BuildCache,
    before: dict[str, FileResult],
    layouts_now: tuple[tuple[str, int, int], ...],
    config: SiteConfig,
    search: bool,
    live_reload: bool,
) -> bool:
    """Nothing read differs from what the cached build read: the output is already right."""
    files = cache.content.files
    return (
        bool(cache.keys)
        and cache.settings == (config, live_reload)
        and cache.search == search
        and cache.layouts == layouts_now
        and files.keys() == before.keys()
        and all(files[path] is before[path] for path in files)
    )


class _SpareCheck:
    """The spare site, listed by a child from the start of the build, while this process
    reads the cache, then pruned by that child of what the cache says it does not hold
    (most of the work is opening folders: 0.1 s at 10,000 papers, 1.3 s at 100,000). It
    opens folders by descriptor: the spare is renamed meanwhile, to be staged in."""

    def __init__(self, spare: Path) -> None:
        self.folder = os.open(spare, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        self.inbox = Inbox()
        self.child = InChild(self._prune)
        self.inbox.forked()

    @classmethod
    def start(cls, spare: Path) -> _SpareCheck | None:
        if not can_fork():  # the child would wait for pages this process cannot send yet
            return None
        try:
            return cls(spare)
        except OSError:  # no spare
            return None

    def _prune(self) -> set[str]:
        listing = list_site(self.folder, (ASSETS_DIR, INDEX_DIR))
        return prune_site(self.folder, listing, self.inbox.receive())

    def prune(self, pages: Collection[str]) -> InChild[set[str]]:
        """Prune the spare of all but `pages`; the child's result is the pages it lacks."""
        with contextlib.suppress(BrokenPipeError):  # the child failed: its result() raises why
            self.inbox.send(list(pages))
        return self.child

    def close(self) -> None:
        self.child.close()
        self.inbox.close()
        with contextlib.suppress(OSError):
            os.close(self.folder)


def _take_spare(
    cache: BuildCache, spare: Path, staged: Path, out: Path, usable: bool, check: _SpareCheck | None
) -> tuple[dict[str, Hashable] | None, InChild[set[str]] | None]:
    """Stage in the spare site when the cache knows what it holds: the keys of its pages,
    and the pruning of its strays, which goes on in a child while the build prepares."""
    identity, keys = cache.spare
    if not usable or identity is None or identity != output_identity(spare):
        if spare.exists():
            discard(spare, out)
        return None, None
    spare.rename(staged)  # a build killed from here on leaves it as a leftover: no spare next time
    cache.spare = (None, {})
    if check is None:  # this process may not fork: pruned at once
        return keys, InChild(functools.partial(remove_strays, staged, keys, (ASSETS_DIR, INDEX_DIR)))
    return keys, check.prune(keys)
