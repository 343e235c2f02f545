"""Week and month pages: every paper of an ISO week or a calendar month, best first.

`weeks/2025-W12/` and `months/2025-03/`, paginated like tag pages, each linking to the
periods before and after it. Papers are ranked by upvotes where the source gave them,
then the rest newest first; within a day, in the day's own order.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.model import Day, Paper, Site, month_key

if TYPE_CHECKING:
    from generator.render import Page, Renderer
    from generator.views import PaperView

# generator/render.py imports this module, so what this one needs of it is imported where used.

WEEK = "week"
MONTH = "month"


def week_key(day: dt.date) -> str:
    """The ISO week of a day: 2025-03-17 -> `2025-W12` (the year is the ISO year)."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_url(key: str, page: int = 1) -> str:
    return f"weeks/{key}/" if page == 1 else f"weeks/{key}/page/{page}/"


def month_url(key: str, page: int = 1) -> str:
    return f"months/{key}/" if page == 1 else f"months/{key}/page/{page}/"


def long_date(day: dt.date) -> str:
    from generator.render import long_date

    return long_date(day)


def month_name(key: str) -> str:
    from generator.render import month_name

    return month_name(key)


def week_name(key: str) -> str:
    year, week = key.split("-W")
    return f"Week {int(week)} of {year}"


def period_links(day: dt.date) -> tuple[tuple[str, str], ...]:
    """(site path, label) of the week and the month of `day`, for the pages that link to them."""
    week, month = week_key(day), month_key(day)
    return ((week_url(week), week_name(week)), (month_url(month), month_name(month)))


def date_span(first: dt.date, last: dt.date) -> str:
    """`17–23 March 2025`, `31 March – 6 April 2025`, `30 December 2024 – 5 January 2025`."""
    if first == last:
        return long_date(first)
    if first.year != last.year:
        return f"{long_date(first)} – {long_date(last)}"
    if first.month != last.month:
        return f"{long_date(first).rsplit(' ', 1)[0]} – {long_date(last)}"
    return f"{first.day}–{long_date(last)}"


def rank_key(paper: Paper) -> tuple[bool, int, int, tuple[int, str, str]]:
    """Known upvotes first, most first; then newest day first; then the day's own order."""
    return (paper.upvotes is None, -(paper.upvotes or 0), -paper.day.toordinal(), paper.sort_key())


@dataclass(frozen=True)
class Period:
    """A week or a month that has papers."""

    kind: str  # WEEK or MONTH
    key: str  # 2025-W12 or 2025-03
    first: dt.date  # its first and last calendar day, papers or not
    last: dt.date
    days: tuple[Day, ...]  # its days with papers, newest first

    @property
    def name(self) -> str:
        return week_name(self.key) if self.kind == WEEK else month_name(self.key)

    @property
    def span(self) -> str:
        return date_span(self.first, self.last)

    def url(self, page: int = 1) -> str:
        return week_url(self.key, page) if self.kind == WEEK else month_url(self.key, page)

    @property
    def papers(self) -> list[Paper]:
        """Every paper of the period, ranked."""
        return sorted((paper for day in self.days for paper in day.papers), key=rank_key)

    @property
    def ranked_by_upvotes(self) -> bool:
        return any(paper.upvotes is not None for day in self.days for paper in day.papers)

    def summary_key(self) -> Hashable:
        """What a neighbouring period's link shows of it."""
        return (self.kind, self.key)


def _week_bounds(key: str) -> tuple[dt.date, dt.date]:
    year, week = key.split("-W")
    first = dt.date.fromisocalendar(int(year), int(week), 1)
    return first, first + dt.timedelta(days=6)


def _month_bounds(key: str) -> tuple[dt.date, dt.date]:
    year, month = (int(part) for part in key.split("-"))
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def periods(site: Site, kind: str) -> list[Period]:
    """Every week (or month) with papers, newest first."""
    key_of: Callable[[dt.date], str] = week_key if kind == WEEK else month_key
    bounds = _week_bounds if kind == WEEK else _month_bounds
    groups: dict[str, list[Day]] = defaultdict(list)
    for day in site.days:  # newest first, so each group is too
        groups[key_of(day.date)].append(day)
    result = []
    for key in sorted(groups, reverse=True):
        first, last = bounds(key)
        result.append(Period(kind, key, first, last, tuple(groups[key])))
    return result


def _chunks(items: Sequence[Paper], size: int) -> list[Sequence[Paper]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [items]


def _links(period: Period, weeks: Sequence[Period]) -> list[tuple[str, str, int]]:
    """(site path, label, paper count) under the heading: a week's days, a month's weeks."""
    if period.kind == WEEK:
        return [(day.url, long_date(day.date), len(day.papers)) for day in period.days]
    inside = [week for week in weeks if week.first <= period.last and week.last >= period.first]
    links = []
    for week in inside:
        count = sum(len(day.papers) for day in week.days if month_key(day.date) == period.key)
        if count:
            links.append((week.url(), f"{week.name} · {week.span}", count))
    return links


def render_periods(renderer: Renderer, site: Site, views: dict[str, PaperView]) -> Iterator[Page]:
    """The pages of every week, then of every month."""
    for render in period_renders(renderer, site, views):
        yield from render()


def period_renders(
    renderer: Renderer, site: Site, views: dict[str, PaperView]
) -> list[Callable[[], list[Page]]]:
    """One call per period (weeks first, newest first) that makes its pages: shared out
    to workers one by one."""
    weeks = periods(site, WEEK)
    return [
        *_kind_renders(renderer, weeks, views, weeks),
        *_kind_renders(renderer, periods(site, MONTH), views, weeks),
    ]


def _kind_renders(
    renderer: Renderer, kind_periods: list[Period], views: dict[str, PaperView], weeks: Sequence[Period]
) -> list[Callable[[], list[Page]]]:
    renders: list[Callable[[], list[Page]]] = []
    for index, period in enumerate(kind_periods):
        newer = kind_periods[index - 1] if index > 0 else None
        older = kind_periods[index + 1] if index + 1 < len(kind_periods) else None
        links = _links(period, weeks)
        key = (
            tuple(tuple(day.papers) for day in period.days),
            tuple(links),
            newer.summary_key() if newer else None,
            older.summary_key() if older else None,
        )
        make = functools.partial(_period_pages, renderer, period, views, links, newer, older)
        renders.append(
            functools.partial(renderer.group, f"{period.kind} {period.key}", ("period.html",), key, make)
        )
    return renders


def _period_pages(
    renderer: Renderer,
    period: Period,
    views: dict[str, PaperView],
    links: list[tuple[str, str, int]],
    newer: Period | None,
    older: Period | None,
) -> list[Page]:
    from generator.render import Pagination

    size = renderer.config.page_size
    papers = period.papers
    parts = _chunks(papers, size)
    pages = []
    for number, part in enumerate(parts, start=1):
        pagination = Pagination(number, len(parts), period.url)
        key = (
            period.kind,
            period.key,
            tuple(part),
            len(papers),
            period.ranked_by_upvotes,  # an upvote on another page changes this page's order and words
            number,
            len(parts),
            tuple(links),
            newer.summary_key() if newer else None,
            older.summary_key() if older else None,
        )
        pages.append(
            renderer.page(
                "period.html",
                period.url(number) + "index.html",
                period.days[0].date,
                key,
                period=period,
                papers=[views[paper.slug] for paper in part],
                total=len(papers),
                offset=(number - 1) * size,
                ranked_by_upvotes=period.ranked_by_upvotes,
                links=links,
                pagination=pagination,
                newer=newer,
                older=older,
            )
        )
    return pages
