"""Accessibility: axe-core over every page kind, in light and dark, with no serious violations.

axe-core comes from the npm registry and is not vendored. The tests look for `axe.min.js` in
$AXE_CORE_JS, then in node_modules/axe-core/ and .cache/axe/node_modules/axe-core/ under the
repository; .ci/run installs it with

    npm install --no-save --prefix .cache/axe axe-core@4

Without it the tests skip, unless PAPERS_REQUIRE_BROWSER=1 (as in CI) makes that a failure.
The site's Content-Security-Policy forbids injected scripts, so the axe run uses a browser
context with `bypass_csp=True`; tests/browser/test_csp.py checks the policy itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from generator.build import build
from tests.browser.conftest import ServeDir, browser_unavailable
from tests.conftest import REPO, Project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

AXE_ENV = "AXE_CORE_JS"
AXE_CANDIDATES = (
    REPO / "node_modules" / "axe-core" / "axe.min.js",
    REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js",
)
PAGES = {
    "home": "",
    "day": "days/2025-03-17/",
    "paper": "papers/2503.11111/",
    "tag": "tags/llm/",
    "search": "search/?q=attention",
    "archive": "archive/",
    "archive year": "archive/2025/",
    "month": "months/2025-03/",
}
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    candidates = [Path(os.environ[AXE_ENV])] if os.environ.get(AXE_ENV) else list(AXE_CANDIDATES)
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    browser_unavailable(
        f"axe-core is missing (looked for {', '.join(str(p) for p in candidates)}); "
        "run `npm install --no-save --prefix .cache/axe axe-core@4`"
    )
    raise AssertionError("unreachable")


def fill(project: Project) -> Project:
    """Every page kind: math, several tags and authors, links, three days."""
    project.paper(
        "2025-03-17",
        "2503.11111",
        """
        arxiv: "2503.11111v2"
        authors: [Ada Lovelace, "Paul Erd\\u0151s"]
        tags: [llm, reinforcement-learning]
        links:
          code: https://github.com/example/code
          project: https://example.org/project
        upvotes: 12
        tldr: A short summary of sparse attention with $x^2$.
        keywords: [attention, sparsity]
        organization: Example Lab
        submitted_by: someone
        """,
        "We study sparse attention with $\\alpha$-divergences and the Fr\\'echet distance -- carefully.\n\n"
        "$$E = mc^2$$\n\nA second paragraph with a [link](https://example.org/) and `code`. " * 2,
        title="Sparse $\\alpha$-Attention for Fr\\'echet Diffusion",
    )
    project.paper("2025-03-17", "second-paper-of-the-day", "tags: [llm]\nupvotes: 3")
    project.paper(
        "2025-03-16",
        "an-older-paper",
        "tags: [diffusion]\nauthors: [Grace Hopper]",
        "A wide inline formula, $\\mathcal{L}(\\theta) = \\mathbb{E}_{x \\sim p_{\\mathrm{data}}}"
        "[\\log q_\\theta(x)] + \\lambda \\sum_{i=1}^{n} \\|\\theta_i\\|_2^2 + \\beta H(q_\\theta)$, "
        "in a paragraph. "
        * 3
        + "And a display formula written in a sentence, \\[ \\mathcal{L}(\\theta) = \\sum_{i=1}^{n} "
        "\\|\\theta_i - \\theta_{i-1}\\|_2^2 + \\lambda \\sum_{j=1}^{m} \\log(1 + e^{-y_j f(x_j)}) \\], too.",
    )
    project.paper("2024-12-31", "last-year-paper", "tags: [robotics, llm]")
    return project


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, with its search index so the search page shows results."""
    folder = tmp_path_factory.mktemp("a11y")
    project = fill(Project(folder / "site"))
    out = folder / "public"
    build(project.root, out=out)
    return out


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_source()


def settle(page: Page, kind: str) -> None:
    """Wait until the page is what a reader sees: the search page after its results came in."""
    page.wait_for_load_state("networkidle")
    if kind == "search":
        page.wait_for_selector(".search-results li", timeout=10_000)


def run_axe(page: Page, axe: str) -> list[dict[str, Any]]:
    page.evaluate(axe)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['impact']}: {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:6]:
            lines.append(f"    {json.dumps(node['target'])}: {node.get('failureSummary', '').strip()}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


@pytest.fixture
def make_page(browser: Browser) -> Iterator[Any]:
    contexts = []

    def make(scheme: str) -> Page:
        context = browser.new_context(bypass_csp=True, color_scheme=scheme)  # type: ignore[arg-type]
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_a_formula_wider_than_a_phone_scrolls_by_keyboard(
    browser: Browser, site: Path, serve_dir: ServeDir, axe: str
) -> None:
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(serve_dir(site) + "papers/an-older-paper/")
    page.wait_for_load_state("networkidle")
    # inline, and display written in a sentence (no box of its own to take the focus)
    for wide in (page.locator(".abstract math").first, page.locator(".abstract p math[display=block]").first):
        expect(wide).to_have_attribute("tabindex", "0")
        wide.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("m => m.scrollLeft > 0", arg=wide.element_handle())
    violations = [v for v in run_axe(page, axe) if v["impact"] in BLOCKING]
    context.close()
    assert violations == [], describe(violations)


def test_a_printed_paper_shows_where_its_links_go(browser: Browser, site: Path, serve_dir: ServeDir) -> None:
    """On paper a link cannot be followed: the code, the PDF, the project page print their address."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(serve_dir(site) + "papers/2503.11111/")
    expect(page.locator(".link-list .save-button")).to_be_visible()
    page.emulate_media(media="print")
    code = page.locator('.link-list a[href="https://github.com/example/code"]')
    expect(code).to_be_visible()
    printed = code.evaluate("a => getComputedStyle(a, '::after').content")
    expect(page.locator(".link-list .save-button")).to_be_hidden()  # a button is no use on paper
    context.close()
    assert "https://github.com/example/code" in printed


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", PAGES)
def test_no_serious_accessibility_violations(
    kind: str, scheme: str, site: Path, serve_dir: ServeDir, axe: str, make_page: Any
) -> None:
    page = make_page(scheme)
    page.goto(serve_dir(site) + PAGES[kind])
    settle(page, kind)
    violations = run_axe(page, axe)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if violations:
        print(f"\n{kind} ({scheme}):\n{describe(violations)}")
    assert blocking == [], f"{kind} page, {scheme} scheme:\n{describe(blocking)}"
