"""Import the text dump of a daily-papers page: a header, then title and abstract lines.

The dump has no arXiv ids or authors, so the files it makes hold only a title and the
abstract, with the slug derived from the title once, here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator.errors import PapersError, Problem
from generator.importers.common import clean_line, unwrap_abstract

_DATE_LINE_RE = re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}(, \d{4})?$")


@dataclass(frozen=True)
class DumpItem:
    title: str
    abstract: str
    line: int  # the title's line in the dump


def parse_daily_dump(label: str, text: str) -> list[DumpItem]:
    """Title/abstract pairs after the page header (which ends at a date line like `Mar 17`)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = next((i + 1 for i, line in enumerate(lines) if _DATE_LINE_RE.match(line.strip())), 0)
    filled = [(i + 1, line.strip()) for i, line in enumerate(lines) if i >= start and line.strip()]
    if not filled:
        raise PapersError.single(label, "no papers found", "the dump needs title and abstract lines")
    if len(filled) % 2:
        line, text_line = filled[-1]
        raise PapersError.single(
            label,
            f"{len(filled)} non-empty lines after the header: titles and abstracts do not pair up",
            f"the last line ({text_line[:40]!r}...) has no partner; each title needs one abstract line",
            line,
        )
    items: list[DumpItem] = []
    problems: list[Problem] = []
    for (title_line, title), (_, abstract) in zip(filled[::2], filled[1::2], strict=True):
        if len(title) > 500 or len(title) > len(abstract):
            problems.append(Problem(label, title_line, "this looks like an abstract where a title should be"))
        items.append(DumpItem(clean_line(title), unwrap_abstract(abstract), title_line))
    if problems:
        raise PapersError(problems)
    return items


def dump_date(text: str, year: int) -> dt.date | None:
    """The day named in the dump's header: `Mar 17, 2024` as written, `Mar 17` in `year`."""
    for line in text.splitlines():
        match = _DATE_LINE_RE.match(line.strip())
        if match:
            month_day, _, written = line.strip().partition(",")
            try:  # the year first: `Feb 29` alone is read as in a year that may not have it
                day = dt.datetime.strptime(
                    f"{month_day[:3]} {month_day.split()[1]} {written.strip() or year}", "%b %d %Y"
                )
            except ValueError:
                return None
            return day.date()
    return None
