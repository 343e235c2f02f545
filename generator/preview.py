"""Incremental builds for the dev server: re-read what changed, re-render what depends on it.

A `Preview` keeps the per-file content cache and the render memo between builds, and
writes into its folder only the pages whose bytes changed; related papers catch up in the
background (`related_live.py`). The result is always the same as a full build of the same
content (the tests compare them after random edits).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.config import SiteConfig, load_config
from generator.content import ContentCache, read_site
from generator.errors import PapersError
from generator.load import CONTENT_DIR
from generator.related_live import LiveRelated
from generator.render import ASSETS_DIR, Memo, Page, Renderer, render_with
from generator.search import INDEX_DIR, SearchIndex, SearchPart, index_site, search_parts
from generator.summary import LAYOUTS_DIR, layouts_stamp
from generator.write import copy_assets, remove_pages


@dataclass
class Rebuild:
    """What one rebuild did, for the one-line report."""

    written: int
    removed: int
    rendered: int
    pages: int
    seconds: float
    search_stale: bool  # papers, or how search is split, changed: re-index


class Preview:
    """The site of `root`, built into `out` and kept up to date one change at a time."""

    def __init__(
        self,
        root: Path,
        out: Path,
        base_url: str | None = None,
        search: bool = True,
        defer_related: bool = False,
        watched: bool = False,
    ) -> None:
        self.root = root
        self.out = out
        self.base_url = base_url
        self.search = search
        self.cache = ContentCache()
        self.memo: Memo = {}
        self.pages: dict[str, bytes] = {}
        self.config: SiteConfig | None = None
        self.renderer: Renderer | None = None
        self.layouts: tuple[tuple[str, int, int], ...] = ()
        self.lock = threading.Lock()
        self.related = LiveRelated(self.lock, defer_related)
        # With `watched`, every change arrives through invalidate() (as from the file watcher),
        # so a rebuild reads just those files; None means "unknown: walk content/".
        self.watched = watched
        self.search_parts: list[SearchPart] = []  # of the last rebuild, for the indexer thread
        self.language = "en"
        self.search_index = SearchIndex()  # what the index in `out` holds
        self.unindexed: set[str] = set()  # paper pages written since it was made
        self.dirty: set[Path] | None = None
        self.assets_stamp: tuple[tuple[str, int, int], ...] | None = None

    def renderer_for(self, config: SiteConfig) -> Renderer:
        """The previous renderer, with its compiled templates, unless config or layouts changed."""
        stamp = layouts_stamp(self.root / LAYOUTS_DIR)
        if self.renderer is None or config != self.config or stamp != self.layouts:
            gc.unfreeze()  # let the old renderer's cycles (its Jinja environment) be collected
            self.renderer = Renderer(config, self.root / LAYOUTS_DIR, True, self.memo)
            self.renderer.related_source = self.related
            self.config, self.layouts = config, stamp
        return self.renderer

    @property
    def on_related(self) -> Callable[[], None] | None:
        """Called when related papers computed in the background are ready for a rebuild."""
        return self.related.on_ready

    @on_related.setter
    def on_related(self, callback: Callable[[], None] | None) -> None:
        self.related.on_ready = callback

    def close(self) -> None:
        """Stop the background computation of related papers, if one is waiting or running."""
        self.related.close()

    def invalidate(self, paths: list[str]) -> None:
        """Forget cached reads of files the watcher saw change, even if size and mtime match."""
        layouts = (self.root / LAYOUTS_DIR).resolve()
        with self.lock:  # not while a rebuild reads: it would then forget these paths
            for path in paths:
                self.cache.files.pop(str(Path(path)), None)
                if layouts in Path(path).resolve().parents:
                    self.renderer = None
                    self.assets_stamp = None
                self._mark_dirty(Path(path))

    def _mark_dirty(self, path: Path) -> None:
        """Note a changed path in the form the content walk gives, or give up on skipping it."""
        if self.dirty is None:
            return
        root = Path(os.path.abspath(self.root))
        try:
            inside = Path(os.path.abspath(path)).relative_to(root)
        except ValueError:
            self.dirty = None  # a path we cannot place: walk everything next time
            return
        if inside.parts == (CONTENT_DIR,):
            self.dirty = None  # content/ itself moved or replaced
        elif inside.parts[:1] == (CONTENT_DIR,):
            self.cache.files.pop(str(self.root / inside), None)
            self.dirty.add(self.root / inside)

    def load_config(self) -> SiteConfig:
        config = load_config(self.root)
        return config.with_base_url(self.base_url, "serve") if self.base_url else config

    def rebuild(self, today: dt.date | None = None) -> Rebuild:
        """Bring `out` up to date; on bad content raise PapersError and leave `out` as it was."""
        try:
            return self._rebuild(today)
        finally:
            self.related.start()

    def _rebuild(self, today: dt.date | None) -> Rebuild:
        start = time.perf_counter()
        with self.lock:
            config = self.load_config()
            checked = read_site(self.root, today, self.cache, self.dirty if self.watched else None)
            self.dirty = set()
            if checked.errors:
                raise PapersError(checked.errors)
            renderer = self.renderer_for(config)
            renderer.rendered = 0
            pages = render_with(renderer, checked.site)
            written, removed = self._write(pages)
            papers = {p.path.removesuffix("index.html") for p in written if p.path.startswith("papers/")}
            self.unindexed |= papers
            search_stale = bool(papers) or removed > 0
            parts = search_parts(checked.site, config.search_index) if self.search else []
            # A new split (a new month, a changed setting) must be indexed even if no paper changed.
            search_stale = search_stale or parts != self.search_parts or config.language != self.language
            self.search_parts, self.language = parts, config.language
            if len(self.memo) != len(pages):  # forget pages that are gone
                renderer.memo = self.memo = {p.path: self.memo[p.path] for p in pages}
            if self.assets_stamp != self.layouts:
                copy_assets(self.root / LAYOUTS_DIR, self.out)
                self._remove_stale_assets()
                self.assets_stamp = self.layouts
            # The site stays in memory between rebuilds; frozen, it is no longer walked by every
            # full garbage collection (0.15 s at 10,000 papers), so a save costs what changed.
            gc.freeze()
            return Rebuild(
                len(written),
                removed,
                renderer.rendered,
                len(pages),
                time.perf_counter() - start,
                search_stale,
            )

    def _write(self, pages: list[Page]) -> tuple[list[Page], int]:
        """Write the pages whose bytes changed; delete the files of pages that are gone."""
        self.out.mkdir(parents=True, exist_ok=True)
        current, written = self.pages, []
        before, kept = len(current), 0
        for page in pages:
            old = current.get(page.path)
            kept += old is not None
            if old is page.content or old == page.content:
                continue
            _replace(self.out / page.path, page.content)
            current[page.path] = page.content
            written.append(page)
        gone = current.keys() - {page.path for page in pages} if kept < before else set()
        for path in gone:
            del current[path]
        remove_pages(self.out, gone)
        return written, len(gone)

    def _remove_stale_assets(self) -> None:
        source = self.root / LAYOUTS_DIR / ASSETS_DIR
        for path in (self.out / ASSETS_DIR).rglob("*"):
            if path.is_file() and not (source / path.relative_to(self.out / ASSETS_DIR)).exists():
                path.unlink()

    def index(self) -> None:
        """Bring the search index up to date. The first one is made beside the site and moved
        into place in one rename; later ones are updated where they are, part by part, with
        the pages saved since in the overlay (see search.py)."""
        if not self.search:
            return
        index_dir = self.out / INDEX_DIR
        with self.lock:
            parts, language = self.search_parts, self.language
            changed, self.unindexed = self.unindexed, set()
            previous = self.search_index
        try:
            if previous.parts and index_dir.is_dir():
                made = index_site(
                    self.out,
                    parts,
                    index_dir,
                    language,
                    (index_dir, previous),
                    changed,
                    live=True,
                    overlay=True,
                )
            else:
                made = self._index_anew(parts, language)
        except BaseException:  # the folder may hold part of an update: the next index is made anew
            with self.lock:
                self.unindexed |= changed
                self.search_index = SearchIndex()
            raise
        with self.lock:
            self.search_index = made

    def _index_anew(self, parts: list[SearchPart], language: str) -> SearchIndex:
        staging = self.out.parent / f".{self.out.name}-index"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)  # a site without papers has no parts: an empty folder
        made = index_site(self.out, parts, staging, language, live=True, overlay=True)
        with self.lock:
            old = self.out.parent / f".{self.out.name}-index-old"
            shutil.rmtree(old, ignore_errors=True)
            if (self.out / INDEX_DIR).exists():
                (self.out / INDEX_DIR).rename(old)
            staging.rename(self.out / INDEX_DIR)
        shutil.rmtree(old, ignore_errors=True)
        return made


def _replace(target: Path, content: bytes) -> None:
    """Write a file whole, by a rename: a request never sees it half-written, and replacing
    beats truncating a file the system may still be writing back (16 ms a file, measured)."""
    if not target.parent.is_dir():
        target.parent.mkdir(parents=True)
    temporary = target.with_name(f".{target.name}.new")
    temporary.write_bytes(content)
    temporary.replace(target)
