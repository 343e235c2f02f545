"""The reading list page: a shell that `saved.js` fills from the reader's browser storage."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # render.py imports this module
    from generator.render import Page, Renderer

SAVED_PATH = "saved/index.html"


def render_saved(renderer: Renderer) -> Page:
    """`saved/`: the same for every reader and every build, so it stays out of the sitemap."""
    return renderer.page("saved.html", SAVED_PATH)
