"""The build cache: what the last build read and rendered, so the next one redoes only changes.

It holds each content file's stat stamp and parsed paper, and each page's inputs key. A page
whose key is unchanged is hard-linked from the previous output instead of rendered. It also
holds the keys of the pages of the spare site (see write.py) and what each part of the
search index was made of (see search.py), so both can be brought up to date. The
cache is a convenience, never a source of truth: a missing, corrupt or foreign cache (other
generator or library versions, another output folder, an output folder changed since) means
a full build, and keys hold every input, so a reused page is always the page a full build
would write. Delete `.cache/` at any time.

A build after a small change writes only what changed in the cache's large maps (files,
page keys, groups...), appended to the file as a record that refers to the unchanged
papers and pages it shows instead of copying them: writing the whole cache took a quarter
of a one-paper rebuild. Once the records add up to a quarter of the whole, a build writes
the whole cache again.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.content import ContentCache
from generator.forking import Later, dumps_referring, loads_referring
from generator.kept import append_kept, read_kept, save_kept
from generator.model import Paper
from generator.related import (
    EarlyRelated,
    TextChange,
    counted_terms,
    start_related_papers,
    text_key,
    texts_digest,
)
from generator.related_index import KeptIndex
from generator.render import Groups, Memo, Page
from generator.search import SearchIndex
from generator.summary import CACHE_DIR, cache_path, fingerprint, output_identity
from generator.views import Listed


@dataclass
class BuildCache:
    fingerprint: str = ""
    out: str = ""
    identity: tuple[int, int] | None = None
    content: ContentCache = field(default_factory=ContentCache)
    keys: dict[str, Any] = field(default_factory=dict)  # page path -> (inputs key, Page without bytes)
    groups: Groups = field(default_factory=dict)  # groups of pages made together, see Renderer.group
    search: bool = False
    layouts: tuple[tuple[str, int, int], ...] = ()
    settings: Any = None  # (config, live_reload) of the cached build
    related: tuple[str, dict[str, tuple[str, ...]]] = ("", {})  # (texts digest, related slugs)
    related_terms: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # slug -> digests
    related_keys: dict[str, Any] = field(default_factory=dict)  # slug -> RelatedViews.key, as far as known
    search_index: SearchIndex = field(default_factory=SearchIndex)  # what its index was made of
    template_keys: dict[str, str] = field(default_factory=dict)  # while `layouts` holds (render.py)
    listed: dict[str, tuple[Paper, Listed]] = field(default_factory=dict)  # what lists showed, by slug
    spare: tuple[tuple[int, int] | None, dict[str, Any]] = (None, {})  # (its identity, its keys)
    loaded: _Loaded | None = field(default=None, compare=False, repr=False)  # not kept

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "loaded": None}

    def maps(self) -> dict[str, dict[Any, Any]]:
        """The large maps, which a small change changes in a few places."""
        return {
            "files": self.content.files,
            "keys": self.keys,
            "groups": self.groups,
            "listed": self.listed,
            "related": self.related[1],
            "terms": self.related_terms,
            "related keys": self.related_keys,
            "spare": self.spare[1],
        }

    def with_maps(self, maps: dict[str, dict[Any, Any]]) -> BuildCache:
        """This cache with `maps` (as `maps()` names them) in place of its own."""
        return dataclasses.replace(
            self,
            content=dataclasses.replace(self.content, files=maps["files"]),
            keys=maps["keys"],
            groups=maps["groups"],
            listed=maps["listed"],
            related=(self.related[0], maps["related"]),
            related_terms=maps["terms"],
            related_keys=maps["related keys"],
            spare=(self.spare[0], maps["spare"]),
            loaded=None,
        )

    def memo(self) -> Memo:
        return dict(self.keys)

    def related_papers(
        self, papers: list[Paper], kept: KeptIndex | None = None
    ) -> dict[str, tuple[str, ...]]:
        """Related papers depend only on slugs and the terms of titles and abstracts: the lists
        are reused while those stay, so a fix to TeX, case or punctuation costs no recomputation.
        Otherwise they are brought up to date from the `kept` index: only what the changed
        texts can change is computed again."""
        return self.start_related(papers, kept).result()

    def start_related(
        self, papers: list[Paper], kept: KeptIndex | None = None, early: EarlyRelated | None = None
    ) -> Later[dict[str, tuple[str, ...]]]:
        """`related_papers`, begun: on a large site a child brings them up to date while
        the build goes on (`early`, when it was forked already); the cache holds them once
        the result is had."""
        texts = {paper.slug: text_key(paper) for paper in papers}
        digest = texts_digest(texts)
        if self.related[0] == digest:
            return Later.known(self.related[1])
        old = self.related_terms
        change = None
        if self.related[0]:
            removed = tuple(sorted(old.keys() - texts.keys()))
            edited = tuple(
                paper for paper in papers if paper.slug not in old or old[paper.slug][0] != texts[paper.slug]
            )
            change = TextChange(self.related[0], digest, removed, edited)
            if texts.keys() == old.keys() and all(counted_terms(p)[1] == old[p.slug][1] for p in edited):
                self.related = (digest, self.related[1])  # same slugs, same terms: same lists
                self.related_terms = {slug: (texts[slug], old[slug][1]) for slug in texts}
                if early is not None:
                    early.keep_in_step(change)
                return Later.known(self.related[1])
        terms: dict[str, bytes] = {}
        old_lists, old_terms = self.related[1], self.related_terms
        previous = {
            slug: (old_lists[slug], old_terms[slug][1]) for slug in old_lists.keys() & old_terms.keys()
        }
        if early is not None and change is not None:
            started = early.update(change, papers, terms=terms, previous=previous)
        else:
            started = start_related_papers(papers, terms=terms, kept=kept, previous=previous)

        def finish() -> dict[str, tuple[str, ...]]:
            lists = started.result()
            self.related = (digest, lists)
            self.related_terms = {slug: (texts[slug], terms[slug]) for slug in texts}
            return lists

        return Later(finish, started.close)


@dataclass
class _Loaded:
    """The cache as its file holds it, so the next save can write only what changed."""

    maps: dict[str, dict[Any, Any]]  # copies of the maps as read
    whole: int  # bytes of the whole cache, written last
    records: int  # bytes of the records of changes appended since


class _Referrer:
    """What a record of changes names instead of copying: the papers and pages of the
    cache as read, and the keys the spare's changed entries held there."""

    def __init__(self, maps: dict[str, dict[Any, Any]], spare: dict[str, Any]) -> None:
        self.papers = {id(r.paper): path for path, r in maps["files"].items() if r.paper is not None}
        self.keys = maps["keys"]
        self.page_keys = {
            id(key): path for path, key in spare.items() if (entry := self.keys.get(path)) and entry[0] is key
        }

    def __call__(self, obj: object) -> Hashable | None:
        if type(obj) is Paper:
            path = self.papers.get(id(obj))
            return None if path is None else ("paper", path)
        if type(obj) is Page:
            entry = self.keys.get(obj.path)
            return ("page", obj.path) if entry is not None and entry[1] is obj else None
        if type(obj) is tuple:
            path = self.page_keys.get(id(obj))
            return None if path is None else ("key", path)
        return None


def _resolve(maps: dict[str, dict[Any, Any]], reference: Any) -> object:
    kind, path = reference
    if kind == "paper":
        return maps["files"][path].paper
    return maps["keys"][path][0 if kind == "key" else 1]


_ABSENT = object()
# A build writes the whole cache again when its changes touch more entries than this share
# of the pages (a template edit, say), or when the records would add up to more than this
# share of the whole (reading them costs too).
LARGE_CHANGE = 0.125
RECORDS_SHARE = 0.25


def _changes(before: dict[Any, Any], after: dict[Any, Any]) -> tuple[dict[Any, Any], list[Any]]:
    """What `after` sets differently from `before`, and the keys it no longer has."""
    changed = {
        key: value
        for key, value in after.items()
        if (old := before.get(key, _ABSENT)) is not value and old != value
    }
    return changed, list(before.keys() - after.keys())


def _record(cache: BuildCache) -> bytes | None:
    """What changed since `cache` was read, as a record that refers to what it kept; None
    when it was not read from a file or the record would make the file too large."""
    loaded = cache.loaded
    if loaded is None:
        return None
    changes = {name: _changes(loaded.maps[name], now) for name, now in cache.maps().items()}
    if (
        sum(len(changed) + len(removed) for changed, removed in changes.values())
        > len(cache.keys) * LARGE_CHANGE
    ):
        return None  # a large change (a template, say): write the whole cache
    skeleton = cache.with_maps({name: {} for name in changes})
    record = dumps_referring((skeleton, changes), _Referrer(loaded.maps, changes["spare"][0]))
    return record if loaded.records + len(record) <= loaded.whole * RECORDS_SHARE else None


def _replay(cache: BuildCache, record: bytes) -> BuildCache:
    """`cache` with the changes of `record` applied (its maps are changed in place)."""
    maps = cache.maps()
    skeleton, changes = loads_referring(record, functools.partial(_resolve, maps))
    for name, (changed, removed) in changes.items():
        for key in removed:
            del maps[name][key]
        maps[name].update(changed)
    return skeleton.with_maps(maps)  # type: ignore[no-any-return]


def kept_index(root: Path) -> KeptIndex:
    """The related-papers index of this project's builds (it depends on papers alone, so
    builds to any output may share it)."""
    return KeptIndex(root / CACHE_DIR / "related-index.pickle", fingerprint())


def load_cache(root: Path, out: Path) -> BuildCache:
    """The previous build's cache if it is for this output as it is now; else an empty one."""
    fresh = BuildCache(fingerprint=fingerprint(), out=str(out))
    kept = read_kept(cache_path(root, out), fingerprint())
    if kept is None or not isinstance(kept[0], BuildCache):
        return fresh
    cache, records, whole = kept
    try:
        for record in records:
            cache = _replay(cache, record)
    except Exception:  # records that do not fit what they follow: start afresh
        return fresh
    if (
        not isinstance(cache, BuildCache)
        or cache.fingerprint != fresh.fingerprint
        or cache.out != str(out)
        or cache.identity is None
        or cache.identity != output_identity(out)
    ):
        return fresh
    maps = {name: dict(entries) for name, entries in cache.maps().items()}
    cache.loaded = _Loaded(maps, whole, sum(len(record) for record in records))
    return cache


def save_cache(root: Path, out: Path, cache: BuildCache) -> None:
    """Write what changed, or the whole cache atomically; a failure to save only costs the
    next build its head start."""
    cache.identity = output_identity(out)
    path = cache_path(root, out)
    record = _record(cache)
    if record is None or not append_kept(path, cache.fingerprint, record):
        save_kept(path, cache.fingerprint, cache)
