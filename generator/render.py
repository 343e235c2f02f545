"""Site -> pages: Jinja2 over `layouts/`, no I/O besides reading templates.

Templates get typed objects (config, days, paper views), never raw content as template
source: autoescape is on and undefined names are errors.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import io
import itertools
import math
import os
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup

from generator.api import render_api_day, render_api_index
from generator.cards import CARD_HEIGHT, CARD_NAME, CARD_TEMPLATE, CARD_WIDTH, CardMaker, render_card
from generator.config import SiteConfig
from generator.errors import PapersError
from generator.model import Day, Paper, Site, Tag, day_url, month_key, tag_url
from generator.periods import month_url, period_links, period_renders
from generator.reading import render_saved
from generator.related import RelatedViews, cached_related_papers
from generator.search import search_part_names
from generator.views import Listed, PaperView

ASSETS_DIR = "assets"
CARD_PARTIAL = "_partials/paper_card.html"
LINK_LABELS = {"code": "Code", "project": "Project page", "data": "Data", "pdf": "PDF", "video": "Video"}


@dataclass(frozen=True)
class Page:
    """One output file: where it goes, its bytes, and what the sitemap says of it."""

    path: str
    content: bytes
    lastmod: dt.date | None = None
    in_sitemap: bool = False
    reused: bool = False  # unchanged since the cached build: link the previous file, no bytes held

    def without_content(self) -> Page:
        return Page(self.path, b"", self.lastmod, self.in_sitemap, reused=True)


@dataclass(frozen=True)
class Pagination:
    number: int
    count: int
    url_of: Any  # page number -> site path

    @property
    def previous(self) -> str | None:
        return self.url_of(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.url_of(self.number + 1) if self.number < self.count else None


def asset_version(layouts: Path) -> str:
    """A short hash of the static assets, appended to their URLs so browsers refetch on change."""
    digest = hashlib.sha256()
    folder = layouts / ASSETS_DIR
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


Memo = dict[str, tuple[Hashable, "Page"]]
Groups = dict[str, tuple[Hashable, list["Page"]]]


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, for which a file it cannot read or write only
    means compiling the template (a full disk, a read-only folder, a damaged file). Each
    file starts with a digest of the rest: unmarshalling damaged bytecode can crash Python
    itself, which no `except` catches."""

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key, for a project folder whose name is not UTF-8 too."""
        digest = hashlib.sha1(name.encode("utf-8", "surrogateescape"))
        if filename is not None:
            digest.update(b"|" + os.fsencode(filename))
        return digest.hexdigest()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            data = Path(self._get_cache_filename(bucket)).read_bytes()
        except OSError:
            return
        digest, code = data[:_DIGEST_SIZE], data[_DIGEST_SIZE:]
        if hashlib.sha256(code).digest() != digest:
            return  # damaged, or written by another version: compiled again
        try:
            bucket.load_bytecode(io.BytesIO(code))
        except Exception:  # whatever unmarshalling bytecode of another Python raises
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = io.BytesIO()
        bucket.write_bytecode(code)
        data = hashlib.sha256(code.getvalue()).digest() + code.getvalue()
        path = Path(self._get_cache_filename(bucket))
        written = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            written.write_bytes(data)
            written.replace(path)  # whole, for another process reading it meanwhile
        except OSError:
            with contextlib.suppress(OSError):
                written.unlink()


_DIGEST_SIZE = hashlib.sha256().digest_size


def _bytecode_cache(folder: Path) -> jinja2.BytecodeCache | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # then templates are compiled each time, as without a cache
        return None
    return _CompiledTemplates(str(folder))


class Renderer:
    """The Jinja2 environment and the globals every template sees.

    With a `memo` (kept by the dev server and the build cache), a page whose inputs key
    is unchanged since the last render is reused instead of rendered again.
    """

    def __init__(
        self,
        config: SiteConfig,
        layouts: Path,
        live_reload: bool = False,
        memo: Memo | None = None,
        keep_bytes: bool = True,
        cards: CardMaker | None = None,
        compiled: Path | None = None,
    ) -> None:
        """`compiled` is a folder to keep compiled templates in between processes (Jinja checks
        each against its template's source before using it)."""
        self.config = config
        self.cards = cards  # social cards, made by builds only
        self.keep_bytes = keep_bytes  # the dev server keeps pages in memory; builds stream them
        self.memo: Memo = memo if memo is not None else {}
        self.rendered = 0
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(layouts),
            autoescape=jinja2.select_autoescape(["html", "xml", "svg"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=_bytecode_cache(compiled) if compiled else None,
        )
        base_path = config.base_path
        version = asset_version(layouts)
        self.env.globals.update(
            config=config,
            live_reload=live_reload,
            url=lambda path="": base_path + path.lstrip("/"),
            absolute=config.absolute,
            asset=lambda name: f"{base_path}{ASSETS_DIR}/{name}?v={version}",
            day_url=day_url,
            tag_url=tag_url,
            link_labels=LINK_LABELS,
            period_links=period_links,
            month_url=month_url,
            archive_url=archive_url,
            card=self.paper_card,
            social_cards=cards is not None,
            card_name=CARD_NAME,
            card_size=(CARD_WIDTH, CARD_HEIGHT),
        )
        self.env.filters["long_date"] = long_date
        self.env.filters["iso"] = lambda day: day.isoformat()
        self.global_key = (config, version, live_reload, cards is not None)  # pages link cards or not
        self.template_keys: dict[str, str] = {}
        self.cards_html: dict[tuple[int, int, bool], tuple[PaperView, Markup]] = {}
        self.groups: Groups = {}  # the last render's groups of pages, see group()
        self.groups_made: Groups = {}
        self.vocabulary_key: Hashable = ()
        self.related = RelatedViews({}, {})  # set for each build by prepare()
        self.views: dict[Paper, PaperView] = {}
        # What lists showed of each paper in an earlier build (slug -> paper, values), reused
        # while the paper is the same; `keep_listed` has every view end up with its values.
        self.listed_before: dict[str, tuple[Paper, Listed]] = {}
        self.keep_listed = False
        self.related_source: Callable[[list[Paper]], dict[str, tuple[str, ...]]] = cached_related_papers

    def paper_card(self, view: PaperView, heading: int, show_day: bool = False) -> Markup:
        """A paper as a list shows it: made once per build and variant, though a paper is
        listed on its day, its tags, its week and its month."""
        key = (id(view), heading, show_day)
        cached = self.cards_html.get(key)
        if cached is None or cached[0] is not view:
            html = self.render_template(CARD_PARTIAL, view=view, heading=heading, show_day=show_day)
            cached = self.cards_html[key] = (view, Markup(html))
        return cached[1]

    def template_key(self, name: str) -> str:
        """A hash of a template and everything it extends or includes, and of the paper card
        partial, which templates use through the `card` global rather than an include."""
        if name not in self.template_keys:
            digest = hashlib.sha256()
            for source in sorted(self._closure(name) | self._closure(CARD_PARTIAL)):
                digest.update(source.encode())
            self.template_keys[name] = digest.hexdigest()
        return self.template_keys[name]

    def _closure(self, name: str, seen: set[str] | None = None) -> set[str]:
        seen = seen if seen is not None else set()
        if name in seen:
            return set()
        seen.add(name)
        assert self.env.loader is not None
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)
            parsed = self.env.parse(source)
        except jinja2.TemplateError:
            return {name}  # rendering reports the error properly
        sources = {name + "\0" + source}
        for child in jinja2.meta.find_referenced_templates(parsed):
            if child:
                sources |= self._closure(child, seen)
        return sources

    def has_template(self, name: str) -> bool:
        assert self.env.loader is not None
        try:
            self.env.loader.get_source(self.env, name)
        except jinja2.TemplateNotFound:
            return False
        return True

    def group(
        self, name: str, templates: tuple[str, ...], key: Hashable, make: Callable[[], list[Page]]
    ) -> list[Page]:
        """Pages made together (a day and its papers, say), reused as a whole while `key` and
        their templates are unchanged: a rebuild then skips even the per-page checks."""
        full_key = (self.global_key, self.vocabulary_key, tuple(map(self.template_key, templates)), key)
        cached = self.groups.get(name)
        if cached is not None and cached[0] == full_key:
            self.groups_made[name] = cached  # the same object: the build cache writes only changes
            return cached[1]
        pages = make()
        kept = pages if self.keep_bytes else [page.without_content() for page in pages]
        self.groups_made[name] = (full_key, kept)  # without bytes, or a build would hold the whole site
        return pages

    def render_template(self, template: str, **context: Any) -> str:
        """`template` rendered; its errors, the template's own code's included (`1/0`, a
        macro calling itself), as a problem of the layout file, at its line."""
        try:
            return self.env.get_template(template).render(**context)
        except jinja2.TemplateSyntaxError as error:
            raise PapersError.single(
                f"layouts/{error.name or template}", f"template error: {error.message}", None, error.lineno
            ) from None
        except jinja2.TemplateError as error:  # an undefined name, a missing include: where it is used
            name, line = _failing_template(error, template)
            raise PapersError.single(
                f"layouts/{name}", f"template error: {error}", "check the names the template uses", line
            ) from None
        except PapersError:  # from a template used inside this one (a card on a day page)
            raise
        except Exception as error:  # raised by the template's own expressions
            name, line = _failing_template(error, template)
            raise PapersError.single(
                f"layouts/{name}",
                f"template error: {type(error).__name__}: {error}",
                "check the expressions on that line",
                line,
            ) from None

    def made(self, path: str, lastmod: dt.date | None, key: Hashable, make: Callable[[], bytes]) -> Page:
        """A file other than a page (JSON, an image) with `make()` as its bytes, memoised like pages."""
        full_key = (self.global_key, key)
        cached = self.memo.get(path)
        if cached is not None and cached[0] == full_key:
            return cached[1]
        page = Page(path, make(), lastmod, in_sitemap=False)
        self.memo[path] = (full_key, page if self.keep_bytes else page.without_content())
        self.rendered += 1
        return page

    def page(
        self,
        template: str,
        path: str,
        lastmod: dt.date | None = None,
        key: Hashable = None,
        **context: Any,
    ) -> Page:
        """Render `template` to the page at `path`, or reuse it when its inputs are unchanged."""
        full_key = (self.global_key, self.vocabulary_key, self.template_key(template), lastmod, key)
        cached = self.memo.get(path)
        if cached is not None and cached[0] == full_key:
            return cached[1]
        html = self.render_template(template, page_path=path, **context)
        sitemap = path.endswith(".html") and template not in _OUTSIDE_SITEMAP
        page = Page(path, html.encode("utf-8"), lastmod, sitemap)
        self.memo[path] = (full_key, page if self.keep_bytes else page.without_content())
        self.rendered += 1
        return page


# Pages that are not content of their own (marked noindex): served at every missing address,
# passing on, or the same shell for every reader (the reading list).
REDIRECT_TEMPLATE = "redirect.html"
_OUTSIDE_SITEMAP = frozenset({"404.html", REDIRECT_TEMPLATE, "saved.html"})
# Folders of the site's addresses that have no page of their own (`papers/SLUG/` does not
# make `papers/` a list): someone who shortens an address lands in the archive, not on 404.
REDIRECTED_FOLDERS = (("papers/", "Papers"), ("days/", "Days"), ("weeks/", "Weeks"), ("months/", "Months"))


def _failing_template(error: Exception, template: str) -> tuple[str, int | None]:
    """The layout file and line an error was raised at: the innermost frame of a template
    (Jinja gives those frames the template's file and line)."""
    found: tuple[str, int | None] = (template, None)
    frame = error.__traceback__
    while frame is not None:
        filename = frame.tb_frame.f_code.co_filename
        if f"{os.sep}layouts{os.sep}" in filename or filename.startswith("layouts"):
            found = (filename.split(f"layouts{os.sep}", 1)[-1].replace(os.sep, "/"), frame.tb_lineno)
        frame = frame.tb_next
    return found


def long_date(day: dt.date) -> str:
    """`17 March 2025`, the same whatever the machine's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def month_name(key: str) -> str:
    year, month = key.split("-")
    return f"{_MONTHS[int(month) - 1]} {year}"


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [items]


def render_site(
    site: Site,
    config: SiteConfig,
    layouts: Path,
    live_reload: bool = False,
    memo: Memo | None = None,
) -> list[Page]:
    """Every page of the site, in a stable order."""
    return render_with(Renderer(config, layouts, live_reload, memo), site)


@dataclass(frozen=True)
class Task:
    """Pages made together, and the papers whose own pages are among them: those need
    their full text where the task runs; other pages show only what lists show."""

    make: Callable[[], Iterable[Page]]
    papers: Sequence[Paper] = ()

    def __call__(self) -> Iterable[Page]:
        return self.make()


def prepare(renderer: Renderer, site: Site, related: bool = True) -> dict[str, PaperView]:
    """Point the templates at this site's vocabulary; one view per paper, filled lazily.
    Related papers are computed too, unless the caller does it later (`relate`)."""
    renderer.env.globals["vocabulary"] = site.vocabulary
    renderer.cards_html = {}  # they show tag names: made again for each build
    key = tuple(sorted(site.vocabulary.items()))
    if key != renderer.vocabulary_key:  # keep the old object when equal: keys then compare by identity
        renderer.vocabulary_key = key
    known = renderer.views  # a view caches its rendered text: keep it while the paper is unchanged
    renderer.views = {
        paper: known.get(paper) or _view(paper, renderer.listed_before) for paper in site.papers
    }
    views = {paper.slug: view for paper, view in renderer.views.items()}
    if related:
        relate(renderer, renderer.related_source(site.papers), views)
    return views


def relate(renderer: Renderer, lists: dict[str, tuple[str, ...]], views: dict[str, PaperView]) -> None:
    """Give the templates each paper's related papers (`lists`: slug -> slugs)."""
    renderer.related = RelatedViews(lists, views, renderer.related)
    renderer.env.globals["related"] = renderer.related


def _view(paper: Paper, listed_before: dict[str, tuple[Paper, Listed]]) -> PaperView:
    view = PaperView(paper)
    before = listed_before.get(paper.slug)
    if before is not None and (before[0] is paper or before[0] == paper):
        view.fill(before[1])
    return view


def page_tasks(renderer: Renderer, site: Site, views: dict[str, PaperView]) -> list[Task]:
    """The work of a build as independent tasks (all but the sitemap), so they can be shared out."""
    tasks = [Task(lambda: render_home(renderer, site, views))]
    for day in site.days:
        tasks.append(Task(functools.partial(render_day_and_papers, renderer, site, day, views), day.papers))
    for slug in site.tags:
        tasks.append(Task(functools.partial(render_tag, renderer, site, slug, views)))
    tasks.append(
        Task(
            lambda: [
                render_tag_index(renderer, site),
                *render_archive(renderer, site),
                render_search(renderer, site),
                renderer.page("404.html", "404.html"),
                *render_redirects(renderer),
                render_feed(renderer, site.ordered_papers, views, "feed.xml", None),
                renderer.page("robots.txt", "robots.txt"),
                render_saved(renderer),
            ]
        )
    )
    tasks += [Task(render) for render in period_renders(renderer, site, views)]
    tasks.append(Task(lambda: [render_api_index(renderer, site)]))
    tasks += [Task(functools.partial(render_api_day, renderer, day)) for day in site.days]
    return tasks


def render_with(renderer: Renderer, site: Site) -> list[Page]:
    """Every page, through `renderer` (whose memo may hold pages from an earlier build)."""
    views = prepare(renderer, site)
    renderer.groups_made = {}
    pages = [page for task in page_tasks(renderer, site, views) for page in task()]
    pages += render_sitemaps(renderer, pages)
    renderer.groups, renderer.groups_made = renderer.groups_made, {}
    return pages


def _latest(site: Site) -> dt.date | None:
    return site.days[0].date if site.days else None


def _day_key(day: Day | None) -> Hashable:
    return (day.date, len(day.papers)) if day else None


def render_home(renderer: Renderer, site: Site, views: dict[str, PaperView]) -> list[Page]:
    latest = site.days[0] if site.days else None
    recent = site.days[1:8]
    key = (
        tuple(latest.papers) if latest else (),
        tuple(_day_key(d) for d in recent),
        len(site.papers),
        len(site.days),
    )
    return [
        renderer.page(
            "home.html",
            "index.html",
            _latest(site),
            key,
            day=latest,
            views=views,
            recent_days=recent,
            paper_count=len(site.papers),
            day_count=len(site.days),
        )
    ]


def render_day_and_papers(
    renderer: Renderer, site: Site, day: Day, views: dict[str, PaperView]
) -> list[Page]:
    """A day's page and its papers' pages: one group, as a paper's page shows its neighbours."""
    older, newer = site.day_neighbours(day)
    key = (
        tuple(day.papers),
        _day_key(older),
        _day_key(newer),
        tuple([renderer.related.key(paper.slug) for paper in day.papers]),
    )
    return renderer.group(
        f"day {day.date}",
        ("day.html", "paper.html", CARD_TEMPLATE),
        key,
        lambda: [
            *render_day(renderer, day, views, older, newer),
            *render_papers_of_day(renderer, site, day, views),
        ],
    )


def render_day(
    renderer: Renderer, day: Day, views: dict[str, PaperView], older: Day | None, newer: Day | None
) -> list[Page]:
    """A day's pages, `day_page_size` papers each: a busy day is one page, as its list is,
    and a bulk import of thousands of papers on one day makes pages, not one of megabytes."""
    parts = chunks(day.papers, renderer.config.day_page_size)
    return [
        renderer.page(
            "day.html",
            day_url(day.date, number) + "index.html",
            day.date,
            (tuple(part), _day_key(older), _day_key(newer), number, len(parts), len(day.papers)),
            day=day,
            papers=part,
            views=views,
            older=older,
            newer=newer,
            pagination=Pagination(number, len(parts), lambda n, d=day.date: day_url(d, n)),
        )
        for number, part in enumerate(parts, start=1)
    ]


def render_papers_of_day(
    renderer: Renderer, site: Site, day: Day, views: dict[str, PaperView]
) -> Iterator[Page]:
    papers = day.papers
    for index, paper in enumerate(papers):
        yield render_paper(
            renderer,
            site,
            paper,
            views,
            papers[index - 1] if index > 0 else None,
            papers[index + 1] if index + 1 < len(papers) else None,
        )
        if renderer.cards:
            yield render_card(renderer, paper, views[paper.slug])


def _neighbour_key(paper: Paper | None) -> Hashable:
    return (paper.slug, paper.title) if paper else None


def render_paper(
    renderer: Renderer,
    site: Site,
    paper: Paper,
    views: dict[str, PaperView],
    previous: Paper | None,
    following: Paper | None,
) -> Page:
    tags = [site.vocabulary[t] for t in paper.tags]
    return renderer.page(
        "paper.html",
        paper.url + "index.html",
        paper.day,
        (
            paper,
            _neighbour_key(previous),
            _neighbour_key(following),
            tuple(tags),
            renderer.related.key(paper.slug),
        ),
        view=views[paper.slug],
        paper=paper,
        tags=tags,
        previous=views[previous.slug] if previous else None,
        following=views[following.slug] if following else None,
        edit_url=edit_url(renderer.config, paper),
    )


def edit_url(config: SiteConfig, paper: Paper) -> str | None:
    if not config.repository:
        return None
    return f"{config.repository}/edit/{quote(config.branch)}/{paper.source}"


def render_tag_index(renderer: Renderer, site: Site) -> Page:
    counts = [(site.vocabulary[slug], len(papers)) for slug, papers in site.tags.items()]
    return renderer.page("tags.html", "tags/index.html", _latest(site), tuple(counts), tags=counts)


def render_tag(renderer: Renderer, site: Site, slug: str, views: dict[str, PaperView]) -> list[Page]:
    """A tag's pages of papers, newest first, and its feed."""
    papers = site.tags[slug]
    tag = site.vocabulary[slug]
    return renderer.group(
        f"tag {slug}",
        ("tag.html", "feed.xml"),
        (tag, tuple(papers)),
        lambda: _tag_pages(renderer, slug, tag, papers, views),
    )


def _tag_pages(
    renderer: Renderer, slug: str, tag: Tag, papers: list[Paper], views: dict[str, PaperView]
) -> list[Page]:
    parts = chunks(papers, renderer.config.page_size)
    pages = []
    for number, part in enumerate(parts, start=1):
        pagination = Pagination(number, len(parts), lambda n, s=slug: tag_url(s, n))
        pages.append(
            renderer.page(
                "tag.html",
                tag_url(slug, number) + "index.html",
                papers[0].day,
                (tag, tuple(part), len(papers), number, len(parts)),
                tag=tag,
                papers=[views[p.slug] for p in part],
                total=len(papers),
                pagination=pagination,
            )
        )
    pages.append(render_feed(renderer, papers, views, f"tags/{slug}/feed.xml", tag.name))
    return pages


def render_search(renderer: Renderer, site: Site) -> Page:
    """The search page lists the filter values itself, so a first search loads no filter data."""
    tags = tuple((site.vocabulary[slug].name, len(papers)) for slug, papers in site.tags.items())
    years: dict[int, int] = {}
    for key, days in site.months.items():
        years[int(key[:4])] = years.get(int(key[:4]), 0) + sum(len(day.papers) for day in days)
    months = tuple(
        (key, month_name(key), sum(len(day.papers) for day in days)) for key, days in site.months.items()
    )
    parts = search_part_names(site, renderer.config.search_index)
    return renderer.page(
        "search.html",
        "search/index.html",
        _latest(site),
        (tags, tuple(years.items()), months, parts, bool(site.papers)),
        filter_tags=sorted(tags),
        filter_years=sorted(years.items(), reverse=True),
        filter_months=months,
        search_parts=parts,
        searchable=bool(site.papers),
    )


def archive_url(year: int | None = None) -> str:
    return "archive/" if year is None else f"archive/{year}/"


def render_redirects(renderer: Renderer) -> list[Page]:
    """Made when the layouts have `redirect.html`: a site whose layouts predate it still builds."""
    if not renderer.has_template(REDIRECT_TEMPLATE):
        return []
    return [
        renderer.page(
            REDIRECT_TEMPLATE, folder + "index.html", None, folder, target=archive_url(), label=label
        )
        for folder, label in REDIRECTED_FOLDERS
    ]


def render_archive(renderer: Renderer, site: Site) -> list[Page]:
    """`archive/`: the latest year's days, then every older year with its months;
    `archive/YYYY/`: a year's days. No page grows with the site beyond a year's days and a
    line per month."""
    years: dict[int, list[tuple[str, str, list[Day], int]]] = {}
    for key, days in site.months.items():
        count = sum(len(day.papers) for day in days)
        years.setdefault(days[0].date.year, []).append((key, month_name(key), days, count))
    summary = [(year, months, sum(m[3] for m in months)) for year, months in years.items()]
    pages = [
        renderer.page(
            "archive.html",
            archive_url() + "index.html",
            _latest(site),
            (
                tuple((year, tuple((m[0], m[3], len(m[2])) for m in months)) for year, months, _ in summary),
                tuple(_day_key(day) for month in summary[0][1] for day in month[2]) if summary else (),
            ),
            years=summary,
            year=None,
            paper_count=len(site.papers),
        )
    ]
    for index, (year, months, count) in enumerate(summary):
        newer = summary[index - 1][0] if index > 0 else None
        older = summary[index + 1][0] if index + 1 < len(summary) else None
        pages.append(
            renderer.page(
                "archive.html",
                archive_url(year) + "index.html",
                months[0][2][0].date,
                (year, tuple(_day_key(day) for month in months for day in month[2]), newer, older),
                years=[(year, months, count)],
                year=year,
                newer=newer,
                older=older,
                paper_count=count,
            )
        )
    return pages


def render_feed(
    renderer: Renderer, papers: Sequence[Paper], views: dict[str, PaperView], path: str, tag_name: str | None
) -> Page:
    # The newest `feed_size` papers, and the whole latest day however large: a paper cut from
    # its day's feed never reaches a subscriber, since the next day's feed has moved past it.
    latest_day = (
        sum(1 for _ in itertools.takewhile(lambda paper: paper.day == papers[0].day, papers)) if papers else 0
    )
    newest = list(papers[: max(renderer.config.feed_size, latest_day)])
    updated = newest[0].day if newest else dt.date(1970, 1, 1)
    return renderer.page(
        "feed.xml",
        path,
        None,
        (tuple(newest), tag_name),
        entries=[views[p.slug] for p in newest],
        updated=updated,
        feed_path=path,
        html_path=path.removesuffix("feed.xml"),  # the page it follows: the home page, or its tag's
        tag_name=tag_name,
    )


SITEMAP_LIMIT = 50_000  # URLs per sitemap file, as the sitemaps protocol allows


def render_sitemaps(renderer: Renderer, pages: Sequence[Page], limit: int = SITEMAP_LIMIT) -> list[Page]:
    """`sitemap.xml`; past `limit` URLs, a sitemap index over `sitemap-N.xml` parts."""
    listed = tuple([(page.path, page.lastmod) for page in pages if page.in_sitemap])
    return renderer.group("sitemaps", (), (listed, limit), lambda: _sitemaps(renderer, listed, limit))


def _sitemaps(renderer: Renderer, listed: Sequence[tuple[str, dt.date | None]], limit: int) -> list[Page]:
    entries = sorted((_page_url(path), lastmod) for path, lastmod in listed)
    if len(entries) <= limit:
        return [renderer.page("sitemap.xml", "sitemap.xml", None, tuple(entries), entries=entries)]
    parts = [entries[i : i + limit] for i in range(0, len(entries), limit)]
    made = [
        renderer.page("sitemap.xml", f"sitemap-{n}.xml", None, tuple(part), entries=part)
        for n, part in enumerate(parts, start=1)
    ]
    index = [
        (f"sitemap-{n}.xml", max((day for _, day in part if day), default=None))
        for n, part in enumerate(parts, start=1)
    ]
    made.append(renderer.page("sitemap-index.xml", "sitemap.xml", None, tuple(index), sitemaps=index))
    return made


def _page_url(path: str) -> str:
    return path.removesuffix("index.html")


def page_count(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


__all__ = ["Page", "month_key", "render_site"]
