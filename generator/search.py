"""Pagefind over the staged site, before the swap, so the site and its index always match.

Only paper pages are indexed, and only what they mark `data-pagefind-body` (navigation,
the BibTeX block and MathML are marked `data-pagefind-ignore`). Pagefind reads each one
as a small search document: that element alone, in a flat folder, with the page's URL as
the `url` metadata the search page links to. That is half the bytes Pagefind would parse
in the page itself, and no folder per paper to make (folders cost most on some disks).

Large sites split search into parts, newest first: the latest month, then a part per
earlier year. Pagefind's memory grows with the pages of an index (about 1.4 GB for
10,000 papers), so parts bound it; a rebuild re-indexes only the parts whose papers
changed, which for a new or corrected paper of the month is the smallest one. The search
page merges the parts in the browser.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import PapersError
from generator.model import Site, month_key
from generator.pagefind_order import make_reproducible

INDEX_DIR = "pagefind"
SPLIT_ABOVE = 5_000  # papers: one index up to here, parts above (`search_index: auto`)


@dataclass(frozen=True)
class SearchPart:
    """One Pagefind index: its folder under `pagefind/` ("" for one index of everything)
    and the site paths (`papers/x/`) of the pages it holds."""

    name: str
    urls: tuple[str, ...]

    def folder(self, index_dir: Path) -> Path:
        return index_dir / self.name if self.name else index_dir


def search_parts(site: Site, setting: str = "auto") -> list[SearchPart]:
    """How search is split for this site (see the module docstring), newest part first."""
    if not site.papers:
        return []  # nothing to search: no index at all (Pagefind refuses an empty one)
    split = setting == "split" or (setting == "auto" and len(site.papers) > SPLIT_ABOVE)
    if not split:
        return [SearchPart("", tuple(sorted(paper.url for paper in site.papers)))]
    latest = month_key(site.days[0].date)
    parts: dict[str, list[str]] = {}
    for paper in site.ordered_papers:
        month = month_key(paper.day)
        parts.setdefault(month if month == latest else month[:4], []).append(paper.url)
    return [SearchPart(name, tuple(sorted(urls))) for name, urls in parts.items()]


def pagefind_executable() -> Path:
    try:
        import pagefind_bin
    except ImportError:
        raise PapersError.single(
            "pagefind",
            "the search indexer is not installed",
            "run `pip install -e .` again, or build with --no-search",
        ) from None
    return Path(pagefind_bin.get_executable())


@dataclass
class SearchIndex:
    """What an index was made of: its parts and a digest of every page's search document.
    A rebuild reuses a part while its pages and their documents are the same."""

    parts: tuple[SearchPart, ...] = ()
    digests: dict[str, str] = field(default_factory=dict)  # site path -> sha256 of its document
    language: str = ""


def index_site(
    site_dir: Path,
    parts: Sequence[SearchPart],
    output: Path | None = None,
    language: str = "en",
    previous: tuple[Path, SearchIndex] | None = None,
    changed: Collection[str] = (),
    live: bool = False,
) -> SearchIndex:
    """Write the Pagefind bundle of each part into `site_dir/pagefind/` (or `output`).

    With `previous` (the last index's folder and record) a part whose pages are the same and
    whose `changed` pages (site paths) give the same search documents is linked from there.
    `live`: the dev server's site may lose a page while it is read; it is indexed next time."""
    index_dir = output or site_dir / INDEX_DIR
    made = SearchIndex(tuple(parts), {}, language)
    old_parts = {part.name: part for part in previous[1].parts} if previous else {}
    for part in parts:
        documents: dict[str, str | None] = {}
        if previous is not None:
            urls = set(part.urls)
            documents = {url: _document(site_dir, url, language, live) for url in changed if url in urls}
            digests = {url: _digest(text) for url, text in documents.items() if text is not None}
            if _reusable(part, old_parts, previous, language, digests):
                old_folder = part.folder(previous[0])
                shutil.copytree(old_folder, part.folder(index_dir), copy_function=os.link, dirs_exist_ok=True)
                made.digests.update({url: previous[1].digests[url] for url in part.urls})
                continue
        made.digests.update(_index_part(site_dir, part, part.folder(index_dir), language, live, documents))
    return made


def _reusable(
    part: SearchPart,
    old_parts: dict[str, SearchPart],
    previous: tuple[Path, SearchIndex],
    language: str,
    digests: dict[str, str],
) -> bool:
    folder, old = previous
    return (
        old.language == language
        and old_parts.get(part.name) == part
        and all(old.digests.get(url) == digest for url, digest in digests.items())
        and all(url in old.digests for url in part.urls)
        and (part.folder(folder) / "pagefind-entry.json").is_file()
    )


def _document(site_dir: Path, url: str, language: str, live: bool) -> str | None:
    try:
        page = (site_dir / url / "index.html").read_text(encoding="utf-8")
    except FileNotFoundError:
        if live:
            return None
        raise
    return search_document(page, url, language)


def _digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _index_part(
    site_dir: Path, part: SearchPart, output: Path, language: str, live: bool, known: dict[str, str | None]
) -> dict[str, str]:
    """Index one part (`known`: documents already made); the digests of its documents."""
    # Beside the site, named after it: a build's staging folder is `.public.staging-N`, so a
    # killed build's documents are removed with its other leftovers.
    hidden = "" if site_dir.name.startswith(".") else "."
    folder = Path(tempfile.mkdtemp(prefix=f"{hidden}{site_dir.name}.search-", dir=site_dir.parent))
    digests = {}
    try:
        for number, url in enumerate(part.urls):
            document = known[url] if url in known else _document(site_dir, url, language, live)
            if document is not None:
                (folder / f"{number:07d}.html").write_text(document, encoding="utf-8")
                digests[url] = _digest(document)
        command = [str(pagefind_executable()), "--site", str(folder), "--silent"]
        command += ["--output-path", str(output)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise PapersError.single(
            "pagefind",
            "the search index could not be built: " + " / ".join(detail),
            "try --no-search to build without it",
        )
    # With a future Pagefind format the index still works; only its bytes may vary.
    with contextlib.suppress(OSError, ValueError, KeyError, IndexError, TypeError):
        make_reproducible(output)
    return digests


_ATTRIBUTE = r"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_ATTRIBUTE_NAME = re.compile(_ATTRIBUTE)
_TAG = re.compile(rf"<([a-zA-Z][a-zA-Z0-9]*)((?:{_ATTRIBUTE})*)\s*/?>")


def _body_start(page: str) -> re.Match[str] | None:
    """The start tag that has a `data-pagefind-body` attribute: not text that merely says so,
    in an abstract or inside another attribute's value (a title in `og:title`, say)."""
    position = 0
    while (found := page.find("data-pagefind-body", position)) != -1:
        tag = _TAG.match(page, max(0, page.rfind("<", 0, found)))
        names = _ATTRIBUTE_NAME.findall(tag.group(2)) if tag and tag.end() > found else []
        if "data-pagefind-body" in (name.lower() for name in names):
            return tag
        position = found + 1
    return None


def search_document(page: str, url: str, language: str) -> str:
    """What Pagefind reads of a page: its `data-pagefind-body` element (the whole page when a
    layout marks none), with `url` as metadata since the document's own path is not the page's."""
    start = _body_start(page)
    url_meta = f'<span data-pagefind-meta="url:{html.escape(url)}"></span>'
    if start is None:
        return page.replace("</body>", url_meta + "</body>", 1)
    end = _matching_close(page, start.group(1).lower(), start.end())
    closing = page[end:].split(">", 1)[0] + ">" if end < len(page) else ""
    body = page[start.start() : end] + url_meta + closing
    return f'<!doctype html><html lang="{html.escape(language)}"><meta charset="utf-8"><body>{body}</body></html>'


def _matching_close(page: str, tag: str, position: int) -> int:
    """Where the element opened before `position` closes (page text is escaped, so every
    `<tag` and `</tag` is markup)."""
    depth = 1
    for found in re.finditer(rf"<(/?){tag}\b", page[position:], re.IGNORECASE):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return position + found.start()
    return len(page)
