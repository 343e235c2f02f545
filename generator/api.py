"""A static JSON API in the shape of Hugging Face's daily papers API, for the fields we have.

`api/daily_papers/YYYY-MM-DD.json` answers like `GET /api/daily_papers?date=YYYY-MM-DD`
(a list of items, each with a `paper` object) and `api/papers/<slug>.json` like
`GET /api/papers/<id>` (the bare paper object). `papers import hf` reads the day files
back into the same paper files. `api/index.json` lists the days.

Only what a paper file holds is written; nothing is invented: no `publishedAt` (the
arXiv date is not kept), no `upvotes` when the file has none. A paper without an arXiv
id gets its slug as `id` (and cannot be imported back: the importer needs arXiv ids).
Fields Hugging Face does not have are under `paper.dailyPapers`. Output is byte-for-byte
deterministic: sorted keys, no clock.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any

from generator.config import SiteConfig
from generator.model import Day, Paper, Site

if TYPE_CHECKING:
    from generator.render import Page, Renderer

API_DIR = "api"
API_INDEX = f"{API_DIR}/index.json"  # every site has it: how a build knows a folder is a site
FORMAT_VERSION = 1  # bump when the shape changes, so cached pages are rebuilt


def daily_papers_path(day: dt.date) -> str:
    return f"{API_DIR}/daily_papers/{day.isoformat()}.json"


def paper_path(slug: str) -> str:
    return f"{API_DIR}/papers/{slug}.json"


def json_bytes(data: object) -> bytes:
    """Compact UTF-8 JSON with sorted keys: the same data always gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def paper_object(paper: Paper, config: SiteConfig) -> dict[str, Any]:
    """The `paper` object of an item, as Hugging Face names its fields."""
    links = dict(paper.links)
    data: dict[str, Any] = {
        "id": paper.arxiv or paper.slug,
        "title": paper.title,
        "summary": paper.body,
        "authors": [{"name": name} for name in paper.names],
        "submittedOnDailyAt": f"{paper.day.isoformat()}T00:00:00.000Z",
        "dailyPapers": {
            "slug": paper.slug,
            "day": paper.day.isoformat(),
            "url": config.absolute(paper.url),
            "arxiv": paper.arxiv,
            "tags": list(paper.tags),
            "links": links,
        },
    }
    optional: dict[str, Any] = {
        "upvotes": paper.upvotes,
        "ai_summary": paper.tldr,
        "ai_keywords": list(paper.keywords) or None,
        "githubRepo": links.get("code"),
        "projectPage": links.get("project"),
        "organization": _organization(paper),
        "submittedOnDailyBy": {"user": paper.submitted_by} if paper.submitted_by else None,
    }
    data.update((key, value) for key, value in optional.items() if value is not None)
    return data


def _organization(paper: Paper) -> dict[str, str] | None:
    if not paper.organization:
        return None
    return {"name": paper.organization, "fullname": paper.organization}


def daily_item(paper: Paper, config: SiteConfig) -> dict[str, Any]:
    """One item of a day's list: the paper object plus the item-level copies the API has."""
    item: dict[str, Any] = {
        "paper": paper_object(paper, config),
        "title": paper.title,
        "summary": paper.body,
    }
    organization = _organization(paper)
    if organization:
        item["organization"] = organization
    if paper.submitted_by:
        item["submittedBy"] = {"name": paper.submitted_by}
    return item


def day_list(day: Day, config: SiteConfig) -> list[dict[str, Any]]:
    """A day's items, in the day's listing order (most upvoted first)."""
    return [daily_item(paper, config) for paper in day.papers]


def index_object(site: Site) -> dict[str, Any]:
    return {
        "days": [
            {"date": day.date.isoformat(), "papers": len(day.papers), "path": daily_papers_path(day.date)}
            for day in site.days
        ],
        "papers": len(site.papers),
        "version": FORMAT_VERSION,
    }


def json_page(
    renderer: Renderer, path: str, lastmod: dt.date | None, key: Hashable, make: Callable[[], object]
) -> Page:
    """The page at `path` with `make()` as JSON; reused from the render memo while `key` holds."""
    return renderer.made(path, lastmod, ("json", FORMAT_VERSION, key), lambda: json_bytes(make()))


def render_api(renderer: Renderer, site: Site) -> Iterator[Page]:
    """Every API file: the index, one list per day, one object per paper."""
    yield render_api_index(renderer, site)
    for day in site.days:
        yield from render_api_day(renderer, day)


def render_api_index(renderer: Renderer, site: Site) -> Page:
    return json_page(
        renderer,
        API_INDEX,
        site.days[0].date if site.days else None,
        tuple((day.date, len(day.papers)) for day in site.days),
        functools.partial(index_object, site),
    )


def render_api_day(renderer: Renderer, day: Day) -> list[Page]:
    """A day's list and its papers' objects."""
    return renderer.group(
        f"api {day.date}", (), tuple(day.papers), functools.partial(_day_files, renderer, day)
    )


def _day_files(renderer: Renderer, day: Day) -> list[Page]:
    """A day's list and its papers' objects: a group that changes only with that day."""
    config = renderer.config
    pages = [
        json_page(
            renderer,
            daily_papers_path(day.date),
            day.date,
            tuple(day.papers),
            functools.partial(day_list, day, config),
        )
    ]
    for paper in day.papers:
        pages.append(
            json_page(
                renderer,
                paper_path(paper.slug),
                paper.day,
                paper,
                functools.partial(paper_object, paper, config),
            )
        )
    return pages
