"""The build cache: what the last build read and rendered, so the next one redoes only changes.

It holds each content file's stat stamp and parsed paper, and each page's inputs key. A page
whose key is unchanged is hard-linked from the previous output instead of rendered. It also
holds the keys of the pages of the spare site (see write.py) and what each part of the
search index was made of (see search.py), so both can be brought up to date. The
cache is a convenience, never a source of truth: a missing, corrupt or foreign cache (other
generator or library versions, another output folder, an output folder changed since) means
a full build, and keys hold every input, so a reused page is always the page a full build
would write. Delete `.cache/` at any time.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import platform
import sys
from dataclasses import dataclass, field
from hashlib import sha256
from importlib import metadata
from pathlib import Path
from typing import Any

from generator import __version__
from generator.content import ContentCache
from generator.kept import load_kept, save_kept
from generator.model import Paper
from generator.related import related_papers, term_counts, terms_digest, text_key
from generator.related_index import KeptIndex
from generator.render import Groups, Memo
from generator.search import SearchIndex
from generator.views import Listed

CACHE_DIR = ".cache/papers"
_DEPENDENCIES = (
    "jinja2",
    "markdown-it-py",
    "mdit-py-plugins",
    "latex2mathml",
    "pyyaml",
    "linkify-it-py",
    "pagefind-bin",  # parts of a search index are reused: they must come from one Pagefind
    "resvg-py",
)


@functools.cache  # read once per process: a build asks three times
def _fingerprint() -> str:
    """Generator, Python and library versions, and the generator's own source."""
    digest = hashlib.sha256(f"{__version__} {sys.version} {platform.machine()}".encode())
    for name in _DEPENDENCIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def output_identity(out: Path) -> tuple[int, int] | None:
    """The output folder as the last build left it: a swap gives it a new inode."""
    try:
        stat = out.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_dev


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
    search_index: SearchIndex = field(default_factory=SearchIndex)  # what its index was made of
    template_keys: dict[str, str] = field(default_factory=dict)  # while `layouts` holds (render.py)
    listed: dict[str, tuple[Paper, Listed]] = field(default_factory=dict)  # what lists showed, by slug
    spare: tuple[tuple[int, int] | None, dict[str, Any]] = (None, {})  # (its identity, its keys)

    def memo(self) -> Memo:
        return dict(self.keys)

    def related_papers(
        self, papers: list[Paper], kept: KeptIndex | None = None
    ) -> dict[str, tuple[str, ...]]:
        """Related papers depend only on slugs and the terms of titles and abstracts: the lists
        are reused while those stay, so a fix to TeX, case or punctuation costs no recomputation.
        Otherwise they are brought up to date from the `kept` index: only what the changed
        texts can change is computed again."""
        texts = {paper.slug: text_key(paper) for paper in papers}
        digest = hashlib.sha256(
            b"".join(slug.encode() + b"\0" + texts[slug] for slug in sorted(texts))
        ).hexdigest()
        if self.related[0] == digest:
            return self.related[1]
        old = self.related_terms
        if self.related[0] and texts.keys() == old.keys():
            edited = [paper for paper in papers if old[paper.slug][0] != texts[paper.slug]]
            if all(terms_digest(term_counts(p.title, p.body)) == old[p.slug][1] for p in edited):
                self.related = (digest, self.related[1])  # same slugs, same terms: same lists
                self.related_terms = {slug: (texts[slug], old[slug][1]) for slug in texts}
                return self.related[1]
        terms: dict[str, bytes] = {}
        old_lists, old_terms = self.related[1], self.related_terms
        previous = {
            slug: (old_lists[slug], old_terms[slug][1]) for slug in old_lists.keys() & old_terms.keys()
        }
        lists = related_papers(papers, terms=terms, kept=kept, previous=previous)
        self.related = (digest, lists)
        self.related_terms = {slug: (texts[slug], terms[slug]) for slug in texts}
        return lists


@dataclass(frozen=True)
class Summary:
    """Enough of the last build to tell, without loading the cache, that nothing changed."""

    fingerprint: str
    out: str
    identity: tuple[int, int] | None
    settings: Any
    search: bool
    layouts: tuple[tuple[str, int, int], ...]
    stamps: Any
    papers: int
    days: int
    pages: int


def _summary_path(root: Path, out: Path) -> Path:
    return cache_path(root, out).with_suffix(".summary")


def save_summary(root: Path, out: Path, summary: Summary) -> None:
    save_kept(_summary_path(root, out), summary.fingerprint, summary)


def unchanged_since_last_build(
    root: Path, out: Path, settings: Any, search: bool, layouts: tuple[tuple[str, int, int], ...], stamps: Any
) -> Summary | None:
    """The last build's summary when its output is still in place and no input changed."""
    summary = load_kept(_summary_path(root, out), _fingerprint())
    if not isinstance(summary, Summary):
        return None
    same = (
        summary.out == str(out)
        and summary.identity is not None
        and summary.identity == output_identity(out)
        and summary.settings == settings
        and summary.search == search
        and summary.layouts == layouts
        and summary.stamps == stamps
        and summary.fingerprint == _fingerprint()
    )
    return summary if same else None


def cache_path(root: Path, out: Path) -> Path:
    name = sha256(str(out).encode()).hexdigest()[:16]
    return root / CACHE_DIR / f"build-{name}.pickle"


def kept_index(root: Path) -> KeptIndex:
    """The related-papers index of this project's builds (it depends on papers alone, so
    builds to any output may share it)."""
    return KeptIndex(root / CACHE_DIR / "related-index.pickle", _fingerprint())


def load_cache(root: Path, out: Path) -> BuildCache:
    """The previous build's cache if it is for this output as it is now; else an empty one."""
    cache = load_kept(cache_path(root, out), _fingerprint())
    fresh = BuildCache(fingerprint=_fingerprint(), out=str(out))
    if (
        not isinstance(cache, BuildCache)
        or cache.fingerprint != fresh.fingerprint
        or cache.out != str(out)
        or cache.identity is None
        or cache.identity != output_identity(out)
    ):
        return fresh
    return cache


def save_cache(root: Path, out: Path, cache: BuildCache) -> None:
    """Write atomically; a failure to save only costs the next build its head start."""
    cache.identity = output_identity(out)
    save_kept(cache_path(root, out), cache.fingerprint, cache)
