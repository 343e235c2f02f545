"""Week and month pages: ISO weeks, ranking, pagination, neighbours and the links to them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from generator.config import load_config
from generator.content import read_site
from generator.model import Paper, Site
from generator.periods import (
    MONTH,
    WEEK,
    date_span,
    month_url,
    period_links,
    periods,
    rank_key,
    render_periods,
    week_key,
    week_url,
)
from generator.render import Renderer
from generator.views import PaperView
from tests.conftest import Project
from tests.sitecheck import html_pages, parse_page, resolve
from tests.wiring import build_all, install_globals

BASE = "https://example.github.io/daily-papers/"


@pytest.mark.parametrize(
    ("day", "key"),
    [
        ("2025-03-17", "2025-W12"),
        ("2025-03-23", "2025-W12"),
        ("2025-03-24", "2025-W13"),
        ("2024-12-30", "2025-W01"),  # the ISO year, not the calendar year
        ("2021-01-03", "2020-W53"),
    ],
)
def test_week_keys_are_iso_weeks(day: str, key: str) -> None:
    assert week_key(dt.date.fromisoformat(day)) == key


def test_urls_and_links_of_a_day() -> None:
    assert week_url("2025-W12") == "weeks/2025-W12/"
    assert week_url("2025-W12", 3) == "weeks/2025-W12/page/3/"
    assert month_url("2025-03", 2) == "months/2025-03/page/2/"
    assert period_links(dt.date(2025, 3, 17)) == (
        ("weeks/2025-W12/", "Week 12 of 2025"),
        ("months/2025-03/", "March 2025"),
    )


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        ("2025-03-17", "2025-03-23", "17–23 March 2025"),
        ("2025-03-31", "2025-04-06", "31 March – 6 April 2025"),
        ("2024-12-30", "2025-01-05", "30 December 2024 – 5 January 2025"),
        ("2025-03-17", "2025-03-17", "17 March 2025"),
    ],
)
def test_date_spans_read_naturally(first: str, last: str, text: str) -> None:
    assert date_span(dt.date.fromisoformat(first), dt.date.fromisoformat(last)) == text


def make(slug: str, day: str, upvotes: int | None = None) -> Paper:
    date = dt.date.fromisoformat(day)
    return Paper(slug, date, slug.title(), "Body.", f"content/{day[:4]}/{day}/{slug}.md", upvotes=upvotes)


def test_known_upvotes_rank_first_then_newest_day_first() -> None:
    papers = [
        make("old-unknown", "2025-03-17"),
        make("new-unknown", "2025-03-19"),
        make("few", "2025-03-18", 2),
        make("many", "2025-03-17", 40),
        make("zero", "2025-03-19", 0),
    ]
    ranked = [p.slug for p in sorted(papers, key=rank_key)]
    assert ranked == ["many", "few", "zero", "new-unknown", "old-unknown"]


def test_periods_group_days_newest_first() -> None:
    site = Site(
        [make("a", "2025-03-17"), make("b", "2025-03-23"), make("c", "2025-03-31"), make("d", "2025-02-28")],
        {},
    )
    weeks = periods(site, WEEK)
    assert [w.key for w in weeks] == ["2025-W14", "2025-W12", "2025-W09"]
    assert [d.date.isoformat() for d in weeks[1].days] == ["2025-03-23", "2025-03-17"]
    assert (weeks[1].first, weeks[1].last) == (dt.date(2025, 3, 17), dt.date(2025, 3, 23))
    months = periods(site, MONTH)
    assert [m.key for m in months] == ["2025-03", "2025-02"]
    assert (months[1].first, months[1].last) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert months[0].name == "March 2025" and weeks[0].name == "Week 14 of 2025"


@pytest.fixture
def period_project(project: Project) -> Project:
    """Five papers in week 12, two in week 14 (across March and April), one in week 9; two per page."""
    with (project.root / "site.yaml").open("a", encoding="utf-8") as file:
        file.write("page_size: 2\n")
    project.paper("2025-03-17", "monday-top", "upvotes: 50\ntags: [llm]")
    project.paper("2025-03-17", "monday-low", "upvotes: 1")
    project.paper("2025-03-19", "wednesday-mid", "upvotes: 20")
    project.paper("2025-03-19", "wednesday-unknown")
    project.paper("2025-03-23", "sunday-unknown")
    project.paper("2025-03-31", "march-31-paper")
    project.paper("2025-04-01", "april-paper", "upvotes: 3")
    project.paper("2025-02-27", "february-paper")
    return project


@pytest.fixture
def period_site(period_project: Project, tmp_path: Path) -> Path:
    return build_all(period_project.root, tmp_path / "public", BASE)


def card_slugs(html: str) -> list[str]:
    return re.findall(r'<article class="paper-card"[^>]*data-paper="([^"]+)"', html)


def read(out: Path, path: str) -> str:
    return (out / path).read_text(encoding="utf-8")


def test_a_week_is_ranked_and_paginated(period_site: Path) -> None:
    first = read(period_site, "weeks/2025-W12/index.html")
    second = read(period_site, "weeks/2025-W12/page/2/index.html")
    third = read(period_site, "weeks/2025-W12/page/3/index.html")
    assert card_slugs(first) == ["monday-top", "wednesday-mid"]
    assert card_slugs(second) == ["monday-low", "sunday-unknown"]
    assert card_slugs(third) == ["wednesday-unknown"]
    assert not (period_site / "weeks/2025-W12/page/4").exists()
    descriptions = [
        re.findall(r'<meta name="description" content="([^"]*)"', page) for page in (first, third)
    ]
    assert descriptions[0] != descriptions[1] and descriptions[1][0].endswith(": page 3 of 3.")
    assert "<h1>Week 12 of 2025</h1>" in first
    assert "17–23 March 2025 · 5 papers, most upvoted first · page 1 of 3" in first
    assert '<a rel="next" href="/daily-papers/weeks/2025-W12/page/2/">Older →</a>' in first
    assert '<ol class="paper-list" start="3"' in second
    assert "<title>Week 12 of 2025 (page 2) · Test Papers</title>" in second


def test_a_week_links_its_days_and_its_neighbours(period_site: Path) -> None:
    html = read(period_site, "weeks/2025-W12/index.html")
    days = re.findall(r'<li><a href="/daily-papers/days/([0-9-]+)/">', html)
    assert days == ["2025-03-23", "2025-03-19", "2025-03-17"]
    # A week of several pages: rel="prev"/"next" are its pages', the neighbours' links plain.
    assert '<a href="/daily-papers/weeks/2025-W09/">← Week 9 of 2025</a>' in html
    assert '<a href="/daily-papers/weeks/2025-W14/">Week 14 of 2025 →</a>' in html
    for page in (html, read(period_site, "weeks/2025-W12/page/2/index.html")):
        links = re.findall(r'<a rel="(?:prev|next)" href="([^"]+)"', page)
        assert links and all(link.startswith("/daily-papers/weeks/2025-W12/") for link in links)
    newest = read(period_site, "weeks/2025-W14/index.html")  # one page: rel marks the neighbours
    assert '<a rel="prev" href="/daily-papers/weeks/2025-W12/">← Week 12 of 2025</a>' in newest
    assert 'rel="next"' not in newest


def test_a_month_lists_its_weeks_and_papers(period_site: Path) -> None:
    html = read(period_site, "months/2025-03/index.html")
    assert "<h1>March 2025</h1>" in html
    assert "1–31 March 2025 · 6 papers" in html
    weeks = re.findall(
        r'<li><a href="/daily-papers/weeks/([0-9W-]+)/">([^<]+)</a> <span class="count">(\d+)</span>', html
    )
    assert weeks == [
        ("2025-W14", "Week 14 of 2025 · 31 March – 6 April 2025", "1"),
        ("2025-W12", "Week 12 of 2025 · 17–23 March 2025", "5"),
    ]
    assert '<a href="/daily-papers/months/2025-02/">← February 2025</a>' in html  # it has pages
    assert '<a href="/daily-papers/months/2025-04/">April 2025 →</a>' in html
    april = read(period_site, "months/2025-04/index.html")
    assert card_slugs(april) == ["april-paper"]
    assert "most upvoted first" in april
    assert "newest first" in read(period_site, "months/2025-02/index.html")


def test_day_and_home_pages_link_their_week_and_month(period_site: Path) -> None:
    for path in ("days/2025-03-19/index.html", "index.html"):
        html = read(period_site, path)
        links = re.findall(r'<a href="/daily-papers/(weeks|months)/([0-9W-]+)/">', html)
        date = "2025-03-19" if path.startswith("days") else "2025-04-01"
        expected_week = week_key(dt.date.fromisoformat(date))
        assert links == [("weeks", expected_week), ("months", date[:7])], path


def test_every_link_on_the_new_pages_resolves(period_site: Path) -> None:
    new = [
        page
        for page in html_pages(period_site)
        if page.relative_to(period_site).parts[0] in ("weeks", "months")
        and page.parent.name not in ("weeks", "months")
    ]  # not the folders' own pages, which send readers to the archive
    assert len(new) == 3 + 1 + 1 + 3 + 1 + 1  # W12 in 3 pages, W14, W09; 2025-03 in 3, 2025-04, 2025-02
    for page in html_pages(period_site):
        for tag, attribute, link in parse_page(page).links:
            if tag == "link" and "canonical" in link:
                continue
            target = resolve(period_site, BASE, page, link.split("?")[0].split("#")[0] or page.name)
            if target is not None:
                assert target.is_file(), (
                    f"{page.relative_to(period_site)}: <{tag} {attribute}={link}> is broken"
                )


def test_period_pages_are_reused_from_the_memo_until_a_paper_changes(period_project: Project) -> None:
    config = load_config(period_project.root)
    renderer = Renderer(config, period_project.root / "layouts")
    site = read_site(period_project.root).site
    views = {p.slug: PaperView(p) for p in site.papers}
    renderer.env.globals["vocabulary"] = site.vocabulary
    install_globals(renderer, site, views)
    first = list(render_periods(renderer, site, views))
    rendered = renderer.rendered
    again = list(render_periods(renderer, site, views))
    assert renderer.rendered == rendered
    assert [p.content for p in again] == [p.content for p in first]
    period_project.paper("2025-04-01", "april-paper", "upvotes: 4")
    changed = read_site(period_project.root).site
    views = {p.slug: PaperView(p) for p in changed.papers}
    pages = {p.path: p for p in render_periods(renderer, changed, views)}
    assert renderer.rendered == rendered + 2  # its week and its month
    assert (
        '▲</span> 4<span class="visually-hidden"> upvotes'
        in pages["weeks/2025-W14/index.html"].content.decode()
    )
