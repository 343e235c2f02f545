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
import html
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
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
    split = setting == "split" or (setting == "auto" and len(site.papers) > SPLIT_ABOVE)
    if not split or not site.days:
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


def index_site(
    site_dir: Path,
    parts: Sequence[SearchPart],
    output: Path | None = None,
    language: str = "en",
    previous: Path | None = None,
    unchanged: Collection[str] = (),
) -> None:
    """Write the Pagefind bundle of each part into `site_dir/pagefind/` (or `output`).

    Parts named in `unchanged` are linked from the `previous` index folder instead."""
    index_dir = output or site_dir / INDEX_DIR
    for part in parts:
        old = part.folder(previous) if previous is not None else None
        if part.name in unchanged and old is not None and (old / "pagefind-entry.json").is_file():
            shutil.copytree(old, part.folder(index_dir), copy_function=os.link, dirs_exist_ok=True)
        else:
            _index_part(site_dir, part, part.folder(index_dir), language)


def _index_part(site_dir: Path, part: SearchPart, output: Path, language: str) -> None:
    # Beside the site, named after it: a build's staging folder is `.public.staging-N`, so a
    # killed build's documents are removed with its other leftovers.
    hidden = "" if site_dir.name.startswith(".") else "."
    documents = Path(tempfile.mkdtemp(prefix=f"{hidden}{site_dir.name}.search-", dir=site_dir.parent))
    try:
        for number, url in enumerate(part.urls):
            try:
                page = (site_dir / url / "index.html").read_text(encoding="utf-8")
            except FileNotFoundError:  # removed by a dev-server rebuild meanwhile: indexed again later
                continue
            (documents / f"{number:07d}.html").write_text(
                search_document(page, url, language), encoding="utf-8"
            )
        command = [str(pagefind_executable()), "--site", str(documents), "--silent"]
        command += ["--output-path", str(output)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(documents, ignore_errors=True)
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


_BODY_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*\bdata-pagefind-body\b[^>]*>")


def search_document(page: str, url: str, language: str) -> str:
    """What Pagefind reads of a page: its `data-pagefind-body` element (the whole page when a
    layout marks none), with `url` as metadata since the document's own path is not the page's."""
    start = _BODY_START.search(page)
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
