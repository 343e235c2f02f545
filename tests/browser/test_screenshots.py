"""Every page kind at phone and laptop widths, light and dark: no sideways scroll, no errors.

The screenshots land in pytest's tmp_path, and also in $PAPERS_SCREENSHOTS when it names a
folder, so a person can look at them after a design change.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from generator.build import build

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

    from tests.browser.conftest import ServeDir
    from tests.conftest import Project

pytestmark = pytest.mark.browser

PAGES = {
    "home": "",
    "day": "days/2025-03-17/",
    "paper": "papers/2503.11111/",
    "stress": "papers/stress-test-paper/",
}
HEIGHTS = {390: 844, 1280: 800}
SCHEMES = ("light", "dark")

# Words, formulas and author lists longer than any column: they must wrap or scroll in place.
LONG_WORD = "Supercalifragilistic" * 6
LONG_SUM = " + ".join(f"x_{{{i}}}^{{2}}" for i in range(40))
STRESS_PAPER = f"""
---
title: "{LONG_WORD}: a title with $\\\\sum_{{i=1}}^{{n}} x_i$ in it"
authors: [{", ".join(f"Author Number{i} Surname" for i in range(14))}]
tags: [llm, diffusion, reinforcement-learning, robotics]
upvotes: 1234
---

A link https://example.org/{"a-very-long-path-segment-" * 8}end and a word {LONG_WORD}.

Inline math that is far too wide for a phone: ${LONG_SUM}$.

$$
{LONG_SUM}
$$
"""


@pytest.fixture
def site_url(sample_project: Project, tmp_path: Path, serve_dir: ServeDir) -> str:
    """The sample project plus one paper made of long words, built and served."""
    sample_project.write("content/2025/2025-03-17/stress-test-paper.md", STRESS_PAPER)
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    return serve_dir(out)


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture(params=[390, 1280], ids=lambda width: f"{width}px")
def width(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture(params=SCHEMES)
def scheme(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, width: int, scheme: str, console_errors: list[str]) -> Iterator[Page]:
    """A fresh page of the given size and colour scheme that records console errors."""
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHTS[width]},
        color_scheme=scheme,  # type: ignore[arg-type]
        device_scale_factor=1,
    )
    page = context.new_page()
    page.on("console", lambda message: record_error(console_errors, message))
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    try:
        yield page
    finally:
        context.close()


def record_error(errors: list[str], message: ConsoleMessage) -> None:
    """CSP violations and failed loads show up as console errors too."""
    if message.type == "error":
        errors.append(f"{message.text} ({message.location.get('url', '')})")


def save_screenshot(page: Page, folder: Path, name: str) -> Path:
    """A full-page PNG in `folder`, copied to $PAPERS_SCREENSHOTS when that is set."""
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    extra = os.environ.get("PAPERS_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    return path


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("kind", list(PAGES))
def test_page_fits_and_has_no_errors(
    page: Page,
    site_url: str,
    kind: str,
    width: int,
    scheme: str,
    console_errors: list[str],
    tmp_path: Path,
) -> None:
    response = page.goto(site_url + PAGES[kind], wait_until="load")
    assert response is not None and response.ok, f"{kind} page did not load"
    save_screenshot(page, tmp_path, f"{kind}-{width}-{scheme}")
    assert horizontal_overflow(page) <= 0, f"{kind} page scrolls sideways at {width}px"
    assert console_errors == []


@pytest.mark.parametrize("width", [390], indirect=True)
@pytest.mark.parametrize("scheme", ["light"], indirect=True)
def test_keyboard_skip_link_and_slash_shortcut(page: Page, site_url: str, console_errors: list[str]) -> None:
    """The skip link shows when tabbed to; "/" jumps to the search box but types in fields."""
    page.goto(site_url + PAGES["day"], wait_until="load")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("link => link === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the focused skip link is off screen"
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("/")
    search = page.locator("#site-search")
    assert search.evaluate("input => input === document.activeElement")
    assert search.input_value() == "", "the slash that moved focus was typed into the box"
    page.keyboard.type("a/b")
    assert search.input_value() == "a/b"
    assert console_errors == []


ARABIC_PAPER = """---
title: نماذج اللغة الكبيرة والاستدلال الرياضي
authors: [سارة أحمد, Ada Lovelace]
---

تدرس هذه الورقة قدرة نماذج اللغة الكبيرة على الاستدلال الرياضي، وتقترح معيارًا جديدًا لقياسها.
نقيس الأداء على ألف مسألة ونناقش النتائج بالتفصيل مع أمثلة من كل فئة من فئات المسائل.
"""


def test_right_to_left_text_reads_right_to_left_in_a_left_to_right_page(
    browser: Browser, sample_project: Project, tmp_path: Path, serve_dir: ServeDir
) -> None:
    """An Arabic title, authors and abstract set right to left (`dir="auto"`), the page around them not."""
    sample_project.write("content/2025/2025-03-17/arabic-paper.md", ARABIC_PAPER)
    build(sample_project.root, out=tmp_path / "public", search=False)
    page = browser.new_page()
    try:
        page.goto(serve_dir(tmp_path / "public") + "papers/arabic-paper/")
        direction = "element => getComputedStyle(element).direction"
        for selector in ("h1", ".paper-authors", ".abstract p"):
            assert page.locator(selector).first.evaluate(direction) == "rtl", selector
        assert page.locator(".abstract h2").evaluate(direction) == "ltr"
        assert page.locator(".site-header").evaluate(direction) == "ltr"
        page.goto(serve_dir(tmp_path / "public") + "days/2025-03-17/")
        card = page.locator('[data-paper="arabic-paper"]')
        assert card.locator(".paper-card-title").evaluate(direction) == "rtl"
        assert card.locator(".paper-excerpt").evaluate(direction) == "rtl"
        assert page.locator('[data-paper="2503.11111"] .paper-card-title').evaluate(direction) == "ltr"
    finally:
        page.close()
