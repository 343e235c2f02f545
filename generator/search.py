"""Pagefind over the staged site, before the swap, so the site and its index always match.

Only paper pages are indexed, and only what they mark `data-pagefind-body` (navigation,
the BibTeX block and MathML are marked `data-pagefind-ignore`). Pagefind reads each one
as a small search document: that element alone, in a flat folder, with the page's URL as
the `url` metadata the search page links to. That is half the bytes Pagefind would parse
in the page itself, and no folder per paper to make (folders cost most on some disks).

Large sites split search into parts, newest first: the latest month, then a part per
earlier year. Pagefind's memory grows with the pages of an index (about 1.4 GB for
10,000 papers), so parts bound it, and a build re-indexes only the parts whose pages'
documents changed. Pagefind cannot update an index, so the dev server goes further: it
keeps each part's folder as it was indexed and puts the pages changed since (corrected,
added, moved) in a small overlay index, with a manifest of the results it replaces;
past `OVERLAY_LIMIT` pages a part is indexed again. The search page merges the parts
and the overlay in the browser.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gzip
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from generator.errors import PapersError
from generator.forking import killed_with_parent
from generator.mathml import FORMULA_START
from generator.model import Day, Site, month_key
from generator.pagefind_order import SIGNATURE, make_reproducible

INDEX_DIR = "pagefind"
SPLIT_ABOVE = 5_000  # papers: one index up to here, parts above (`search_index: auto`)
PAGES_AT_ONCE = 10_000  # parts indexed at once may hold this many pages (about 1.4 GB for Pagefind)
# Papers up to which a cold build indexes while its workers still make the pages other than
# papers': their memory grows with the site, and at 100,000 papers, beside Pagefind's, it
# would pass 4 GB. Larger sites index once the workers are done, as warm builds do.
INDEX_WHILE_RENDERING = 20_000


@dataclass(frozen=True)
class SearchPart:
    """One Pagefind index: its folder under `pagefind/` ("" for one index of everything),
    the site paths (`papers/x/`) of the pages it holds and, in the same order, their days."""

    name: str
    urls: tuple[str, ...]
    days: tuple[str, ...] = ()  # ISO dates: a date-sorted search places the overlay's pages by them

    def folder(self, index_dir: Path) -> Path:
        return index_dir / self.name if self.name else index_dir


def search_parts(site: Site, setting: str = "auto") -> list[SearchPart]:
    """How search is split for this site (see the module docstring), newest part first."""
    parts: dict[str, list[tuple[str, str]]] = {}
    for name, day in _days_by_part(site, setting):
        iso = day.date.isoformat()
        parts.setdefault(name, []).extend((paper.url, iso) for paper in day.papers)
    return [_part(name, pages) for name, pages in parts.items()]


def search_part_names(site: Site, setting: str = "auto") -> tuple[str, ...]:
    """The names of a split index's parts, newest first (none for one index): what the
    search page merges, without the pages' lists."""
    return tuple(dict.fromkeys(name for name, _ in _days_by_part(site, setting) if name))


def _days_by_part(site: Site, setting: str) -> Iterator[tuple[str, Day]]:
    if not site.papers:
        return  # nothing to search: no index at all (Pagefind refuses an empty one)
    split = setting == "split" or (setting == "auto" and len(site.papers) > SPLIT_ABOVE)
    latest = month_key(site.days[0].date)
    for day in site.days:
        month = month_key(day.date)
        yield ("" if not split else month if month == latest else month[:4]), day


def _part(name: str, pages: Iterable[tuple[str, str]]) -> SearchPart:
    urls, days = zip(*sorted(pages), strict=True)
    return SearchPart(name, urls, days)


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


@dataclass(frozen=True)
class IndexedPart:
    """A Pagefind index as written: its pages, the digest of each one's search document then,
    and the id Pagefind gave each page (a result's `id` in the browser; read when an overlay
    needs them, so empty for the parts a build indexes)."""

    part: SearchPart
    digests: dict[str, str]
    ids: dict[str, str]


@dataclass
class SearchIndex:
    """What the index holds: each part's folder as last written (`indexed`, which may be older
    than the part), the overlay that corrects them, and the digest of every page's search
    document now. A rebuild compares the digests to decide what to index again."""

    parts: tuple[SearchPart, ...] = ()
    digests: dict[str, str] = field(default_factory=dict)  # site path -> sha256 of its document
    language: str = ""
    indexed: dict[str, IndexedPart] = field(default_factory=dict)  # part name -> its folder's pages
    overlay: IndexedPart | None = None


def index_site(
    site_dir: Path,
    parts: Sequence[SearchPart],
    output: Path | None = None,
    language: str = "en",
    previous: tuple[Path, SearchIndex] | None = None,
    changed: Collection[str] = (),
    live: bool = False,
    overlay: bool = False,
    started: Indexing | None = None,
) -> SearchIndex:
    """Write the Pagefind bundle of each part into `site_dir/pagefind/` (or `output`).

    With `previous` (the last index's folder and record), a part whose search documents are
    all as its folder holds them is linked from there. With `overlay` (the dev server), so is
    a part with a few changed pages: those go to the overlay (see `OVERLAY`). Without,
    the index is the same, byte for byte, as one made from nothing. When `output` is the
    previous index's folder, it is updated in place: kept parts stay, others are swapped in.
    `changed`: the site paths of pages written since `previous`; the others have the
    documents `previous` records. `live`: the dev server's site may lose a page while it is
    read; it is indexed next time. `started`: parts already being indexed (`start_indexing`)."""
    index_dir = output or site_dir / INDEX_DIR
    runs = started or Indexing(site_dir, parts, language, live, ids=overlay)
    documents = runs.documents
    made = SearchIndex(tuple(parts), {}, language)
    split = any(part.name for part in parts)
    folder, old = (
        previous if previous and _compatible(previous[1], language, split) else (None, SearchIndex())
    )
    in_place = folder is not None and folder.absolute() == index_dir.absolute()
    if previous and not in_place and previous[0].absolute() == index_dir.absolute():
        shutil.rmtree(index_dir, ignore_errors=True)  # an index of another kind: made anew
    write = functools.partial(_index_in_place if in_place else _index_part, documents=documents)
    corrected: dict[str, tuple[str, str]] = {}  # site path -> its part and day, for the overlay
    hidden: list[str] = []  # ids of pages the overlay corrects or that are gone
    to_index: list[SearchPart] = []
    for part in parts:
        kept = old.indexed.get(part.name)
        if folder is not None and kept is not None and _bundle_in(part.folder(folder)):
            now = _digests_now(part, old, changed, documents)
            differ = [url for url, digest in now.items() if digest is None or digest != kept.digests.get(url)]
            gone = [url for url in kept.part.urls if url not in now]
            pending = len(differ) + len(gone)
            if not pending or (overlay and len(corrected) + pending <= OVERLAY_LIMIT):
                if pending and not kept.ids:  # indexed by a build, which does not read them
                    kept = dataclasses.replace(kept, ids=page_ids(part.folder(folder)))
                if not in_place:
                    _link(part.folder(folder), part.folder(index_dir))
                made.indexed[part.name] = kept
                made.digests.update({url: digest for url, digest in now.items() if digest is not None})
                days = dict(zip(part.urls, part.days, strict=True))
                corrected.update({url: (part.name, days[url]) for url in differ if now[url] is not None})
                hidden += [kept.ids[url] for url in differ + gone if url in kept.ids]
                continue
        to_index.append(part)
    try:
        if not in_place:  # every part at once, as far as memory allows
            for part in to_index:
                runs.add(part, part.folder(index_dir))
        for part in to_index:
            indexed = write(part, part.folder(index_dir)) if in_place else runs.result(part.folder(index_dir))
            made.indexed[part.name] = indexed
            made.digests.update(indexed.digests)
    finally:
        runs.close()  # what still runs when one failed
    made.indexed = {part.name: made.indexed[part.name] for part in parts}  # in the parts' order
    if in_place:  # what the parts no longer need: an earlier month's part, say
        keep = {part.name for part in parts} | {OVERLAY}
        for stale in index_dir.iterdir() if split else ():
            if stale.is_dir() and stale.name not in keep:
                shutil.rmtree(stale, ignore_errors=True)
    if split or overlay:  # the search page reads the manifest of a split index, and the dev server's
        made.overlay = _overlay(index_dir, corrected, documents, (folder, old.overlay), write)
        _write_manifest(index_dir, made, hidden)
    return made


def _compatible(old: SearchIndex, language: str, split: bool) -> bool:
    """Whether an earlier index can be kept in part: same language, split the same way."""
    return old.language == language and any(part.name for part in old.parts) == split


OVERLAY = "overlay"  # the folder of the index's corrections
OVERLAY_LIMIT = 200  # pages: past this, a part with changed pages is indexed again instead
MANIFEST = "overlay.json"


def _overlay(
    index_dir: Path,
    corrected: dict[str, tuple[str, str]],
    documents: _Documents,
    previous: tuple[Path | None, IndexedPart | None],
    write: Callable[..., IndexedPart],
) -> IndexedPart | None:
    """The overlay: an index of the pages changed since their part was indexed, each with its
    part as a `part` filter. Re-indexing 200 pages takes a fraction of a second where a year
    of papers takes many; the browser drops the stale pages' results (see `_write_manifest`)."""
    folder, old = previous
    if not corrected:
        shutil.rmtree(index_dir / OVERLAY, ignore_errors=True)  # one kept in place, now empty
        return None
    part = _part(OVERLAY, ((url, day) for url, (_, day) in corrected.items()))
    filed = {url: name for url, (name, _) in corrected.items()}
    digests = {url: documents.digest(url, filed[url]) for url in part.urls}
    if old and old.part == part and old.digests == digests and folder and _bundle_in(folder / OVERLAY):
        if folder.absolute() != index_dir.absolute():
            _link(folder / OVERLAY, index_dir / OVERLAY)
        return old
    return write(part, index_dir / OVERLAY, filed=filed)


def _write_manifest(index_dir: Path, made: SearchIndex, hidden: list[str]) -> None:
    """What the search page needs to read the overlay: its folder, the ids of the results it
    replaces, and the days of its pages and of each part's first and last page (a date-sorted
    search places the overlay's pages among their part's results by them)."""
    overlay = made.overlay
    days = dict(zip(overlay.part.urls, overlay.part.days, strict=True)) if overlay else {}
    manifest = {
        "overlay": OVERLAY if overlay else "",
        "hidden": sorted(set(hidden)),
        "pages": {page: days[url] for url, page in sorted(overlay.ids.items())} if overlay else {},
        "parts": {name: [min(kept.part.days), max(kept.part.days)] for name, kept in made.indexed.items()},
    }
    index_dir.mkdir(parents=True, exist_ok=True)
    written = index_dir / f".{MANIFEST}.new"
    written.write_text(json.dumps(manifest, separators=(",", ":")) + "\n", encoding="utf-8")
    written.replace(index_dir / MANIFEST)  # whole, for a search page loading it meanwhile


def _digests_now(
    part: SearchPart, old: SearchIndex, changed: Collection[str], documents: _Documents
) -> dict[str, str | None]:
    """The digest of each page's search document: recorded in `old` unless the page changed
    since (None for a page gone while the dev server read it)."""
    now = {url: old.digests.get(url) if url not in changed else None for url in part.urls}
    now.update({url: documents.digest(url) for url, digest in now.items() if digest is None})
    return now


def _bundle_in(folder: Path) -> bool:
    return (folder / "pagefind-entry.json").is_file()


def _link(source: Path, target: Path) -> None:
    """An index folder kept as it is: hard links, not copies."""
    shutil.copytree(source, target, copy_function=os.link, dirs_exist_ok=True)


class _Documents:
    """The search documents of the staged site's pages, each made once."""

    def __init__(self, site_dir: Path, language: str, live: bool) -> None:
        self.site_dir, self.language, self.live = site_dir, language, live
        self._made: dict[tuple[str, str], str | None] = {}

    def document(self, url: str, part: str = "") -> str | None:
        """`part`: the overlay's documents are filed under the part they correct."""
        if (url, part) not in self._made:
            self._made[url, part] = _document(self.site_dir, url, self.language, self.live, part)
        return self._made[url, part]

    def digest(self, url: str, part: str = "") -> str | None:
        document = self.document(url, part)
        return None if document is None else _digest(document)

    def take(self, url: str, part: str = "") -> str | None:
        """The document, no longer kept: a part's documents are read once, to be indexed."""
        if (url, part) in self._made:
            return self._made.pop((url, part))
        return _document(self.site_dir, url, self.language, self.live, part)


def _document(site_dir: Path, url: str, language: str, live: bool, part: str) -> str | None:
    try:  # bytes decoded as they are, as EarlyDocuments does (read_text would change \r)
        page = (site_dir / url / "index.html").read_bytes().decode("utf-8")
    except FileNotFoundError:
        if live:
            return None
        raise
    return search_document(page, url, language, part)


def _digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _document_file(folder: Path, number: int) -> str:
    """Where a part's `number`-th document goes (numbered in the part's order)."""
    return f"{folder}/{number:07d}.html"


def _write_document(file: str, document: str) -> str:
    """Write a search document; its digest."""
    with open(file, "w", encoding="utf-8") as out:
        out.write(document)
    return _digest(document)


def _index_in_place(
    part: SearchPart, output: Path, documents: _Documents, filed: dict[str, str] | None = None
) -> IndexedPart:
    """Index a part beside its folder, then swap it in: the dev server's index is updated
    where it is served, part by part, instead of being linked anew whole."""
    fresh, retired = output.with_name(f".{output.name}.new"), output.with_name(f".{output.name}.old")
    for leftover in (fresh, retired):
        shutil.rmtree(leftover, ignore_errors=True)
    try:
        indexed = _index_part(part, fresh, documents, filed)
        if output.exists():
            output.rename(retired)
        fresh.rename(output)
    finally:
        for leftover in (fresh, retired):
            shutil.rmtree(leftover, ignore_errors=True)
    return indexed


def _index_part(
    part: SearchPart, output: Path, documents: _Documents, filed: dict[str, str] | None = None
) -> IndexedPart:
    """Index one part's pages (`filed`: the overlay's, each under its part)."""
    return _start(part, output, documents, filed).wait(ids=True)


_RUNNING: set[subprocess.Popen[bytes]] = set()  # every Pagefind run of this process, while it runs
_RUNNING_LOCK = threading.Lock()


def stop_all_indexing() -> None:
    """Kill every Pagefind run of this process (the dev server stopping: it must not write
    into a folder being removed, nor outlive the server)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        with contextlib.suppress(OSError):
            process.kill()


@dataclass
class _Run:
    """Pagefind indexing one part's documents (written to `folder`) into `output`."""

    part: SearchPart
    output: Path
    folder: Path
    digests: dict[str, str]
    process: subprocess.Popen[bytes]
    messages: IO[bytes]  # what Pagefind prints: a file, so a long run never fills a pipe

    def wait(self, ids: bool) -> IndexedPart:
        """The part as indexed; `ids`: with the id Pagefind gave each page (for an overlay)."""
        try:
            self.process.wait()
            self.messages.seek(0)
            messages = self.messages.read().decode("utf-8", "replace")
        finally:
            self.stop()
        if self.process.returncode != 0:
            detail = messages.strip().splitlines()[-5:]
            raise PapersError.single(
                "pagefind",
                "the search index could not be built: " + " / ".join(detail),
                "try --no-search to build without it",
            )
        # With a future Pagefind format the index still works; only its bytes may vary.
        with contextlib.suppress(OSError, ValueError, KeyError, IndexError, TypeError):
            make_reproducible(self.output)
        return IndexedPart(self.part, self.digests, page_ids(self.output) if ids else {})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        with _RUNNING_LOCK:
            _RUNNING.discard(self.process)
        self.messages.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _documents_folder(site_dir: Path) -> Path:
    # Beside the site, named after it: a build's staging folder is `.public.staging-N`, so a
    # killed build's documents are removed with its other leftovers.
    hidden = "" if site_dir.name.startswith(".") else "."
    return Path(tempfile.mkdtemp(prefix=f"{hidden}{site_dir.name}.search-", dir=site_dir.parent))


def _start(
    part: SearchPart,
    output: Path,
    documents: _Documents,
    filed: dict[str, str] | None = None,
    early: EarlyDocuments | None = None,
) -> _Run:
    """Write a part's search documents (but those `early` wrote already) and start Pagefind."""
    folder = early.folders[part.name] if early else _documents_folder(documents.site_dir)
    digests = {}
    try:
        for number, url in enumerate(part.urls):
            if early and url in early.digests:
                digests[url] = early.digests[url]
                continue
            document = documents.take(url, filed[url] if filed else "")
            if document is not None:
                digests[url] = _write_document(_document_file(folder, number), document)
        command = [str(pagefind_executable()), "--site", str(folder), "--silent"]
        command += ["--output-path", str(output)]
        messages = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by _Run.stop
        try:
            with _RUNNING_LOCK:
                # Killed with the build, however it ends (SIGKILL, OOM): else it goes on writing
                # into a folder no one removes. Not while threads run (the dev server, which stops
                # its runs itself): code run between fork and exec may then deadlock.
                at_start = killed_with_parent if threading.active_count() == 1 else None
                process = subprocess.Popen(
                    command, stdout=messages, stderr=subprocess.STDOUT, preexec_fn=at_start
                )
                _RUNNING.add(process)
        except BaseException:
            messages.close()
            raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _Run(part, output, folder, digests, process, messages)


class Indexing:
    """Parts being indexed, each by its own Pagefind run, as many at once as keep the pages
    in the runs within the largest part's count (or `PAGES_AT_ONCE`): Pagefind's memory grows
    with its pages, so the build peaks no higher than when it indexes that part alone."""

    def __init__(
        self,
        site_dir: Path,
        parts: Sequence[SearchPart],
        language: str,
        live: bool = False,
        ids: bool = False,
        early: EarlyDocuments | None = None,
    ) -> None:
        self.documents = _Documents(site_dir, language, live)
        self.ids = ids
        self.early = early
        self.budget = max([len(part.urls) for part in parts] + [PAGES_AT_ONCE])
        self.waiting: list[tuple[SearchPart, Path]] = []
        self.running: dict[Path, _Run] = {}
        self.done: dict[Path, IndexedPart] = {}

    def add(self, part: SearchPart, output: Path) -> None:
        """Index `part` into `output` (once: a part added already is left running)."""
        if output not in self.running and output not in self.done and (part, output) not in self.waiting:
            self.waiting.append((part, output))
            self._start_what_fits()

    def result(self, output: Path) -> IndexedPart:
        """The part indexed into `output`, once its run (and every one started before) ends."""
        while output not in self.done:
            if not self.running:
                if not self.waiting:
                    raise KeyError(f"no part is indexed into {output}")
                self._start_what_fits(force=True)
            finished, run = next(iter(self.running.items()))
            del self.running[finished]
            self.done[finished] = run.wait(self.ids)
            self._start_what_fits()
        return self.done.pop(output)

    def close(self) -> None:
        """Stop what still runs (a build that failed meanwhile)."""
        for run in self.running.values():
            run.stop()
        self.running.clear()
        self.waiting.clear()

    def _start_what_fits(self, force: bool = False) -> None:
        while self.waiting:
            part, output = self.waiting[0]
            in_runs = sum(len(run.part.urls) for run in self.running.values())
            if self.running and in_runs + len(part.urls) > self.budget and not force:
                return
            self.waiting.pop(0)
            self.running[output] = _start(part, output, self.documents, early=self.early)
            force = False


@dataclass
class EarlyDocuments:
    """The search documents of a cold build, written by whichever process writes the paper
    pages, as it writes them: a folder per part, made beforehand, and the file of each page."""

    files: dict[str, str]  # page path (`papers/x/index.html`) -> its document's file
    folders: dict[str, Path]  # part name -> its documents' folder
    language: str
    digests: dict[str, str] = field(default_factory=dict)  # site path -> digest, of those written

    def write(self, path: str, content: bytes) -> None:
        """The document of the page at `path` (when it is a paper page), with these bytes."""
        file = self.files.get(path)
        if file is not None:
            url = path.removesuffix("index.html")
            document = search_document(content.decode("utf-8"), url, self.language)
            self.digests[url] = _write_document(file, document)

    def remove(self) -> None:
        for folder in self.folders.values():
            shutil.rmtree(folder, ignore_errors=True)


def plan_documents(site_dir: Path, parts: Sequence[SearchPart], language: str = "en") -> EarlyDocuments:
    """Folders for every part's documents, and where each paper page's document goes."""
    early = EarlyDocuments({}, {}, language)
    try:
        for part in parts:
            folder = early.folders[part.name] = _documents_folder(site_dir)
            early.files.update(
                (f"{url}index.html", _document_file(folder, number)) for number, url in enumerate(part.urls)
            )
    except BaseException:
        early.remove()
        raise
    return early


def start_indexing(
    site_dir: Path, parts: Sequence[SearchPart], language: str = "en", early: EarlyDocuments | None = None
) -> Indexing:
    """Start indexing every part of a site whose paper pages are all written, while the
    build goes on with its other pages; `index_site(..., started=)` takes the results.
    `early`: the documents written with the pages."""
    runs = Indexing(site_dir, parts, language, early=early)
    try:
        for part in parts:
            runs.add(part, part.folder(site_dir / INDEX_DIR))
    except BaseException:
        runs.close()
        raise
    return runs


def page_ids(folder: Path) -> dict[str, str]:
    """Site path -> Pagefind's id, from each page's fragment (its `url` metadata)."""
    ids = {}
    for fragment in sorted((folder / "fragment").glob("*.pf_fragment")):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, EOFError):
            data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(SIGNATURE))
            ids[data["meta"]["url"]] = fragment.name.removesuffix(".pf_fragment")
    return ids


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


def search_document(page: str, url: str, language: str, part: str = "") -> str:
    """What Pagefind reads of a page: its `data-pagefind-body` element (the whole page when a
    layout marks none), with `url` as metadata since the document's own path is not the page's,
    and with `part` (an overlay's page) as the `part` filter."""
    start = _body_start(page)
    url_meta = f'<span data-pagefind-meta="url:{html.escape(url)}"></span>'
    if part:
        url_meta += f'<span data-pagefind-filter="part:{html.escape(part)}"></span>'
    if start is None:
        return page.replace("</body>", url_meta + "</body>", 1)
    end = _matching_close(page, start.group(1).lower(), start.end())
    closing = page[end:].split(">", 1)[0] + ">" if end < len(page) else ""
    body = _FORMULA_RE.sub(r"\1", page[start.start() : end])
    if not _SEGMENTED_RE.match(language):  # Pagefind splits these languages' words itself
        body = _words_apart(body)
    body += url_meta + closing
    return f'<!doctype html><html lang="{html.escape(language)}"><meta charset="utf-8"><body>{body}</body></html>'


def _words_apart(body: str) -> str:
    """`body` with a space between the characters of scripts written without spaces
    (Chinese, Japanese) in its text, but for the metadata results show: Pagefind
    splits those scripts into words only on pages in their languages, and else indexes a
    run of them as one word, found only from its start. search.js splits a query the same
    way, and takes the spaces out of what results show."""
    if _UNSPACED_RE.search(body) is None:
        return body
    return _TAG_AND_TEXT_RE.sub(_text_words_apart, body)


def _text_words_apart(found: re.Match[str]) -> str:
    tag, text = found[1], found[2]
    if _SHOWN_AS_IS_RE.search(tag):
        return found[0]
    return tag + _UNSPACED_PAIR_RE.sub(r"\1\2 ", text)  # `使用GPT-4模型`: `使 用 GPT-4 模 型`


# Kana and Han, and their punctuation and full-width forms (`，` after a word is not of it).
# Korean is written with spaces between words: Hangul is left as it is.
_UNSPACED = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_UNSPACED_RE = re.compile(f"[{_UNSPACED}]")
# A character of those before another, or before or after a Latin letter or a digit.
_UNSPACED_PAIR_RE = re.compile(f"([{_UNSPACED}])(?=[{_UNSPACED}A-Za-z0-9])|([A-Za-z0-9])(?=[{_UNSPACED}])")
_TAG_AND_TEXT_RE = re.compile(r"(<[^>]*>)([^<]+)")  # a tag and the text after it
_SEGMENTED_RE = re.compile(r"(?:zh|ja)(?:-|$)", re.IGNORECASE)
_SHOWN_AS_IS_RE = re.compile(r"data-pagefind-(?:meta|filter|sort)")


# A formula in a page (see mathml.py): its MathML, which search would read as a jumble of
# letters, and so skips, with its plain text in `alttext`, which search reads instead.
_FORMULA_RE = re.compile(
    re.escape(FORMULA_START) + r'<math [^>]*?alttext="([^"]*)"[^>]*>.*?</math></span>',
    re.DOTALL,
)


def _matching_close(page: str, tag: str, position: int) -> int:
    """Where the element opened before `position` closes (page text is escaped, so every
    `<tag` and `</tag` is markup)."""
    depth = 1
    for found in re.finditer(rf"<(/?){tag}\b", page[position:], re.IGNORECASE):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return position + found.start()
    return len(page)
