"""Build a site with related papers, week and month pages, the reading list page and the API.

A stand-in for the wiring in generator/render.py, so these features can be tested on
their own: the usual pages are rendered again with the extra template globals, and the
extra pages are added beside them.
"""

from __future__ import annotations

from pathlib import Path

from generator.api import render_api
from generator.config import load_config
from generator.content import read_site
from generator.model import Site
from generator.periods import month_url, period_links, render_periods
from generator.reading import render_saved
from generator.related import RelatedViews, cached_related_papers
from generator.render import Page, Renderer, render_with
from generator.summary import LAYOUTS_DIR
from generator.views import PaperView
from generator.write import copy_assets, write_pages


def install_globals(renderer: Renderer, site: Site, views: dict[str, PaperView]) -> None:
    """The template globals the new sections read."""
    renderer.env.globals.update(
        related=RelatedViews(cached_related_papers(site.papers), views),
        period_links=period_links,
        month_url=month_url,
    )


def extra_pages(renderer: Renderer, site: Site, views: dict[str, PaperView]) -> list[Page]:
    return [*render_periods(renderer, site, views), *render_api(renderer, site), render_saved(renderer)]


def render_all(root: Path, base_url: str | None = None) -> list[Page]:
    """Every page of the project at `root`, the new ones included."""
    config = load_config(root)
    if base_url:
        config = config.with_base_url(base_url)
    site = read_site(root).site
    renderer = Renderer(config, root / LAYOUTS_DIR)
    views = {paper.slug: PaperView(paper) for paper in site.papers}
    install_globals(renderer, site, views)
    pages = render_with(renderer, site)
    made = {page.path for page in pages}  # once render.py adds them itself, they are not added twice
    return pages + [page for page in extra_pages(renderer, site, views) if page.path not in made]


def build_all(root: Path, out: Path, base_url: str | None = None) -> Path:
    """Write every page and the assets to `out` (no search index); returns `out`."""
    write_pages(out, render_all(root, base_url))
    copy_assets(root / LAYOUTS_DIR, out)
    return out
