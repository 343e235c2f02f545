"""Helpers that inspect a built site: its files, links and HTML."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.write import LOCK_SUFFIX


class LinkCollector(HTMLParser):
    """Every href/src on a page, with the tags that carry them."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        for name in ("href", "src"):
            value = attributes.get(name)
            if value is not None:
                self.links.append((tag, name, value))


def parse_page(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def resolve(site: Path, base_url: str, page: Path, link: str) -> Path | None:
    """The file an internal link points to, or None for external links."""
    base = urlsplit(base_url)
    parts = urlsplit(link)
    if parts.scheme in ("http", "https"):
        if parts.netloc != base.netloc:
            return None
        path = parts.path
    elif parts.scheme or link.startswith("//"):
        return None
    elif link.startswith("/"):
        path = parts.path
    else:
        relative = (page.parent / unquote(parts.path)).resolve()
        path = "/" + relative.relative_to(site.resolve()).as_posix() if parts.path else ""
        if not parts.path:
            return page
        if relative.is_dir():
            return relative / "index.html"
        return relative
    assert path.startswith(base.path), f"{page}: {link} is outside the site path {base.path}"
    inside = unquote(path[len(base.path) :])
    target = site / inside
    if inside == "" or inside.endswith("/"):
        target = target / "index.html"
    return target


def tree_bytes(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def beside(folder: Path) -> list[str]:
    """The names in `folder`, but the lock a build keeps beside its output (`.public.lock`)."""
    return sorted(path.name for path in folder.iterdir() if not path.name.endswith(LOCK_SUFFIX))
