"""Incremental builds for the dev server: re-read what changed, re-render what depends on it.

A `Preview` keeps the per-file content cache and the render memo between builds, and
writes into its folder only the pages whose bytes changed. The result is always the
same as a full build of the same content (the tests compare them after random edits).
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.build import LAYOUTS_DIR
from generator.config import SiteConfig, load_config
from generator.content import ContentCache, read_site
from generator.errors import PapersError
from generator.model import Paper
from generator.related import cached_related_papers
from generator.render import ASSETS_DIR, Memo, Page, Renderer, layouts_stamp, render_with
from generator.search import INDEX_DIR, index_site
from generator.write import copy_assets


@dataclass
class Rebuild:
    """What one rebuild did, for the one-line report."""

    written: int
    removed: int
    rendered: int
    pages: int
    seconds: float
    papers_changed: bool


class Preview:
    """The site of `root`, built into `out` and kept up to date one change at a time."""

    def __init__(
        self,
        root: Path,
        out: Path,
        base_url: str | None = None,
        search: bool = True,
        defer_related: bool = False,
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
        self.defer_related = defer_related
        self.related: dict[str, tuple[str, ...]] = {}
        self.related_texts: tuple[tuple[str, str, str], ...] = ()
        self.related_pending: tuple[tuple[str, str, str], ...] | None = None
        self.on_related: Callable[[], None] | None = None
        self.lock = threading.Lock()

    def renderer_for(self, config: SiteConfig) -> Renderer:
        """The previous renderer, with its compiled templates, unless config or layouts changed."""
        stamp = layouts_stamp(self.root / LAYOUTS_DIR)
        if self.renderer is None or config != self.config or stamp != self.layouts:
            self.renderer = Renderer(config, self.root / LAYOUTS_DIR, True, self.memo)
            self.renderer.related_source = self.related_papers
            self.config, self.layouts = config, stamp
        return self.renderer

    def related_papers(self, papers: list[Paper]) -> dict[str, tuple[str, ...]]:
        """Related papers; with `defer_related`, a change is computed in the background while
        this rebuild uses the previous lists, and `on_related` then asks for another rebuild."""
        texts = tuple(sorted((paper.slug, paper.title, paper.body) for paper in papers))
        if texts == self.related_texts:
            return self.related
        if not self.defer_related or not self.related_texts:
            self.related, self.related_texts = cached_related_papers(papers), texts
            return self.related
        if self.related_pending != texts:
            self.related_pending = texts
            threading.Thread(target=self._compute_related, args=(list(papers), texts), daemon=True).start()
        slugs = {paper.slug for paper in papers}
        return {
            slug: tuple(other for other in self.related.get(slug, ()) if other in slugs) for slug in slugs
        }

    def _compute_related(self, papers: list[Paper], texts: tuple[tuple[str, str, str], ...]) -> None:
        related = cached_related_papers(papers)
        with self.lock:
            if self.related_pending != texts:
                return  # a newer change has started its own computation
            self.related, self.related_texts, self.related_pending = related, texts, None
        if self.on_related:
            self.on_related()

    def invalidate(self, paths: list[str]) -> None:
        """Forget cached reads of files the watcher saw change, even if size and mtime match."""
        layouts = (self.root / LAYOUTS_DIR).resolve()
        for path in paths:
            self.cache.files.pop(Path(path), None)
            if layouts in Path(path).resolve().parents:
                self.renderer = None

    def load_config(self) -> SiteConfig:
        config = load_config(self.root)
        return config.with_base_url(self.base_url, "serve") if self.base_url else config

    def rebuild(self, today: dt.date | None = None) -> Rebuild:
        """Bring `out` up to date; on bad content raise PapersError and leave `out` as it was."""
        start = time.perf_counter()
        with self.lock:
            config = self.load_config()
            checked = read_site(self.root, today, self.cache)
            if checked.errors:
                raise PapersError(checked.errors)
            before = {path: entry[0] for path, entry in self.memo.items()}
            renderer = self.renderer_for(config)
            pages = render_with(renderer, checked.site)
            rendered = sum(1 for p in pages if before.get(p.path) != self.memo[p.path][0])
            written, removed = self._write(pages)
            papers_changed = any(p.path.startswith("papers/") for p in written)
            renderer.memo = self.memo = {p.path: self.memo[p.path] for p in pages}
            copy_assets(self.root / LAYOUTS_DIR, self.out)
            self._remove_stale_assets()
            return Rebuild(
                len(written),
                removed,
                rendered,
                len(pages),
                time.perf_counter() - start,
                papers_changed or removed > 0,
            )

    def _write(self, pages: list[Page]) -> tuple[list[Page], int]:
        self.out.mkdir(parents=True, exist_ok=True)
        written = []
        current = {}
        for page in pages:
            current[page.path] = page.content
            if self.pages.get(page.path) != page.content:
                target = self.out / page.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(page.content)
                written.append(page)
        removed = 0
        for path in set(self.pages) - set(current):
            (self.out / path).unlink(missing_ok=True)
            _prune_empty_parents(self.out, (self.out / path).parent)
            removed += 1
        self.pages = current
        return written, removed

    def _remove_stale_assets(self) -> None:
        source = self.root / LAYOUTS_DIR / ASSETS_DIR
        for path in (self.out / ASSETS_DIR).rglob("*"):
            if path.is_file() and not (source / path.relative_to(self.out / ASSETS_DIR)).exists():
                path.unlink()

    def index(self) -> None:
        """Rebuild the search index beside the site, then move it into place in one rename."""
        if not self.search:
            return
        staging = self.out.parent / f".{self.out.name}-index"
        shutil.rmtree(staging, ignore_errors=True)
        index_site(self.out, staging)
        with self.lock:
            old = self.out.parent / f".{self.out.name}-index-old"
            shutil.rmtree(old, ignore_errors=True)
            if (self.out / INDEX_DIR).exists():
                (self.out / INDEX_DIR).rename(old)
            staging.rename(self.out / INDEX_DIR)
        shutil.rmtree(old, ignore_errors=True)


def _prune_empty_parents(top: Path, folder: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
