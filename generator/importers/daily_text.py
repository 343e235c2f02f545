"""Import the text dump of a daily-papers page: a header, then title and abstract lines.

The dump has no arXiv ids or authors, so the files it makes hold only a title and the
abstract, with the slug derived from the title once, here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator.errors import PapersError, Problem
from generator.importers.common import clean_line, removes_characters, unwrap_abstract

_DATE_LINE_RE = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}(, \d{4})?$")


@dataclass(frozen=True)
class DumpItem:
    title: str
    abstract: str
    line: int  # the title's line in the dump
    cleaned: tuple[int, ...] = ()  # lines that had control or bidi characters, removed (see common.py)


def parse_daily_dump(label: str, text: str) -> list[DumpItem]:
    """Title/abstract pairs after the page header (which ends at a date line like `Mar 17`)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = _date_line(lines)
    if header is None:  # without it, the page's header lines ("Subscribe", ...) would be papers
        raise PapersError.single(
            label,
            "no date line like `Mar 17` in the dump: the papers follow the day's date, below the page header",
            "copy the page from its top, or add the day's line (`Mar 17`) above the first title",
            1,
        )
    filled = [(i + 1, line.strip()) for i, line in enumerate(lines) if i > header and line.strip()]
    if not filled:
        raise PapersError.single(label, "no papers found", "the dump needs title and abstract lines")
    pairs = list(zip(filled[::2], filled[1::2], strict=False))
    odd_pairs = [(title, abstract) for title, abstract in pairs if _abstract_like(title[1], abstract[1])]
    odd = [title_line for (title_line, _), _ in odd_pairs]
    if len(filled) % 2:
        line, text_line = (odd[0], "") if odd else filled[-1]
        where = (
            "they do not pair up from here on"
            if odd
            else f"the last line ({text_line[:40]!r}...) is left without a partner"
        )
        count = f"{len(filled)} non-empty line{'' if len(filled) == 1 else 's'}"
        raise PapersError.single(
            label,
            f"{count} after the header, an odd number: titles and abstracts come in pairs, and {where}",
            "each title needs one abstract line: look for a missing or extra line (an abstract split by "
            "a blank line, a title without abstract) just before this one",
            line,
        )
    if odd:
        raise PapersError(
            [
                Problem(
                    label,
                    line,
                    f"this line, read as a title, is longer than line {after}, read as its abstract",
                    "a line missing or extra before it puts abstracts where titles should be; "
                    "if the pair is right, the abstract is cut short: paste the whole of it",
                )
                for (line, _), (after, _) in odd_pairs
            ]
        )
    return [
        DumpItem(
            clean_line(title),
            unwrap_abstract(abstract),
            line,
            tuple(at for at, text in ((line, title), (after, abstract)) if removes_characters(text)),
        )
        for (line, title), (after, abstract) in pairs
    ]


def _abstract_like(title: str, abstract: str) -> bool:
    return len(title) > 500 or len(title) > len(abstract)


def _date_line(lines: list[str]) -> int | None:
    """Where the page header ends: the day's line (`Mar 17`, or `Mar 17, 2024`)."""
    return next((i for i, line in enumerate(lines) if _DATE_LINE_RE.match(line.strip())), None)


def dump_header(text: str) -> str | None:
    """The dump's date line, as written."""
    lines = text.splitlines()
    found = _date_line(lines)
    return None if found is None else lines[found].strip()


def dump_date(text: str, today: dt.date) -> dt.date | None:
    """The day named in the dump's header: `Mar 17, 2024` as written; `Mar 17` in the year of
    `today`, or of the latest year before it that has that day."""
    line = dump_header(text)
    if line is None:
        return None
    month_day, _, written = line.partition(",")
    month, number = month_day[:3], month_day.split()[1]
    # Without a year, the latest such day: `Feb 29` may be up to eight years back (2096 to 2104).
    years = [int(written)] if written.strip() else range(today.year, today.year - 9, -1)
    for year in years:
        try:  # the year first: `Feb 29` alone is read as in a year that may not have it
            day = dt.datetime.strptime(f"{month} {number} {year}", "%b %d %Y").date()
        except ValueError:
            continue
        if written.strip() or day <= today:
            return day
    return None
