"""`papers new`: start a paper file from its arXiv id, or a blank one to fill in by hand.

The arXiv API answers an `id_list` query with an Atom feed. An unknown id gives an empty
feed; a malformed one an entry titled "Error" whose summary says what is wrong. The feed
is parsed with ElementTree, which never resolves external entities; a feed with a
DOCTYPE is refused outright, since a real arXiv answer never has one.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import yaml

from generator.content import read_site, read_vocabulary
from generator.errors import PapersError
from generator.importers import ARXIV_ENDPOINT_ENV
from generator.importers.common import (
    FetchError,
    clean_line,
    fetch_url,
    problems_as_written,
    removes_characters,
    unwrap_abstract,
)
from generator.load import CONTENT_DIR, label_for, walk_content
from generator.model import arxiv_base, arxiv_slug, normalize_title, slugify
from generator.paperfile import Outcome, format_paper, paper_path, refuse_obstacles, save_paper
from generator.validate import (
    MAX_TEXT,
    MAX_TITLE,
    PLACEHOLDER_ABSTRACT,
    PLACEHOLDER_AUTHORS,
    PLACEHOLDER_LINK,
    PLACEHOLDER_TAG,
    check_url,
    percent_encoded,
    shows_text,
)

DEFAULT_ENDPOINT = "https://export.arxiv.org/api/query"
ENDPOINT_ENV = ARXIV_ENDPOINT_ENV
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_ID_PREFIX_RE = re.compile(r"^(?:arxiv:|https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)
_CODE_URL_RE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com|codeberg\.org)/[^\s,;)\]}>\"']+")


@dataclass(frozen=True)
class ArxivPaper:
    """What the arXiv API says about one paper."""

    arxiv: str  # as the file will hold it: the id asked for, with its version if one was given
    title: str
    authors: tuple[str, ...]
    abstract: str
    primary_category: str | None = None
    code: str | None = None  # a repository named in the arXiv comment
    doi: str | None = None
    cleaned: tuple[str, ...] = ()  # what had control or bidi characters, removed (`the title`, ...)


@dataclass(frozen=True)
class Created:
    """The file `papers new` wrote, and what to tell the contributor."""

    label: str
    notes: tuple[str, ...]


def parse_id(text: str) -> str:
    """A user's arXiv id (`2503.12345`, `arXiv:2503.12345v2`, an arxiv.org URL) as a bare id."""
    arxiv = _ID_PREFIX_RE.sub("", text.strip()).removesuffix(".pdf").strip("/")
    if arxiv_base(arxiv) is None:
        raise PapersError.single(
            text,
            f"`{text}` is not an arXiv id",
            'give it as on arxiv.org, like "2503.12345", "2503.12345v2" or "hep-th/9901001"',
        )
    return arxiv


def default_endpoint() -> str:
    return os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT


def fetch(arxiv: str, endpoint: str | None = None) -> ArxivPaper:
    """Ask the arXiv API about `arxiv`; every way it can go wrong is a PapersError with a hint."""
    endpoint = endpoint or default_endpoint()
    separator = "&" if "?" in endpoint else "?"
    url = f"{endpoint}{separator}{urlencode({'id_list': arxiv})}"
    hint = (
        f"check your connection and the endpoint (--endpoint or {ENDPOINT_ENV}); "
        'offline, start a file by hand with `papers new --title "..." --date YYYY-MM-DD`'
    )
    try:
        data = fetch_url(url, "arXiv API", hint, accept="application/atom+xml")
    except FetchError as error:
        # arXiv explains a bad request in an Atom error entry; show that when there is one.
        message = _error_message(error.body)
        if message:
            raise _api_error(url, arxiv, message) from None
        raise
    return parse_feed(url, arxiv, data)


def parse_feed(label: str, arxiv: str, data: bytes) -> ArxivPaper:
    """The one entry of an `id_list` answer."""
    entry = _single_entry(label, arxiv, data)
    raw_title, raw_abstract = _text(entry, f"{_ATOM}title"), _text(entry, f"{_ATOM}summary")
    title = clean_line(raw_title)
    entry_id = _text(entry, f"{_ATOM}id")
    if title == "Error" and "/abs/" not in entry_id:
        raise _api_error(label, arxiv, clean_line(raw_abstract) or entry_id)
    abstract = unwrap_abstract(raw_abstract)
    if not shows_text(title) or not shows_text(abstract):  # empty, or markup only
        raise _not_found(label, arxiv)
    found = entry_id.rsplit("/abs/", 1)[-1] if "/abs/" in entry_id else ""
    if found and arxiv_base(found) and arxiv_base(found) != arxiv_base(arxiv):
        raise PapersError.single(
            label, f"the arXiv API answered with {found}, not {arxiv}", "check the id and try again"
        )
    if len(title) > MAX_TITLE:
        raise PapersError.single(label, f"the title from arXiv is {len(title)} characters long")
    raw_authors = [_text(author, f"{_ATOM}name") for author in entry.iter(f"{_ATOM}author")]
    authors = tuple(name for name in map(clean_line, raw_authors) if name and len(name) <= MAX_TEXT)
    primary = entry.find(f"{_ARXIV}primary_category")
    category = clean_line(primary.get("term", "")) if primary is not None else ""
    comment = _text(entry, f"{_ARXIV}comment")
    urls = [percent_encoded(url.rstrip(".")) for url in _CODE_URL_RE.findall(comment)]
    code = next((url for url in urls if not check_url(url)), None)
    doi = clean_line(_text(entry, f"{_ARXIV}doi"))
    texts = [("the title", raw_title), ("the abstract", raw_abstract)]
    texts += [("an author's name", name) for name in raw_authors]
    cleaned = tuple(dict.fromkeys(what for what, raw in texts if removes_characters(raw)))
    return ArxivPaper(arxiv, title, authors, abstract, category or None, code, doi or None, cleaned)


def _single_entry(label: str, arxiv: str, data: bytes) -> ET.Element:
    if _DOCTYPE_RE.search(data):
        raise PapersError.single(
            label, "the answer contains a DOCTYPE or ENTITY declaration, which arXiv never sends; refused"
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise PapersError.single(
            label, f"the answer is not a valid Atom feed: {error}", "check --endpoint; try again later"
        ) from None
    if root.tag != f"{_ATOM}feed":
        raise PapersError.single(label, "the answer is not an Atom feed", "check --endpoint")
    entries = root.findall(f"{_ATOM}entry")
    if not entries:
        raise _not_found(label, arxiv)
    return entries[0]


def _error_message(body: bytes) -> str | None:
    try:
        root = ET.fromstring(body) if body and not _DOCTYPE_RE.search(body) else None
    except ET.ParseError:
        return None
    entry = root.find(f"{_ATOM}entry") if root is not None else None
    if entry is None or clean_line(_text(entry, f"{_ATOM}title")) != "Error":
        return None
    return clean_line(_text(entry, f"{_ATOM}summary")) or None


def _api_error(label: str, arxiv: str, message: str) -> PapersError:
    return PapersError.single(
        label,
        f"arXiv refused the id {arxiv}: {message}",
        'check the id on arxiv.org; it looks like "2503.12345" or "hep-th/9901001"',
    )


def _not_found(label: str, arxiv: str) -> PapersError:
    return PapersError.single(
        label,
        f"arXiv has no paper {arxiv}",
        f"check the id at https://arxiv.org/abs/{arxiv}; a paper announced today may not be in the API yet",
    )


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    return found.text or "" if found is not None else ""


# ---------------------------------------------------------------- writing the file


def existing_arxiv_file(root: Path, arxiv: str) -> str | None:
    """The file that already holds this paper (any version, any day), if there is one."""
    base = arxiv_base(arxiv)
    for paper in read_site(root).every_paper:
        if base and paper.arxiv_base == base:
            return paper.source
    name = f"{arxiv_slug(arxiv)}.md"
    for path in walk_content(root / CONTENT_DIR):
        if path.name == name:  # a file named after the id, even one that does not pass the check yet
            return label_for(root, path)
    return None


def existing_title_file(root: Path, title: str) -> str | None:
    key = normalize_title(title)
    return next((p.source for p in read_site(root).every_paper if normalize_title(p.title) == key), None)


def new_from_arxiv(root: Path, arxiv_id: str, day: dt.date, endpoint: str | None = None) -> Created:
    """Fetch the paper from arXiv and write `content/<year>/<day>/<id>.md`."""
    arxiv = parse_id(arxiv_id)
    _refuse_existing(existing_arxiv_file(root, arxiv), f"arXiv {arxiv}")
    path = paper_path(root, day, arxiv_slug(arxiv))
    refuse_obstacles(root, path)  # before asking arXiv: nothing could be written
    paper = fetch(arxiv, endpoint)
    _refuse_existing(existing_title_file(root, paper.title), "a paper with this title")
    fields: dict[str, object] = {
        "title": paper.title,
        "authors": list(paper.authors),
        "arxiv": paper.arxiv,
        "links": {"code": paper.code} if paper.code else {},
    }
    label = _save(root, path, format_paper(fields, paper.abstract))
    notes = [f"title: {paper.title}", f"{len(paper.authors)} author{'s' if len(paper.authors) != 1 else ''}"]
    if paper.primary_category:
        notes.append(
            f"arXiv category: {paper.primary_category} (not a tag: pick tags from {CONTENT_DIR}/tags.yaml)"
        )
    if paper.code:
        notes.append(f"links.code from the arXiv comment: {paper.code} (check it is the paper's own code)")
    if paper.doi:
        notes.append(f"DOI: {paper.doi}")
    if paper.cleaned:
        notes.append(f"control or invisible direction characters removed from {' and '.join(paper.cleaned)}")
    notes.append(f"next: add `tags:`, read the abstract through, then run `papers check {label}`")
    return Created(label, tuple(notes))


def new_blank(root: Path, title: str, day: dt.date) -> Created:
    """Write a file with the title and a placeholder abstract, to fill in by hand."""
    title = clean_line(title)
    if not title or len(title) > MAX_TITLE:
        raise PapersError.single("--title", f"the title must be 1 to {MAX_TITLE} characters of text")
    if not shows_text(title):  # else the check of the file to write says so, naming that file
        raise PapersError.single(
            "--title",
            f"the title shows no text: it needs a letter or a digit, and `{title}` has none",
            'give the paper\'s title as on arXiv, e.g. `papers new --title "Attention Is All You Need"`',
        )
    _refuse_existing(existing_title_file(root, title), "a paper with this title")
    slug = slugify(title)
    taken = {path.stem for path in walk_content(root / CONTENT_DIR)}
    if slug in taken:
        number = 2
        while f"{slug}-{number}" in taken:
            number += 1
        slug = f"{slug}-{number}"
    path = paper_path(root, day, slug)
    text = (
        "---\n"
        + yaml.safe_dump({"title": title}, allow_unicode=True, width=1_000_000)
        + f"# authors: [{', '.join(PLACEHOLDER_AUTHORS)}]\n"
        + f"# tags: [{PLACEHOLDER_TAG}]\n"
        + f"# links:\n#   code: {PLACEHOLDER_LINK}\n"
        + f"---\n\n{PLACEHOLDER_ABSTRACT}\n"
    )
    label = _save(root, path, text, filled=text.replace(PLACEHOLDER_ABSTRACT, "The abstract."))
    notes = (
        "next: replace the placeholder line with the abstract, uncomment and fill in authors, tags and links",
        f"if the paper is on arXiv, `papers new ARXIV_ID --date {day.isoformat()}` fills all of this in",
        f"then run `papers check {label}`",
    )
    return Created(label, notes)


def _refuse_existing(existing: str | None, what: str) -> None:
    if existing:
        raise PapersError.single(
            existing,
            f"{what} is already in this file: nothing was written",
            "one file per paper: edit this one, or move it if it belongs to another day",
        )


def _save(root: Path, path: Path, text: str, filled: str | None = None) -> str:
    """Write a new paper file that passes the checker (`filled`: as it will be once its
    placeholder is replaced, for a file that has one)."""
    label = label_for(root, path)
    refused = problems_as_written(root, path, filled or text, read_vocabulary(root)[0])
    if refused:
        raise PapersError(refused)
    if save_paper(root, path, text) is not Outcome.WRITTEN:
        raise PapersError.single(label, "the file already exists", "edit it, or remove it first")
    return label
