"""The Content-Security-Policy holds in a real browser, and external links do not leak.

Every page of a site built with its search index is loaded under a GitHub Pages subpath,
with the policy enforced (no `bypass_csp`), including the search page with a query and a
missing page. A listener added by an init script (which runs even under the policy) records
every `securitypolicyviolation` event; console errors and warnings are recorded too. None
may occur. Separately, every link to another host carries rel="noopener noreferrer".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import html5lib
import pytest

from generator.build import build
from tests.browser.conftest import ServeDir
from tests.browser.test_accessibility import fill
from tests.conftest import Project
from tests.sitecheck import html_pages

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page

BASE_URL = "https://example.github.io/daily-papers/"
SUBPATH = "/daily-papers/"
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} (${event.sample})`);
});
"""
HTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("csp")
    project = fill(Project(folder / "site"))
    out = folder / "public"
    build(project.root, out=out, base_url=BASE_URL)
    return out


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()  # the policy is enforced: no bypass_csp here
    context.add_init_script(LISTEN)
    page = context.new_page()
    yield page
    context.close()


def page_paths(site: Path) -> list[str]:
    paths = [p.relative_to(site).as_posix().removesuffix("index.html") for p in html_pages(site)]
    return [*sorted(paths), "search/?q=attention", "search/?q=sparse&tag=llm", "no/such/page/"]


def moves_on(site: Path, path: str) -> bool:
    """A redirect page (`papers/`): its refresh moves on as soon as it has loaded."""
    page = site / path / "index.html"
    return "?" not in path and page.is_file() and 'http-equiv="refresh"' in page.read_text(encoding="utf-8")


@pytest.mark.browser
def test_no_page_violates_the_content_security_policy(page: Page, site: Path, serve_dir: ServeDir) -> None:
    base = serve_dir(site, SUBPATH)
    messages: list[tuple[str, str]] = []  # (message, the URL it is about)
    page.on(
        "console",
        lambda m: (
            messages.append((f"{m.type}: {m.text}", m.location.get("url", "")))
            if m.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: messages.append((f"uncaught: {error}", "")))
    found: dict[str, list[str]] = {}
    paths = page_paths(site)
    for path in paths:
        messages.clear()
        response = page.goto(base + path, wait_until="load")
        assert response is not None
        # The missing page is expected to be reported missing, nothing else is.
        messages_about_page = base + path if response.status == 404 else ""
        if path.startswith("search/?"):
            page.wait_for_selector(".search-results li", timeout=10_000)
        if moves_on(site, path):  # evaluated before it has, the page may be gone; what it
            page.wait_for_url(re.compile(f"^(?!{re.escape(base + path)}$)"))  # reported went
            page.wait_for_load_state()  # to the console
        page.wait_for_timeout(100)  # violations are reported asynchronously
        violations = page.evaluate("window.__violations")
        errors = [text for text, url in messages if not (messages_about_page and url == messages_about_page)]
        if violations or errors:
            found[path or "(home)"] = [*violations, *errors]
    report = "\n".join(f"{path}:\n  " + "\n  ".join(items) for path, items in found.items())
    assert found == {}, f"{len(found)} of {len(paths)} pages:\n{report}"


@pytest.mark.browser
def test_the_listener_sees_a_violation(page: Page, site: Path, serve_dir: ServeDir) -> None:
    """The check above can fail: an injected inline script is reported."""
    page.goto(serve_dir(site, SUBPATH))
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any("script-src" in v for v in page.evaluate("window.__violations"))


def external_links_without_rel(site: Path, base_url: str) -> list[str]:
    """Each offending link once, with the number of pages that have it."""
    own = urlsplit(base_url).netloc
    missing: dict[str, list[str]] = {}
    for path in html_pages(site):
        document = html5lib.parse(path.read_bytes(), treebuilder="etree", namespaceHTMLElements=True)
        for anchor in document.iter(f"{HTML}a"):
            href = anchor.attrib.get("href", "")
            parts = urlsplit(href)
            if parts.scheme not in ("http", "https") or parts.netloc == own:
                continue
            rel = set(anchor.attrib.get("rel", "").split())
            if not {"noopener", "noreferrer"} <= rel:
                text = "".join(anchor.itertext()).strip()
                link = f"<a href={href!r} rel={anchor.attrib.get('rel')!r}>{text}</a>"
                missing.setdefault(link, []).append(path.relative_to(site).as_posix())
    return [f"{link} on {len(pages)} page(s), e.g. {pages[0]}" for link, pages in sorted(missing.items())]


def test_every_external_link_has_noopener_noreferrer(site: Path, real_site: Path) -> None:
    missing = external_links_without_rel(site, BASE_URL) + external_links_without_rel(real_site, BASE_URL)
    assert missing == [], "\n".join(missing[:30])


@pytest.mark.browser
def test_hostile_papers_run_nothing_in_a_browser(
    browser: Browser, tmp_path: Path, serve_dir: ServeDir
) -> None:
    """The rendered cases of tests/hostile/ in one site: no dialog, no blocked script, no error."""
    from tests.test_hostile import CASES, DAY

    project = Project(tmp_path / "site")
    cases = [case for case in CASES if case.expect == "rendered" and case.path.suffix == ".md"]
    for case in cases:
        project.write(f"content/{DAY[:4]}/{DAY}/{case.path.stem}.md", case.path.read_bytes())
    out = tmp_path / "public"
    build(project.root, out=out, base_url=BASE_URL, search=False)
    context = browser.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    events: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        events.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.on(
        "console", lambda m: events.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: events.append(f"uncaught: {error}"))
    base = serve_dir(out, SUBPATH)
    found = {}
    try:
        for path in [f"papers/{case.path.stem}/" for case in cases] + [f"days/{DAY}/", ""]:
            events.clear()
            page.goto(base + path, wait_until="load")  # deferred scripts have run by then
            page.wait_for_timeout(50)
            problems = [*page.evaluate("window.__violations"), *events]
            if problems:
                found[path] = problems
    finally:
        context.close()
    assert len(cases) >= 20
    assert found == {}, found
