"""What every importer shares: placing new papers next to the existing ones, safely.

An import never duplicates a paper that is already in `content/` (same arXiv id or
same title, on any day) and never overwrites a file without `--force`. With it, what the
source gives replaces the file's, and the file's other fields (tags a curator added)
stay. An importer may pass an `update` hook that edits an existing file in place (e.g. a
newer upvote count) instead of leaving it as it is.

Also the text clean-up and the HTTP download every source needs.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import re
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.content import check_source, read_site
from generator.errors import PapersError, Problem, errors_only, joined
from generator.frontmatter import Document, parse_document
from generator.load import CONTENT_DIR, SourceFile, label_for, place_of
from generator.model import Tag, arxiv_base, arxiv_slug, normalize_title, slugify
from generator.paperfile import (
    format_paper,
    paper_path,
    refuse_obstacles,
    save_paper,
    with_fields,
    write_paper,
)
from generator.validate import BIDI_RE, class_or_noncharacter_re, has_visible

USER_AGENT = "daily-papers-importer/0.1 (Python urllib)"
MAX_DOWNLOAD = 64_000_000
# Characters that have no business in a paper file: C0/C1 controls (whitespace aside),
# lone surrogates (cannot be written as UTF-8) and the non-characters YAML refuses.
_UNWANTED_RE = class_or_noncharacter_re("\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff")
_PARAGRAPH_RE = re.compile(r"\n(?:[ \t]*\n)+|\n(?=[ \t])")


def removes_characters(text: str) -> bool:
    """Whether `clean_line` or `unwrap_abstract` drops characters of `text` (not just spaces):
    an importer says so, since what it writes then differs from its source."""
    return bool(_UNWANTED_RE.search(text) or BIDI_RE.search(text))


def clean_line(text: str) -> str:
    """One line of text: control and bidi characters dropped, whitespace runs one space;
    empty when nothing visible is left (the checker refuses such a field)."""
    line = " ".join(BIDI_RE.sub("", _UNWANTED_RE.sub("", text)).split())
    return line if has_visible(line) else ""


def unwrap_abstract(text: str) -> str:
    """An abstract as Markdown paragraphs: hard line breaks joined, paragraph breaks kept.

    arXiv abstracts are wrapped at ~80 columns and start a new paragraph with an indented
    line; a blank line counts as a paragraph break too.
    """
    text = BIDI_RE.sub("", _UNWANTED_RE.sub("", text)).replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = (" ".join(part.split()) for part in _PARAGRAPH_RE.split(text))
    return "\n\n".join(_as_text(part) for part in paragraphs if part)


# What starts a Markdown heading, quote or list: a plain-text abstract's paragraph starting so
# (`# of tokens`, `> 90% of...`, `1. We...`) is text, so its first mark is escaped (the dot of
# `1.` as an entity: `\.` is TeX's dot accent).
_BLOCK_START_RE = re.compile(r"^(?:(#{1,6}|[-+*])(?=\s|$)|>|(\d{1,9})([.)])(?=\s|$))")


def _as_text(paragraph: str) -> str:
    start = _BLOCK_START_RE.match(paragraph)
    if start is None:
        return paragraph
    if start[2]:
        return f"{start[2]}&#{ord(start[3])};{paragraph[start.end() :]}"
    return "\\" + paragraph


def fetch_url(url: str, what: str, hint: str, timeout: float = 30.0, accept: str = "*/*") -> bytes:
    """GET `url` with urllib; every failure is a PapersError naming `what` was being fetched."""
    scheme = urlsplit(url).scheme
    if scheme not in ("http", "https"):
        raise PapersError.single(
            url, f"the {what} address must start with http:// or https://", "give its full address"
        )  # not the caller's hint, which is about the connection
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_DOWNLOAD + 1)
    except urllib.error.HTTPError as error:
        raise FetchError(url, f"the {what} answered HTTP {error.code} {error.reason}", hint, error) from None
    except urllib.error.URLError as error:
        raise PapersError.single(url, f"cannot reach the {what}: {error.reason}", hint) from None
    except (TimeoutError, http.client.HTTPException, OSError, ValueError) as error:
        reason = str(error) or type(error).__name__
        raise PapersError.single(url, f"cannot download from the {what}: {reason}", hint) from None
    if len(data) > MAX_DOWNLOAD:
        raise PapersError.single(url, f"the {what} sent more than {MAX_DOWNLOAD // 1_000_000} MB", hint)
    return data


class FetchError(PapersError):
    """An HTTP error status; `status` and `body` let a caller explain it better."""

    def __init__(self, url: str, message: str, hint: str, error: urllib.error.HTTPError) -> None:
        super().__init__([Problem(url, None, message, hint)])
        self.status = error.code
        try:
            self.body = error.read(MAX_DOWNLOAD)
        except (OSError, http.client.HTTPException, ValueError):
            self.body = b""


@dataclass(frozen=True)
class Candidate:
    """A paper an importer wants to write."""

    day: dt.date
    fields: dict[str, Any]
    body: str

    @property
    def title(self) -> str:
        return str(self.fields["title"])

    @property
    def arxiv(self) -> str | None:
        value = self.fields.get("arxiv")
        return str(value) if value else None


@dataclass
class ImportReport:
    """What happened to each candidate, for the summary line."""

    lines: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    reasons: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    failed: list[Problem] = field(default_factory=list)  # the write that stopped the import

    def add(self, what: str, label: str, why: str = "", reason: str = "") -> None:
        """Record one outcome; `reason` is the short form of `why` the summary counts."""
        self.counts[what] += 1
        if reason:
            self.reasons[what][reason] += 1
        self.lines.append(f"{what:9} {label}" + (f"  ({why})" if why else ""))

    def summary(self, reasons: bool = False) -> str:
        order = ("written", "updated", "replaced", "unchanged", "kept", "skipped", "ignored")
        counted = [key for key in order if self.counts[key]]
        parts = [f"{self.counts[key]} {key}" + (self._why(key) if reasons else "") for key in counted]
        stopped = "; then a file could not be written, and the import stopped" if self.failed else ""
        return "imported: " + (", ".join(parts) if parts else "nothing") + stopped

    def _why(self, what: str) -> str:
        counted = self.reasons.get(what)
        if not counted:
            return ""
        return " (" + ", ".join(f"{count} {reason}" for reason, count in counted.most_common()) + ")"


@dataclass(frozen=True)
class Update:
    """What an update hook did to an existing file's text."""

    text: str
    changes: tuple[str, ...] = ()  # e.g. "upvotes 12 -> 15"; empty: nothing to change
    refused: str = ""  # why the file could not be edited safely


Updater = Callable[[str, Candidate], Update]


def import_candidates(
    root: Path,
    candidates: list[Candidate],
    force: bool = False,
    update: Updater | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Write each candidate to its place unless the paper is already there.

    Without `force`, an existing file at the same place is left alone, or, with an
    `update` hook, edited by it (the hook decides which fields the source owns). A paper
    is found in `content/` with errors or without (a draft still to fill in is one too).
    A symbolic link on the way to any place stops the import before it writes; a write
    that fails stops it there, in `report.failed`.
    """
    _refuse_obstacles(root, candidates)
    site = read_site(root)
    existing = site.every_paper
    by_arxiv = {p.arxiv_base: p.source for p in existing if p.arxiv_base}
    by_title = {normalize_title(p.title): p.source for p in existing}
    by_abstract = {_abstract_key(p.body): p.source for p in existing}  # a title edited since
    taken = {p.slug: p.source for p in existing}
    report = report if report is not None else ImportReport()
    made: set[str] = set()  # files this import wrote or updated: later items never replace them
    for candidate in candidates:
        base = arxiv_base(candidate.arxiv) if candidate.arxiv else None
        slug = _slug(candidate)
        path = paper_path(root, candidate.day, slug)
        label = label_for(root, path)
        same = (
            (by_arxiv.get(base) if base else None)
            or by_title.get(normalize_title(candidate.title))
            or (by_abstract.get(_abstract_key(candidate.body)) if not base else None)  # ids decide
        )
        if same in made:  # a source listing a paper twice (a v2, a repeated title)
            report.add(
                "skipped", label, f"the same paper as an earlier item of this import, in {same}", "repeated"
            )
            continue
        if same and same != label:
            report.add("skipped", label, f"already in {same}", "already in content/")
            continue
        if not same and not base and (slug in taken or _another_paper_there(path, candidate)):
            slug = _free_slug(slug, taken, path.parent)
            path = paper_path(root, candidate.day, slug)
            label = label_for(root, path)
        checked = functools.partial(problems_as_written, root, path, vocabulary=site.vocabulary)
        try:
            if not _place(root, path, label, candidate, force, update, report, checked):
                continue
        except PapersError as error:  # a write failed: the files written so far stay, and are listed
            report.failed = error.problems
            break
        taken[slug] = label
        made.add(label)
        by_title[normalize_title(candidate.title)] = label
        if base:
            by_arxiv[base] = label
    return report


def _slug(candidate: Candidate) -> str:
    """The name a candidate's file takes, unless another paper has it."""
    return arxiv_slug(candidate.arxiv) if candidate.arxiv else slugify(candidate.title)


def _refuse_obstacles(root: Path, candidates: list[Candidate]) -> None:
    """Every symbolic link (and file or folder in the way) where the candidates would be
    written, all at once, before anything is."""
    problems: dict[Problem, None] = {}
    for candidate in candidates:
        try:
            refuse_obstacles(root, paper_path(root, candidate.day, _slug(candidate)))
        except PapersError as error:
            problems.update(dict.fromkeys(error.problems))
    if problems:
        raise PapersError(problems)


def _place(
    root: Path,
    path: Path,
    label: str,
    candidate: Candidate,
    force: bool,
    update: Updater | None,
    report: ImportReport,
    checked: Callable[[str], list[Problem]],
) -> bool:
    """Write, update or keep the file of one candidate; False when it is skipped as invalid."""
    text = format_paper(candidate.fields, candidate.body)
    if update is not None and not force and path.exists():
        _update_existing(root, path, label, text, candidate, update, report, checked)
    elif refused := checked(text):
        report.add("skipped", label, f"it would not pass the check: {refused[0].message}", "invalid")
        return False
    elif path.exists():
        _import_over(root, path, label, candidate, force, report, checked, update)
    else:
        report.add(save_paper(root, path, text).value, label)
    return True


def problems_as_written(root: Path, path: Path, text: str, vocabulary: dict[str, Tag]) -> list[Problem]:
    """The errors `papers check` would report for `text` saved at `path`: what an importer
    or `papers new` writes must pass it."""
    label = label_for(root, path)
    day, where = place_of(path.relative_to(root / CONTENT_DIR).parts)
    if day is None:
        return [Problem(label, None, f"the file would be outside the content layout: {where}")]
    _, problems = check_source(SourceFile(path, label, day, path.stem, text), vocabulary, dt.date.today())
    return errors_only(problems)


def _update_existing(
    root: Path,
    path: Path,
    label: str,
    text: str,
    candidate: Candidate,
    update: Updater,
    report: ImportReport,
    checked: Callable[[str], list[Problem]],
) -> None:
    old = _read_existing(path, label, report)
    if old is None:
        return
    if old == text:
        report.add("unchanged", label)
        return
    result = update(old, candidate)
    if result.refused:
        report.add("kept", label, result.refused, "not updatable")
    elif result.changes and result.text != old and (refused := checked(result.text)):
        report.add("kept", label, f"the update would not pass the check: {refused[0].message}", "invalid")
    elif result.changes and result.text != old:
        write_paper(root, path, result.text)
        report.add("updated", label, "; ".join(result.changes))
    elif (document := _readable(old)) and (differ := _differences(document, candidate)):
        report.add(
            "kept", label, f"{joined(differ)} {_differ(differ)} from the source; --force takes the source's"
        )
    else:
        report.add("unchanged", label)


def _read_existing(path: Path, label: str, report: ImportReport) -> str | None:
    """The file as it is (no newline translation); None, reported as kept, when unreadable."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = "not UTF-8 text" if isinstance(error, UnicodeDecodeError) else error.strerror
        report.add("kept", label, f"cannot read it: {reason or type(error).__name__}", "unreadable")
        return None


def _readable(text: str) -> Document | None:
    """A paper file's front matter and abstract, unless a problem leaves unclear what it
    says (a field given twice: which one is meant?)."""
    document, problems = parse_document("file", text)
    return None if document is None or errors_only(problems) else document


def _differences(document: Document, candidate: Candidate) -> list[str]:
    """The fields the source gives (and `abstract`) that the file says otherwise. Fields the
    source has no data for (tags a curator added, say) are the file's own, and no difference."""
    given = _given(candidate)
    given.pop("upvotes", None)  # a count of the moment, not a correction: updates raise it
    differ = [key for key, value in given.items() if not _same(_as_written(document, key), value)]
    return differ + ["abstract"] * (document.body.strip() != candidate.body.strip())


def _import_over(
    root: Path,
    path: Path,
    label: str,
    candidate: Candidate,
    force: bool,
    report: ImportReport,
    checked: Callable[[str], list[Problem]],
    update: Updater | None,
) -> None:
    """An import onto a file that is there. With `force`, the fields where the file says
    otherwise than the source take the source's; the file's other fields stay, as a curator
    wrote them: only the lines of the fields taken change (`with_fields`; front matter that
    is not a plain block of fields is written anew, without its comments). The `update`
    hook's fields (upvotes, raised only; links added) are brought up to date first."""
    old = _read_existing(path, label, report)
    if old is None:
        return
    document = _readable(old)
    if document is None:
        report.add("kept", label, "its front matter has problems: run `papers check`, then import again")
        return
    differ = _differences(document, candidate)
    if not force:
        why = (
            f"{joined(differ)} {_differ(differ)} from the import; --force takes the import's"
            if differ
            else ""
        )
        report.add("kept" if differ else "unchanged", label, why)
        return
    updated = update(old, candidate) if update is not None else None
    changes = list(updated.changes) if updated is not None and not updated.refused else []
    text = updated.text if changes and updated is not None else old
    if differ:
        document = _readable(text) if changes else document
        assert document is not None  # an update is checked before it is returned
        fields = {key: _as_written(document, key) for key in document.front.values}
        taken: dict[str, Any] = {}
        for key in differ:
            if key != "abstract":
                mine, theirs = fields.get(key), candidate.fields[key]
                taken[key] = (
                    {**mine, **theirs} if isinstance(mine, dict) and isinstance(theirs, dict) else theirs
                )
        body = candidate.body if "abstract" in differ else None
        edited = with_fields(text, taken, body)
        if edited is not None:  # the file's other lines, its comments among them, as they were
            text, kept = edited, "the file's other lines kept"
        else:
            text = format_paper({**fields, **taken}, document.body if body is None else body)
            kept = "the file's other fields kept, not its comments"
        changes.append(f"{joined(differ)} from the import; {kept}")
    if text == old:
        report.add("unchanged", label)
    elif refused := checked(text):
        report.add("kept", label, f"the import would not pass the check: {refused[0].message}", "invalid")
    else:
        write_paper(root, path, text)
        report.add("replaced", label, "; ".join(changes))


def _as_written(document: Document, key: str) -> Any:
    """A field's value; an arXiv id as written, which YAML may read as a number (`2501.10000`)."""
    value = document.front.values.get(key)
    return document.front.raw.get((key,), value) if key == "arxiv" else value


def _given(candidate: Candidate) -> dict[str, Any]:
    return {key: value for key, value in candidate.fields.items() if value not in (None, "", [], {})}


def _same(mine: Any, theirs: Any) -> bool:
    """A field as the file has it and as the source gives it; a mapping (links) holds the
    source's entries when it has them, whatever else the file adds."""
    if isinstance(theirs, dict) and isinstance(mine, dict):
        return all(_same(mine.get(key), value) for key, value in theirs.items())
    return mine == theirs or str(mine) == str(theirs)


def _differ(names: list[str]) -> str:
    return "differs" if len(names) == 1 else "differ"


def _another_paper_there(path: Path, candidate: Candidate) -> bool:
    """Whether a file no paper was read from (its front matter is broken, say; a draft with
    errors is a paper all the same) is another paper than `candidate`, which then takes
    another name: neither its title nor its abstract is the candidate's. A file that cannot be read that far may be either:
    `_import_over` keeps it and says why."""
    try:
        document = _readable(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError):  # missing (the common case), or unreadable
        return False
    if document is None:
        return False
    title = document.front.values.get("title")
    same_title = isinstance(title, str) and normalize_title(title) == normalize_title(candidate.title)
    return not same_title and _abstract_key(document.body) != _abstract_key(candidate.body)


def _abstract_key(body: str) -> str:
    """An abstract as two copies of it compare: however its lines are wrapped and indented."""
    return " ".join(body.split())


def _free_slug(slug: str, taken: dict[str, str], folder: Path) -> str:
    """`slug-2`, `slug-3`...: the first that no paper has and no file of the day's `folder` is named."""
    number = 2
    while f"{slug}-{number}" in taken or (folder / f"{slug}-{number}.md").exists():
        number += 1
    return f"{slug}-{number}"
