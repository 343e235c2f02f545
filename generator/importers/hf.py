"""Import Hugging Face daily papers API responses (`GET /api/daily_papers?date=YYYY-MM-DD`).

Each response is a JSON list of items for one day. Only `paper.id` (the arXiv id),
`paper.title` and `paper.summary` are required; every other field may be missing or
null, and a value that would not pass `papers check` is left out with a warning.

The day of a paper is the day of the response: the file name `YYYY-MM-DD.json`, or
`--date`, else the item's `submittedOnDailyAt` (never `publishedAt`, the arXiv date).

Re-importing is safe: a file that is already there is only edited where the source owns
the data (a higher `upvotes` count, a link kind it lacks), line by line, so everything a
person wrote in it stays byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml

from generator.errors import PapersError, Problem, UsageError
from generator.frontmatter import parse_document
from generator.importers import HF_DEFAULT_DELAY, HF_ENDPOINT_ENV
from generator.importers.common import (
    Candidate,
    ImportReport,
    Update,
    clean_line,
    fetch_url,
    import_candidates,
    removes_characters,
    unwrap_abstract,
)
from generator.load import MAX_FILE_BYTES
from generator.model import LINK_KINDS, arxiv_base
from generator.paperfile import fenced, format_paper, last_row, yaml_node
from generator.validate import (
    MAX_AUTHORS,
    MAX_LIST,
    MAX_TEXT,
    MAX_TITLE,
    check_url,
    percent_encoded,
    shows_text,
)

DEFAULT_ENDPOINT = "https://huggingface.co/api/daily_papers"
ENDPOINT_ENV = HF_ENDPOINT_ENV
DEFAULT_DELAY = HF_DEFAULT_DELAY
MAX_NAME = 300  # organization and submitted_by, as in validate.py
MAX_ABSTRACT = 200_000
_DAY_NAME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_SOURCE_LINKS = (("githubRepo", "code"), ("projectPage", "project"))
_INT_TAG = "tag:yaml.org,2002:int"
_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Batch:
    """One response: its items, where it came from, and its day if the source names one."""

    label: str
    items: list[Any]
    day: dt.date | None = None


@dataclass
class Parsed:
    """The outcome of reading one item: a candidate, or why not; warnings for dropped values."""

    candidate: Candidate | None
    problems: list[Problem] = field(default_factory=list)


# ---------------------------------------------------------------- reading the input


def day_of_name(path: Path) -> dt.date | None:
    """`2025-03-17.json` -> 2025-03-17; None for other names."""
    if not _DAY_NAME_RE.match(path.stem):
        return None
    try:
        return dt.date.fromisoformat(path.stem)
    except ValueError:
        return None


def json_files(paths: Sequence[Path]) -> list[Path]:
    """The files given, and every `*.json` below each folder given, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not inside:
                raise PapersError.single(str(path), "the folder holds no .json files")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise PapersError.single(str(path), "no such file or folder")
    return list(dict.fromkeys(found))


def read_batches(
    paths: Sequence[Path], since: dt.date | None = None, until: dt.date | None = None
) -> list[Batch]:
    """Read every response file; any unreadable or non-JSON file stops the import before it writes."""
    batches: list[Batch] = []
    problems: list[Problem] = []
    for path in json_files(paths):
        day = day_of_name(path)
        if day is None and _DAY_NAME_RE.match(path.stem):
            problems.append(
                Problem(
                    str(path),
                    None,
                    f"`{path.stem}` in the file's name is not a day that exists",
                    "name the file after the day of its list, like 2025-02-28.json",
                )
            )
            continue
        if day and not _in_range(day, since, until):
            continue  # a dated file outside the range is not even read
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(Problem(str(path), None, f"cannot read the file: {error.strerror}"))
            continue
        try:
            batches.append(Batch(str(path), parse_response(str(path), data), day))
        except PapersError as error:
            problems += error.problems
    if problems:
        raise PapersError(problems)
    return batches


def parse_response(label: str, data: bytes) -> list[Any]:
    """The JSON list of one response."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise PapersError.single(label, f"the response is not UTF-8 text: {error.reason}") from None
    except json.JSONDecodeError as error:
        raise PapersError.single(
            label,
            f"the response is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            "save the API's answer unchanged, e.g. with `curl -o YYYY-MM-DD.json URL`",
            error.lineno,
        ) from None
    except (ValueError, RecursionError) as error:
        raise PapersError.single(label, f"the response is not valid JSON: {error}") from None
    if not isinstance(value, list):
        raise PapersError.single(
            label,
            f"expected a JSON list of papers, found {_json_kind(value)}",
            'the daily papers API answers with a list: `[{"paper": {...}}, ...]`',
        )
    return value


def endpoint_url(endpoint: str, day: dt.date) -> str:
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode({'date': day.isoformat()})}"


def fetch_batches(
    endpoint: str,
    first: dt.date,
    last: dt.date,
    delay: float = DEFAULT_DELAY,
    progress: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Batch]:
    """Download each day from `first` to `last`; any failure raises before anything is written."""
    if last < first:
        raise PapersError.single(
            "--until", f"--until {last} is before --date {first}", "give the first day with --date"
        )
    hint = (
        f"check your connection and the endpoint (--endpoint or {ENDPOINT_ENV}); nothing was written. "
        "A saved response can be imported from its file instead"
    )
    batches: list[Batch] = []
    day = first
    while day <= last:
        if batches and delay > 0:
            sleep(delay)
        url = endpoint_url(endpoint, day)
        data = fetch_url(url, "daily papers API", hint, accept="application/json")
        items = parse_response(url, data)
        if progress:
            progress(f"fetched {day.isoformat()}: {len(items)} item{'s' if len(items) != 1 else ''}")
        batches.append(Batch(url, items, day))
        day += dt.timedelta(days=1)
    return batches


_NO_ARXIV_ID = "only papers with an arXiv id can be imported"


def default_endpoint() -> str:
    return os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT


# ---------------------------------------------------------------- one item -> candidate


def parse_item(item: object, label: str, index: int, day: dt.date | None = None) -> Parsed:
    """One API item as a candidate paper; never raises on bad data, reports it instead.

    `index` counts from 1 for messages; `day` is the response's day when known.
    """
    where = f"item {index}"

    def fail(message: str, hint: str | None = None) -> Parsed:
        return Parsed(None, [Problem(label, None, f"{where}: {message}", hint)])

    if not isinstance(item, dict):
        return fail(f"expected an object, found {_json_kind(item)}")
    paper = item.get("paper")
    if paper is None and "id" in item:
        paper = item  # a bare paper object, as `/api/papers/ID` returns it
    if not isinstance(paper, dict):
        return fail("it has no `paper` object")
    raw_id = paper.get("id")
    arxiv = clean_line(raw_id) if isinstance(raw_id, str) else ""
    arxiv = arxiv.removeprefix("arXiv:").removeprefix("arxiv:")
    if not arxiv or len(arxiv) > 64 or arxiv_base(arxiv) is None:
        cut = raw_id[:60] + "…" if isinstance(raw_id, str) and len(raw_id) > 60 else raw_id
        shown = json.dumps(cut, ensure_ascii=False)[:80] if raw_id is not None else "nothing"
        return fail(f"`paper.id` is {shown}, not an arXiv id", _NO_ARXIV_ID)
    where = f"item {index} ({arxiv})"
    title = _first_text(paper.get("title"), item.get("title"))
    if not title:
        return fail("it has no title")
    if not shows_text(title):
        return fail(f"its title {json.dumps(title, ensure_ascii=False)[:60]} shows no text")
    if len(title) > MAX_TITLE:
        return fail(f"the title is {len(title)} characters; the limit is {MAX_TITLE}")
    summary = paper.get("summary")
    summary = summary if isinstance(summary, str) else item.get("summary")
    abstract = unwrap_abstract(summary) if isinstance(summary, str) else ""
    if not abstract:
        return fail("it has no abstract (`paper.summary`)")
    if not shows_text(abstract):
        return fail("its abstract shows no text")
    if len(abstract) > MAX_ABSTRACT:
        return fail(f"the abstract is {len(abstract)} characters; the limit is {MAX_ABSTRACT}")
    if day is None:
        day = _day_of_item(paper, item)
        if day is None:
            return fail(
                "no day for it",
                "name the file YYYY-MM-DD.json after the day of the list, or pass --date",
            )

    warnings: list[Problem] = []

    def drop(what: str, value: object, why: str) -> None:
        shown = json.dumps(value, ensure_ascii=False, default=str)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        warnings.append(Problem(label, None, f"{where}: {what} {shown} left out: {why}", None, "warning"))

    fields: dict[str, Any] = {"title": title, "authors": _authors(paper.get("authors"), drop), "arxiv": arxiv}
    organization = item.get("organization") or paper.get("organization")
    fields["organization"] = _name_of(organization, ("fullname", "name"), "`organization`", drop)
    fields["links"] = _links(paper, item, drop)
    fields["upvotes"] = _upvotes(paper.get("upvotes"), drop)
    submitter = paper.get("submittedOnDailyBy") or item.get("submittedBy")
    fields["submitted_by"] = _name_of(submitter, ("user", "name", "fullname"), "the submitter", drop)
    fields["tldr"] = _text(paper.get("ai_summary"), MAX_TEXT, "`ai_summary`", drop)
    fields["keywords"] = _keywords(paper.get("ai_keywords"), drop)
    kept = {key: value for key, value in fields.items() if value not in (None, "", [], {})}
    cleaned = [what for what, raw in _texts_of(paper, item) if removes_characters(raw)]
    if cleaned:
        warnings.append(
            Problem(
                label,
                None,
                f"{where}: control or invisible direction characters removed from {', '.join(cleaned)}",
                None,
                "warning",
            )
        )
    candidate = Candidate(day, kept, abstract)
    if sum(len(str(value)) for value in fields.values()) + len(abstract) > MAX_FILE_BYTES // 8:
        size = len(format_paper(candidate.fields, candidate.body).encode("utf-8"))
        if size >= MAX_FILE_BYTES:
            return fail(f"its file would be {size / 1e6:.1f} MB; a paper file must be under 1 MB")
    return Parsed(candidate, warnings)


def _texts_of(paper: dict[str, Any], item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The item's texts that go into the file as text, each with its name."""
    for key in ("title", "summary", "ai_summary"):
        value = paper.get(key, item.get(key))
        if isinstance(value, str):
            yield f"`{key}`", value
    authors = paper.get("authors")
    for author in authors if isinstance(authors, list) else ():
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str):
            yield "an author's name", name


def _first_text(*values: object) -> str:
    for value in values:
        if isinstance(value, str) and clean_line(value):
            return clean_line(value)
    return ""


def _text(value: object, limit: int, what: str, drop: Callable[[str, object, str], None]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        drop(what, value, "not text")
        return None
    text = clean_line(value)
    if len(text) > limit:
        drop(what, value, f"longer than {limit} characters")
        return None
    return text or None


def _name_of(
    value: object, keys: Iterable[str], what: str, drop: Callable[[str, object, str], None]
) -> str | None:
    """A person's or organization's name: a string, or the first usable key of an object."""
    names = [value.get(key) for key in keys] if isinstance(value, dict) else [value]
    lines = [clean_line(name) for name in names if isinstance(name, str)]
    usable = [line for line in lines if 0 < len(line) <= MAX_NAME]
    if not usable and any(lines):
        drop(what, value, f"longer than {MAX_NAME} characters")
    return usable[0] if usable else None


def _authors(value: object, drop: Callable[[str, object, str], None]) -> list[str]:
    if not isinstance(value, list):
        return []
    names: list[str] = []
    for author in value:
        if isinstance(author, dict):
            if author.get("hidden") is True:
                continue
            name = author.get("name")
            if name is None and isinstance(author.get("user"), dict):
                name = author["user"].get("fullname")
        else:
            name = author
        text = clean_line(name) if isinstance(name, str) else ""
        if text and len(text) <= MAX_TEXT:
            names.append(text)
        elif name is not None:
            drop("the author", name, "not a usable name")
    if len(names) > MAX_AUTHORS:
        drop("authors after the first", MAX_AUTHORS, "too many authors")
        names = names[:MAX_AUTHORS]
    return names


def _keywords(value: object, drop: Callable[[str, object, str], None]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        drop("`ai_keywords`", value, "not a list")
        return []
    keywords: dict[str, None] = {}
    for keyword in value:
        text = _text(keyword, MAX_TEXT, "the keyword", drop)
        if text:
            keywords[text] = None
    if len(keywords) > MAX_LIST:
        drop("keywords after the first", MAX_LIST, "too many keywords")
    return list(keywords)[:MAX_LIST]


def _links(
    paper: dict[str, Any], item: dict[str, Any], drop: Callable[[str, object, str], None]
) -> dict[str, str]:
    links: dict[str, str] = {}
    for key, kind in _SOURCE_LINKS:
        value = paper.get(key, item.get(key))
        if value is None or value == "":
            continue
        url = percent_encoded(value.strip()) if isinstance(value, str) else ""  # the same address
        problem = check_url(url) if url else "not text"
        if problem is None and len(url) > MAX_TEXT:
            problem = "too long"
        if problem:
            drop(f"`{key}`", value, problem.replace("`", ""))
            continue
        links[kind] = url
    return links


def _upvotes(value: object, drop: Callable[[str, object, str], None]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**9:
        drop("`upvotes`", value, "not a whole number of 0 or more")
        return None
    return value


def _day_of_item(paper: dict[str, Any], item: dict[str, Any]) -> dt.date | None:
    """The day the paper was put on the daily list (not `publishedAt`, its arXiv date)."""
    for value in (paper.get("submittedOnDailyAt"), item.get("submittedOnDailyAt")):
        if isinstance(value, str) and len(value) >= 10:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def _in_range(day: dt.date, since: dt.date | None, until: dt.date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return "a number" if isinstance(value, int | float) else type(value).__name__


# ---------------------------------------------------------------- updating a file in place


def update_owned_fields(text: str, candidate: Candidate) -> Update:
    """Edit an existing paper file where the source owns the data, touching nothing else.

    The source owns `upvotes` (raised, never lowered: an older snapshot must not undo a
    newer one) and the link kinds the file does not have yet. The edit is line-based, and
    checked afterwards: if any other field would read differently, the file is kept.
    """
    cut = fenced(text)
    if cut is None:
        return Update(text, refused="it does not start with front matter; run `papers check`")
    if cut.closing is None:
        return Update(text, refused="its front matter is never closed; run `papers check`")
    bom, lines, closing, newline = cut.bom, cut.lines, cut.closing, cut.newline
    document, problems = parse_document("file", text)
    root = yaml_node("".join(lines[1:closing]))
    if document is None or any(p.severity == "error" for p in problems):
        return Update(text, refused="its front matter has problems; run `papers check`")
    if root is not None and (not isinstance(root, yaml.MappingNode) or root.flow_style):
        return Update(text, refused="its front matter is not a plain list of fields")
    old = document.front.values
    nodes = {key.value: (key, value) for key, value in (root.value if root else [])}
    replace: dict[int, str] = {}  # front matter line (0 = first after `---`) -> new text
    insert: dict[int, list[str]] = {}  # lines to add after that front matter line
    changes: list[str] = []
    end = closing - 2  # the last front matter line

    wanted = candidate.fields.get("links") or {}
    present = old.get("links")
    missing = {
        kind: url
        for kind, url in wanted.items()
        if kind in LINK_KINDS and not (isinstance(present, dict) and kind in present)
    }
    if missing:
        added = _add_links(nodes, lines, missing, newline, end, replace, insert)
        changes += [f"links.{kind} added" for kind in added]

    upvotes = candidate.fields.get("upvotes")
    if isinstance(upvotes, int) and not isinstance(upvotes, bool):
        if "upvotes" not in nodes:
            insert.setdefault(end, []).append(f"upvotes: {upvotes}{newline}")
            changes.append(f"upvotes {upvotes} added")
        else:
            _, node = nodes["upvotes"]
            current = old.get("upvotes")
            if (
                isinstance(node, yaml.ScalarNode)
                and node.tag == _INT_TAG
                and node.style is None
                and node.start_mark.line == node.end_mark.line
                and isinstance(current, int)
                and upvotes > current
            ):
                row = node.start_mark.line
                line = lines[row + 1]
                replace[row] = line[: node.start_mark.column] + str(upvotes) + line[node.end_mark.column :]
                changes.append(f"upvotes {current} -> {upvotes}")

    if not changes:
        return Update(text)
    front = lines[1:closing]
    rebuilt: list[str] = [lines[0]]
    if -1 in insert:
        rebuilt += insert[-1]
    for row, line in enumerate(front):
        rebuilt.append(replace.get(row, line))
        rebuilt += insert.get(row, [])
    new_text = bom + "".join(rebuilt + lines[closing:])
    return _verified(text, new_text, candidate, tuple(changes))


def _add_links(
    nodes: dict[str, tuple[yaml.Node, yaml.Node]],
    lines: list[str],
    missing: dict[str, str],
    newline: str,
    end: int,
    replace: dict[int, str],
    insert: dict[int, list[str]],
) -> list[str]:
    """Plan the lines that add `missing` link kinds; the kinds it could add."""
    entries = [f"{kind}: {_scalar(url)}" for kind, url in missing.items()]
    if "links" not in nodes:
        insert.setdefault(end, []).extend([f"links:{newline}"] + [f"  {e}{newline}" for e in entries])
        return list(missing)
    key, node = nodes["links"]
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        indent = " " * node.value[0][0].start_mark.column
        last = max(last_row(value) for _, value in node.value)
        insert.setdefault(last, []).extend(f"{indent}{e}{newline}" for e in entries)
        return list(missing)
    if isinstance(node, yaml.MappingNode) and node.start_mark.line == node.end_mark.line:
        row = node.start_mark.line
        if row in replace:
            return []
        line = lines[row + 1]
        close = node.end_mark.column - 1
        if line[close : close + 1] != "}":
            return []
        joined = ", ".join(f"{kind}: {_scalar(url, flow=True)}" for kind, url in missing.items())
        replace[row] = line[:close] + (", " if node.value else "") + joined + line[close:]
        return list(missing)
    if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and node.value == "":
        indent = " " * (key.start_mark.column + 2)
        insert.setdefault(key.start_mark.line, []).extend(f"{indent}{e}{newline}" for e in entries)
        return list(missing)
    return []


def _scalar(value: str, flow: bool = False) -> str:
    """`value` as a YAML scalar for a `key: value` line, or inside `{...}` with `flow`."""
    if flow:
        dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1_000_000)
        return dumped.strip()[1:-1]
    dumped = yaml.safe_dump({"k": value}, allow_unicode=True, width=1_000_000)
    return dumped.strip().removeprefix("k: ")


def _verified(old_text: str, new_text: str, candidate: Candidate, changes: tuple[str, ...]) -> Update:
    """Keep the edit only if the file still reads the same apart from what was meant to change."""
    before, _ = parse_document("file", old_text)
    after, problems = parse_document("file", new_text)
    refused = Update(old_text, refused="it could not be updated safely; edit it by hand")
    if before is None or after is None or any(p.severity == "error" for p in problems):
        return refused
    old, new = dict(before.front.values), dict(after.front.values)
    if before.body != after.body:
        return refused
    old_links, new_links = old.pop("links", None), new.pop("links", None)
    old_upvotes, new_upvotes = old.pop("upvotes", None), new.pop("upvotes", None)
    if old != new:
        return refused
    expected_upvotes = old_upvotes
    if any(change.startswith("upvotes") for change in changes):
        expected_upvotes = candidate.fields.get("upvotes")
    if new_upvotes != expected_upvotes:
        return refused
    kinds = [change.split()[0].removeprefix("links.") for change in changes if change.startswith("links.")]
    added = {kind: candidate.fields["links"][kind] for kind in kinds}
    expected_links = {**(old_links if isinstance(old_links, dict) else {}), **added} if added else old_links
    if new_links != expected_links:
        return refused
    return Update(new_text, changes)


# ---------------------------------------------------------------- the import


@dataclass
class HfImport:
    report: ImportReport
    warnings: list[Problem]


def import_batches(
    root: Path,
    batches: Sequence[Batch],
    date: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    force: bool = False,
) -> HfImport:
    """Turn every item into a candidate and write them; bad items are reported, not fatal."""
    report = ImportReport()
    warnings: list[Problem] = []
    candidates: list[Candidate] = []
    ignored = 0
    for batch in batches:
        label = _short_label(batch.label)
        for index, item in enumerate(batch.items, start=1):
            parsed = parse_item(item, label, index, date or batch.day)
            if parsed.candidate is None:
                problem = parsed.problems[0]
                reason = "no arXiv id" if problem.hint == _NO_ARXIV_ID else "invalid"
                report.add("skipped", f"{label} {problem.message}", _skip_hint(problem), reason)
                continue
            if not _in_range(parsed.candidate.day, since, until):
                ignored += 1
                continue
            warnings += parsed.problems
            candidates.append(parsed.candidate)
    if ignored:
        report.counts["ignored"] += ignored
        report.reasons["ignored"]["outside --since/--until"] += ignored
    import_candidates(root, candidates, force, update=update_owned_fields, report=report)
    return HfImport(report, warnings)


def _skip_hint(problem: Problem) -> str:
    """What to do about a skipped item, when something can be done (an item without an
    arXiv id cannot be imported at all: its reason says so)."""
    return "" if problem.hint in (None, _NO_ARXIV_ID) else str(problem.hint)


def _short_label(label: str) -> str:
    return label if "://" in label else Path(label).name


def run(
    root: Path,
    paths: Sequence[Path],
    *,
    date: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    force: bool = False,
    fetch: bool = False,
    endpoint: str | None = None,
    delay: float = DEFAULT_DELAY,
) -> HfImport:
    """`papers import hf`: read the given responses, or download them with `fetch`."""
    if fetch:
        if paths:
            raise PapersError.single("--fetch", "--fetch downloads the days itself; give no files with it")
        first = date or since
        if first is None:
            raise PapersError.single("--fetch", "--fetch needs the first day", "pass --date YYYY-MM-DD")
        last = until or first
        batches = fetch_batches(endpoint or default_endpoint(), first, last, delay, _progress)
        return import_batches(root, batches, force=force)
    if not paths:
        raise PapersError.single(
            "papers import hf",
            "no responses to import",
            "give the JSON files or folders, or download a day with `--fetch --date YYYY-MM-DD`",
        )
    batches = read_batches(paths, since, until)
    if date is not None:
        _refuse_one_day_for_many(batches, date)
    return import_batches(root, batches, date, since, until, force)


def _refuse_one_day_for_many(batches: Sequence[Batch], date: dt.date) -> None:
    """`--date` puts every paper on its day: right for a file named otherwise, but files of
    several days of their own (a folder of responses) would all land on one day, unasked."""
    days = sorted({batch.day for batch in batches if batch.day is not None and batch.day != date})
    if len(batches) > 1 and days:
        raise UsageError.single(
            "--date",
            f"--date {date} would put the papers of {len(batches)} files on that one day, though "
            f"their names give days of their own ({', '.join(map(str, days[:3]))}{'...' if len(days) > 3 else ''})",
            "leave --date out to take each file's day from its name, or import one file with --date",
        )


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
