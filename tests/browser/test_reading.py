"""Reading flow in a real browser, under a subpath: keyboard shortcuts, the reading list, copy
buttons, and that none of it moves the page or exists without JavaScript."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from generator.model import Paper
from generator.views import PaperView
from tests.browser.conftest import ServeDir
from tests.conftest import Project
from tests.wiring import build_all

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Dialog, Page

pytestmark = pytest.mark.browser
SUBPATH = "/daily-papers/"
SHARDED = "Sharded optimizer states for trillion parameter training"
OFFLOAD = "Offloading optimizer states for trillion parameter training"


@pytest.fixture(scope="module")
def reading_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project(tmp_path_factory.mktemp("reading") / "site")
    project.paper(
        "2025-03-17",
        "2503.10001",
        'arxiv: "2503.10001"\nauthors: [Ada Lovelace, Grace Hopper]\ntags: [llm]\nupvotes: 30',
        "We shard optimizer states across data parallel workers to train trillion parameter models.",
        title=SHARDED,
    )
    project.paper(
        "2025-03-17",
        "2503.10002",
        'arxiv: "2503.10002"\nauthors: [Alan Turing]\nupvotes: 10',
        "Offloading optimizer states to NVMe lets data parallel training reach trillion parameters.",
        title=OFFLOAD,
    )
    project.paper("2025-03-17", "a-poem-about-roses", "", "Roses bloom in spring gardens.", title="On roses")
    project.paper(
        "2025-03-16", "2503.10003", 'arxiv: "2503.10003"', "Gardens of graphs. " * 5, title="Graph gardens"
    )
    return build_all(project.root, project.root / "public", f"https://example.github.io{SUBPATH}")


@pytest.fixture
def base(reading_site: Path, serve_dir: ServeDir) -> str:
    return serve_dir(reading_site, SUBPATH)


def watch(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    page = context.new_page()
    errors = watch(page)
    yield page
    assert errors == [], f"browser console errors: {errors}"


def focused_href(page: Page) -> str:
    return str(page.evaluate("document.activeElement.getAttribute('href')"))


# ---------------------------------------------------------------- keyboard


def test_j_and_k_move_between_papers(page: Page, base: str) -> None:
    page.goto(base + "days/2025-03-17/")
    page.keyboard.press("j")
    assert focused_href(page) == f"{SUBPATH}papers/2503.10001/"
    page.keyboard.press("j")
    assert focused_href(page) == f"{SUBPATH}papers/2503.10002/"
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last one
    assert focused_href(page) == f"{SUBPATH}papers/a-poem-about-roses/"
    page.keyboard.press("k")
    assert focused_href(page) == f"{SUBPATH}papers/2503.10002/"


def test_n_and_p_follow_the_next_and_previous_links(page: Page, base: str) -> None:
    page.goto(base + "days/2025-03-17/")
    page.keyboard.press("p")
    page.wait_for_url(re.compile(r"/daily-papers/days/2025-03-16/$"))
    page.keyboard.press("n")
    page.wait_for_url(re.compile(r"/daily-papers/days/2025-03-17/$"))
    page.goto(base + "papers/2503.10001/")
    page.keyboard.press("n")
    page.wait_for_url(re.compile(r"/daily-papers/papers/2503.10002/$"))
    page.keyboard.press("p")
    page.wait_for_url(re.compile(r"/daily-papers/papers/2503.10001/$"))


def test_keys_are_ignored_while_typing_and_with_modifiers(page: Page, base: str) -> None:
    page.goto(base + "days/2025-03-17/")
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("jnp?")
    expect(page.locator("#site-search")).to_have_value("jnp?")
    page.locator("#site-search").blur()
    page.keyboard.press("Alt+p")
    page.keyboard.press("Control+j")
    page.wait_for_timeout(200)
    assert page.url == base + "days/2025-03-17/"
    assert page.locator("dialog").count() == 0


def test_question_mark_toggles_the_shortcut_help(page: Page, base: str) -> None:
    page.goto(base + "papers/2503.10001/")
    page.keyboard.press("?")
    dialog = page.locator("dialog.help-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Keyboard shortcuts")
    expect(dialog.locator("kbd")).to_have_text(["j", "k", "n", "p", "s", "/", "?"])
    expect(dialog.get_by_role("link", name="Your reading list")).to_have_attribute("href", f"{SUBPATH}saved/")
    page.keyboard.press("j")  # nothing behind the dialog moves
    page.keyboard.press("?")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("?")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert page.url == base + "papers/2503.10001/"
    page.goto(base + "days/2025-03-17/")
    page.keyboard.press("?")
    page.get_by_role("link", name="Your reading list").click()
    page.wait_for_url(re.compile(r"/daily-papers/saved/$"))


def test_single_key_shortcuts_can_be_turned_off_and_on_again(page: Page, base: str) -> None:
    page.goto(base + "papers/2503.10001/")
    page.get_by_role("button", name="Keyboard shortcuts").click()  # in the footer
    dialog = page.locator("dialog.help-dialog")
    expect(dialog).to_be_visible()
    toggle = dialog.get_by_role("checkbox", name="Use these single-key shortcuts")
    expect(toggle).to_be_checked()
    toggle.uncheck()
    page.keyboard.press("Escape")
    page.reload()  # the choice is kept
    for key in ("n", "s", "?", "/"):
        page.keyboard.press(key)
    page.wait_for_timeout(200)
    assert page.url == base + "papers/2503.10001/"
    expect(page.locator("dialog.help-dialog")).to_have_count(0)
    expect(page.locator("#site-search")).not_to_be_focused()
    expect(save_button(page, "2503.10001")).to_have_attribute("aria-pressed", "false")
    page.get_by_role("button", name="Keyboard shortcuts").click()
    expect(toggle).not_to_be_checked()
    toggle.check()
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    page.wait_for_url(re.compile(r"/daily-papers/papers/2503.10002/$"))


# ---------------------------------------------------------------- reading list


def save_button(page: Page, slug: str) -> Any:
    return page.locator(f'[data-paper="{slug}"] .save-button')


def test_saved_papers_survive_a_reload_and_are_exported(page: Page, base: str) -> None:
    page.goto(base + "papers/2503.10001/")
    button = save_button(page, "2503.10001")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    stored = page.evaluate(
        "() => JSON.parse(Object.entries(localStorage).find(([key]) => key.endsWith('/daily-papers/'))[1])"
    )
    assert [entry["bibtex"] for entry in stored] == [page.locator("#cite-bibtex").text_content()]
    page.reload()
    expect(save_button(page, "2503.10001")).to_have_attribute("aria-pressed", "true")

    page.goto(base + "days/2025-03-17/")
    expect(save_button(page, "2503.10001")).to_have_attribute("aria-pressed", "true")
    expect(save_button(page, "2503.10002")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("s")  # saves the focused card: the poem
    expect(save_button(page, "a-poem-about-roses")).to_have_attribute("aria-pressed", "true")

    page.goto(base + "saved/")
    titles = page.locator("#saved .paper-card-title a")
    expect(titles).to_have_text(["On roses", SHARDED])
    expect(titles.nth(1)).to_have_attribute(
        "href", re.compile(r"^http://127\.0\.0\.1:\d+/daily-papers/papers/2503\.10001/$")
    )
    expect(page.locator("#saved .paper-authors")).to_have_text(["Ada Lovelace, Grace Hopper"])

    with page.expect_download() as info:
        page.get_by_role("button", name="Download BibTeX (.bib)").click()
    download = info.value
    assert download.suggested_filename == "reading-list.bib"
    bib = Path(download.path()).read_text(encoding="utf-8")
    assert bib.index("@misc{a-poem-about-roses,") < bib.index("@misc{2503.10001,")
    assert "author = {Ada Lovelace and Grace Hopper}" in bib
    assert "eprint = {2503.10001}" in bib
    poem = bib[bib.index("@misc{a-poem-about-roses,") : bib.index("@misc{2503.10001,")]
    assert "year" not in poem  # saved from a list: no arXiv id, no year; where it is listed instead
    assert re.search(r"url = \{http://127\.0\.0\.1:\d+/daily-papers/papers/a-poem-about-roses/\}", poem), poem
    assert "note = {" in poem and ", 2025-03-17}" in poem

    with page.expect_download() as info:
        page.get_by_role("button", name="Download Markdown").click()
    markdown = Path(info.value.path()).read_text(encoding="utf-8")
    assert info.value.suggested_filename == "reading-list.md"
    assert re.search(
        rf"^- \[{SHARDED}\]\(http://127\.0\.0\.1:\d+/daily-papers/papers/2503\.10001/\) — Ada Lovelace, "
        r"Grace Hopper \(17 March 2025\) · \[arXiv:2503\.10001\]\(https://arxiv\.org/abs/2503\.10001\)$",
        markdown,
        re.MULTILINE,
    ), markdown

    remove = page.locator('#saved li:has-text("On roses")').get_by_role("button", name="Remove")
    expect(remove).to_have_accessible_description("On roses")  # which paper it removes
    remove.click()
    expect(titles).to_have_text([SHARDED])
    expect(page.locator("#saved").get_by_role("button", name="Remove")).to_be_focused()  # not lost to <body>
    page.reload()
    expect(page.locator("#saved .paper-card-title a")).to_have_text([SHARDED])
    page.locator("#saved").get_by_role("button", name="Remove").click()
    expect(page.locator(".saved-count")).to_be_focused()


def test_clearing_the_list_keeps_the_focus_on_the_page(page: Page, base: str) -> None:
    """The button goes with the list: focus fell to <body>, the top of the document."""
    page.goto(base + "papers/2503.10001/")
    save_button(page, "2503.10001").click()
    page.goto(base + "saved/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Clear the list").click()
    expect(page.locator("#saved .paper-card-title a")).to_have_count(0)
    expect(page.locator(".saved-count")).to_be_focused()


def exported_bibtex(page: Page, base: str, entries: list[dict[str, object]]) -> str:
    """The reading list's BibTeX of `entries`, saved as lists save them (without a page's BibTeX)."""
    page.goto(base + "saved/")
    page.evaluate(
        "list => localStorage.setItem('daily-papers:saved:/daily-papers/', JSON.stringify(list))", entries
    )
    page.reload()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download BibTeX (.bib)").click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_exported_bibtex_balances_braces_as_the_build_does(page: Page, base: str) -> None:
    """An entry saved from a list gets its BibTeX here: unbalanced braces as the build writes them."""
    entry: dict[str, object] = {"slug": "s", "title": "Unbalanced {  brace", "url": base + "papers/s/"}
    entry |= {"authors": ["Jane \\{Doe", "Set {x}"], "arxiv": "", "day": "2025-03-17"}
    bib = exported_bibtex(page, base, [entry])
    assert "title = {{Unbalanced {\\textbraceleft} brace}}" in bib
    assert "author = {Jane {\\textbraceleft}Doe and Set {x}}" in bib


SPECIAL_TITLES = [
    "50% Faster R&D on C# and snake_case",
    r"A line break\\% then $x_1$, $$y_2$$, \(z_3\) and \[w_4\] of v_5",
    r"50\% of R\&D in \emph{snake\_case} by G\"odel",
    r"$\begin{pmatrix}a_1 & b\\c & d\end{pmatrix}$ & $R&D$ #1",
]


def test_exported_bibtex_escapes_tex_specials_as_the_build_does(page: Page, base: str) -> None:
    """The export escapes a title as the build does, be it the title as written or, where its TeX
    differs from its text, the page's BibTeX title, which it leaves as it is."""
    views = [
        PaperView(Paper(f"p{n}", dt.date(2025, 3, 17), title, "Body.", "c", ("Ada & Bob",)))
        for n, title in enumerate(SPECIAL_TITLES)
    ]
    common: dict[str, object] = {"url": base, "arxiv": "", "day": "2025-03-17"}
    as_text = [
        {"slug": f"t{n}", "title": v.paper.title, "authors": v.paper.authors} for n, v in enumerate(views)
    ]
    as_tex = [
        {
            "slug": f"x{n}",
            "title": "x",
            "bibTitle": v.bibtex_title,
            "authors": ["x"],
            "bibAuthors": v.bibtex_authors,
        }
        for n, v in enumerate(views)
    ]
    bib = exported_bibtex(page, base, [entry | common for entry in as_text + as_tex])
    assert "title = {{50\\% Faster R\\&D on C\\# and snake\\_case}}" in bib
    for view in views:
        assert bib.count(f"title = {{{{{view.bibtex_title}}}}}") == 2, view.bibtex_title
    assert bib.count("author = {Ada \\& Bob}") == 2 * len(views)


def test_an_entry_saved_from_a_list_cites_its_tex_title_and_every_author(page: Page, base: str) -> None:
    """Lists carry the first 50 names and the count; the title's TeX, as the paper's page cites it."""
    names = [f"Author {n}" for n in range(50)]
    entry: dict[str, object] = {"slug": "s", "title": "α-Flows", "bibTitle": "$\\alpha$-Flows", "url": base}
    entry |= {"authors": ["Paul Erdős", *names[1:]], "bibAuthors": ["Paul Erd\\H{o}s", *names[1:]]}
    entry |= {"authorCount": 400, "arxiv": "", "day": "2025-03-17"}
    bib = exported_bibtex(page, base, [entry])
    expect(page.locator("#saved .paper-authors")).to_have_text(
        ", ".join(["Paul Erdős", *names[1:8]]) + ", and 392 more"
    )
    assert "title = {{$\\alpha$-Flows}}" in bib
    assert "author = {Paul Erd\\H{o}s and Author 1 and " in bib and "Author 49 and others}" in bib


def test_the_reading_list_is_per_browser_and_starts_empty(page: Page, base: str) -> None:
    page.goto(base + "saved/")
    expect(page.locator(".saved-count")).to_contain_text("No saved papers yet")
    expect(page.locator(".saved-actions")).to_be_hidden()


def test_a_reading_list_another_page_wrote_is_read_as_papers_of_this_site(page: Page, base: str) -> None:
    """Any page of the origin may write the list (every project site of a GitHub Pages
    owner): its links go to this site's paper pages, wrong types are no error, and an entry
    that names no paper is left out."""
    page.goto(base + "saved/")
    tampered = [
        {"slug": "2503.10001", "title": "Click me", "url": "javascript:alert(1)", "authors": "Alice, Bob"},
        {"slug": "2503.10002", "title": "Elsewhere", "url": "https://evil.example/", "arxiv": {"a": 1}},
        {"slug": "2503.10003", "title": "Long id", "url": "/x", "arxiv": "9" * 105, "bibtex": 123},
        {"slug": "../../evil", "title": "No paper", "url": "/x"},
        {"title": "No slug"},
        None,
    ]
    page.evaluate(
        "([key, list]) => localStorage.setItem(key, JSON.stringify(list))",
        [f"daily-papers:saved:{SUBPATH}", tampered],
    )
    dialogs: list[str] = []

    def dismissed(dialog: Dialog) -> None:  # an alert() would show that something ran
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismissed)
    page.reload()
    expect(page.locator(".saved-count")).to_contain_text("3 saved papers")
    links = page.locator(".saved-list a[href]")
    expect(links).to_have_count(3)
    hrefs = links.evaluate_all("links => links.map(link => link.href)")
    origin = base.split(SUBPATH)[0]
    assert hrefs == [
        f"{origin}{SUBPATH}papers/{slug}/" for slug in ("2503.10001", "2503.10002", "2503.10003")
    ]
    assert page.evaluate("document.scrollingElement.scrollWidth <= innerWidth + 1")
    with page.expect_download() as bibtex:
        page.get_by_role("button", name="Download BibTeX (.bib)").click()
    assert "Click me" in Path(str(bibtex.value.path())).read_text(encoding="utf-8")
    assert dialogs == []


# ---------------------------------------------------------------- copy citation


def test_copy_buttons_put_each_citation_on_the_clipboard(page: Page, base: str) -> None:
    page.goto(base + "papers/2503.10001/")
    for block, expected in [
        ("cite-bibtex", page.locator("#cite-bibtex").text_content() or ""),
        ("cite-arxiv", f"Ada Lovelace and Grace Hopper. {SHARDED}. arXiv:2503.10001, 2025."),
        (
            "cite-text",
            f"Ada Lovelace and Grace Hopper (2025). {SHARDED}. arXiv:2503.10001. https://arxiv.org/abs/2503.10001",
        ),
    ]:
        button = page.locator(f'[data-copy="{block}"] button')
        button.click()
        expect(button).to_have_class(re.compile(r"\bis-copied\b"))
        expect(button).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == expected.strip()


def test_without_a_clipboard_the_citation_is_selected(browser: Browser, base: str) -> None:
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', { value: undefined })")
    page = context.new_page()
    errors = watch(page)
    page.goto(base + "papers/2503.10002/")
    button = page.locator('[data-copy="cite-text"] button')
    button.click()
    expect(button).to_have_class(re.compile(r"\bis-selected\b"))
    selected = page.evaluate("window.getSelection().toString()")
    assert selected.strip() == page.locator("#cite-text").text_content()
    context.close()
    assert errors == []


# ---------------------------------------------------------------- progressive enhancement


BOXES = """
selector => Array.from(document.querySelectorAll(selector), element => {
  const box = element.getBoundingClientRect();
  return [Math.round(box.x), Math.round(box.y + window.scrollY), Math.round(box.width), Math.round(box.height)];
})
"""
WATCHED = ".paper-card, .paper-meta, .paper-links, .cite-row, .citation, .related, .pager, .site-footer"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", ["days/2025-03-17/", "papers/2503.10001/", "weeks/2025-W12/"])
def test_the_enhancements_move_nothing_and_do_not_exist_without_javascript(
    browser: Browser, base: str, width: int, path: str
) -> None:
    boxes = {}
    for javascript in (False, True):
        context = browser.new_context(
            java_script_enabled=javascript, viewport={"width": width, "height": 800}
        )
        page = context.new_page()
        page.goto(base + path)
        if javascript:
            page.wait_for_selector(".save-button")
        else:
            assert page.locator("button").count() == 0
        boxes[javascript] = page.evaluate(BOXES, WATCHED)
        context.close()
    assert boxes[True] == boxes[False]


def test_the_header_search_box_shows_only_where_search_can_run(browser: Browser, base: str) -> None:
    """Without JavaScript it led to a page saying search needs JavaScript: now it is hidden,
    keeping its place (the test above checks nothing moves)."""
    for javascript in (False, True):
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        page.goto(base + "days/2025-03-17/")
        assert page.locator(".site-header .search-box").is_visible() == javascript
        context.close()


def test_each_paragraph_and_listed_title_takes_the_direction_of_its_own_text(page: Page, base: str) -> None:
    """The abstract's `dir=auto` took the first paragraph's direction for all of them (an
    English paragraph after an Arabic one read right to left), and search results and the
    reading list set their titles left to right whatever their script."""
    page.goto(base + "papers/2503.10001/")
    bidi = "selector => getComputedStyle(document.querySelector(selector)).unicodeBidi"
    assert page.evaluate(bidi, ".abstract p") == "plaintext"
    assert page.evaluate(bidi, ".paper-card-title, .paper-authors") == "plaintext"
