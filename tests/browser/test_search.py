"""Search in a real browser, under a GitHub Pages subpath, on the real content."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from generator.build import build
from generator.content import read_site
from generator.search import SearchPart, index_site, search_parts
from tests.browser.conftest import ServeDir
from tests.conftest import REPO, Project

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
SUBPATH = "/daily-papers/"


@pytest.fixture(scope="module")
def real_search_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "public"
    build(REPO, out=out, base_url="https://example.github.io/daily-papers/")
    return out


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"browser console errors: {errors}"


def search_from_header(page: Page, base: str, query: str) -> None:
    page.goto(base)
    page.fill("#site-search", query)
    page.press("#site-search", "Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.wait_for_selector(".search-result h2 a")


def result_titles(page: Page) -> list[str]:
    return page.locator(".search-result h2 a").all_inner_texts()


def test_header_search_finds_the_right_paper_first(
    page: Page, real_search_site: Path, serve_dir: ServeDir
) -> None:
    base = serve_dir(real_search_site, SUBPATH)
    search_from_header(page, base, "memory optimizations trillion parameter")
    assert result_titles(page)[0] == "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models"
    page.locator(".search-result h2 a").first.click()
    page.wait_for_url(re.compile(r"/daily-papers/papers/zero-memory-optimizations"))
    assert (
        page.locator("h1").inner_text()
        == "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models"
    )


def test_tag_filter_narrows_results_to_that_tag(
    page: Page, real_search_site: Path, serve_dir: ServeDir
) -> None:
    base = serve_dir(real_search_site, SUBPATH)
    search_from_header(page, base, "training")
    before = int(page.locator(".search-status").inner_text().split()[0])
    page.select_option('select[name="tag"]', "Distributed training")
    expect(page.locator(".search-status")).not_to_have_text(f"{before} papers")
    after = int(page.locator(".search-status").inner_text().split()[0])
    assert 0 < after < before
    assert "tag=Distributed+training" in page.url
    results = page.locator(".search-result")
    expect(results).to_have_count(min(10, after))
    while results.count() < after:
        shown = results.count()
        page.locator(".search-more").click()
        expect(results).not_to_have_count(shown)
    links = page.locator(".search-result h2 a")
    for href in [links.nth(i).get_attribute("href") or "" for i in range(links.count())]:
        html = (real_search_site / href.removeprefix(SUBPATH) / "index.html").read_text(encoding="utf-8")
        assert f'href="{SUBPATH}tags/distributed-training/"' in html


def test_search_page_without_query_shows_a_hint(
    page: Page, real_search_site: Path, serve_dir: ServeDir
) -> None:
    base = serve_dir(real_search_site, SUBPATH)
    page.goto(base + "search/")
    expect(page.locator(".search-status")).to_contain_text("Type to search")
    assert page.locator('select[name="tag"] option').count() > 10


@pytest.fixture(scope="module")
def accented_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project(tmp_path_factory.mktemp("accents") / "site")
    project.paper(
        "2025-03-17",
        "2503.22222",
        'arxiv: "2503.22222"\nauthors: ["Paul Erdős", \'Zo\\"e \\AA ngstr\\"om\']\ntags: [llm]',  # TeX's accents
        "We bound the Fr\\'echet distance of $\\alpha$-divergences for sparse hypergraphs. " * 3,
        title="Extremal Hypergraphs and Divergences",
    )
    project.paper("2025-03-17", "a-decoy-paper", "authors: [Someone Else]", "Nothing relevant here. " * 12)
    project.paper(
        "2025-03-17", "quadratic", "", "A matching in $O(n^2)$ time, for every graph. " * 4, title="Quadratic"
    )
    project.paper(  # what `O(n^2)` read as three words finds: `o`, `n` and `2`, again and again
        "2025-03-17",
        "a-second-decoy",
        "",
        "Version 2 of n tables, o 2 n, part 2 (n) of o. " * 6,
        title="Decoy",
    )
    project.paper(
        "2024-11-02",
        "an-earlier-result",
        'authors: ["Paul Erdős"]\ntags: [robotics]',
        "An earlier note on hypergraph colourings. " * 6,
        title="An Earlier Hypergraph Note",
    )
    out = project.root / "public"
    build(project.root, out=out, base_url="https://example.github.io/daily-papers/")
    return out


@pytest.mark.parametrize(
    "query",
    [
        "Erdős",
        "Ångström",
        "Fréchet",
        "divergences",
        "2503.22222",
        "arXiv:2503.22222",
        "2503.22222v2",
        "$\\alpha$-divergences",  # TeX pasted from an abstract is read as the page shows it
        "\\(\\alpha\\)-divergences",
        "Divergences's",  # a possessive asks for its word: `divergencess` was checked for
    ],
)
def test_accented_authors_tex_abstracts_and_arxiv_ids_are_found(
    page: Page, accented_site: Path, serve_dir: ServeDir, query: str
) -> None:
    base = serve_dir(accented_site, SUBPATH)
    search_from_header(page, base, query)
    assert result_titles(page)[0] == "Extremal Hypergraphs and Divergences"


@pytest.mark.parametrize("query", ["O(n^2)", "$O(n^2)$", "O(n²)"])
def test_a_formula_typed_in_tex_finds_it_as_the_index_writes_it(
    page: Page, accented_site: Path, serve_dir: ServeDir, query: str
) -> None:
    """`O(n^2)` is O(n²) to the index: read as the words `o`, `n` and `2`, it found every paper."""
    search_from_header(page, serve_dir(accented_site, SUBPATH), query)
    assert result_titles(page)[0] == "Quadratic", (page.url, result_titles(page))


def test_results_show_formulas_as_text(page: Page, accented_site: Path, serve_dir: ServeDir) -> None:
    """Search skips a formula's MathML and reads its plain text: it is found and shown."""
    base = serve_dir(accented_site, SUBPATH)
    search_from_header(page, base, "divergences")
    excerpt = page.locator(".search-result .paper-excerpt").first.inner_text()
    assert "α-divergences" in excerpt, excerpt


def test_author_and_year_filters(page: Page, accented_site: Path, serve_dir: ServeDir) -> None:
    base = serve_dir(accented_site, SUBPATH)
    page.goto(base + "search/")
    expect(page.locator(".search-status")).to_contain_text("Type to search")
    page.fill('input[name="author"]', "Paul Erdős")
    expect(page.locator(".search-result")).to_have_count(2)
    assert sorted(result_titles(page)) == [
        "An Earlier Hypergraph Note",
        "Extremal Hypergraphs and Divergences",
    ]
    page.select_option('select[name="year"]', "2024")
    expect(page.locator(".search-result")).to_have_count(1)
    expect(page.locator(".search-status")).to_have_text("1 paper")  # counted as a number: not "1 papers"
    assert result_titles(page) == ["An Earlier Hypergraph Note"]
    assert "year=2024" in page.url and "author=Paul" in page.url


def test_no_results_say_what_to_try(page: Page, accented_site: Path, serve_dir: ServeDir) -> None:
    base = serve_dir(accented_site, SUBPATH)
    page.goto(base + "search/?q=xyzzyqwerty")
    expect(page.locator(".search-status")).to_have_text("0 papers")
    expect(page.locator(".search-empty")).to_be_visible()
    expect(page.locator(".search-empty a")).to_have_attribute("href", f"{SUBPATH}archive/")
    page.fill("#search-query", "hypergraph")
    expect(page.locator(".search-result")).not_to_have_count(0)
    expect(page.locator(".search-empty")).to_be_hidden()


def _project_in(factory: pytest.TempPathFactory, name: str, language: str) -> Project:
    """A project whose site is in `language`."""
    project = Project(factory.mktemp(name) / "site")
    with (project.root / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write(f"language: {language}\n")
    return project


def _built(project: Project) -> Path:
    """The project's site with its search index, under the project subpath."""
    out = project.root / "public"
    build(project.root, out=out, base_url="https://example.github.io/daily-papers/")
    return out


@pytest.fixture(scope="module")
def lettered_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Words that start with the first letters of nonsense: Pagefind, finding no word that
    starts with a query word, matches the longest indexed word the query word starts with."""
    project = Project(tmp_path_factory.mktemp("lettered") / "site")
    project.paper(
        "2025-03-17",
        "2606.09380",
        'arxiv: "2606.09380"\nauthors: [Han Zhou, Adam X. Yang, Albert Q. Jiang]',
        "Trace tournaments give reasoning models a reward signal. " * 4,
        title="'Reasoning Arena: Trace Tournaments'",
    )
    project.paper(
        "2025-03-17",
        "modern-cpp",
        "authors: [Ahmet Üstün]",
        "Performance portable kernels written in modern C++ for exascale machines. " * 4,
        title="Closing the Performance Gap with Modern C++",
    )
    project.paper(
        "2025-03-17",
        "quadratic-matching",
        "organization: 香港科技大学\nauthors: [李明, Ustun Kaya]",
        "A matching in $O(n^2)$ time on every graph. " * 4,
        title="Quadratic Matching",
    )
    project.paper(
        "2025-03-17",
        "diffusion-sampling",
        "authors: [Someone Else]",
        "Diffusions on graphs, and the sampling of diffusion models. " * 4,
        title="Diffusion Sampling",
    )
    return _built(project)


@pytest.mark.parametrize("query", ["xyzzyqwerty", "qwerty", "café", "cafe", "tournamentzz"])
def test_a_word_no_paper_has_finds_nothing(
    page: Page, lettered_site: Path, serve_dir: ServeDir, query: str
) -> None:
    """Not papers whose words start as it does: "Adam X. Yang", "Albert Q. Jiang", C++."""
    page.goto(serve_dir(lettered_site, SUBPATH) + "search/?q=" + query)
    expect(page.locator(".search-status")).to_have_text("0 papers")
    expect(page.locator(".search-empty")).to_be_visible()
    expect(page.locator(".search-result")).to_have_count(0)
    expect(page.locator(".search-more")).to_be_hidden()


@pytest.fixture(scope="module")
def chinese_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site in Chinese: Pagefind splits its text into words of its own and stems nothing."""
    project = _project_in(tmp_path_factory, "chinese", "zh-cn")
    project.paper(
        "2025-03-17",
        "machine-learning",
        "authors: [李明]",
        "我们提出一种机器学习的新方法，用于图上的扩散模型。" * 4,
        title="机器学习的新方法",
    )
    project.paper(
        "2025-03-17", "other-paper", "authors: [王芳]", "关于量子计算的研究。" * 6, title="量子计算研究"
    )
    return _built(project)


@pytest.mark.parametrize("query", ["机器学习", "机器", "李明"])
def test_a_site_in_chinese_finds_what_pagefind_finds(
    page: Page, chinese_site: Path, serve_dir: ServeDir, query: str
) -> None:
    """Words as Pagefind splits Chinese are parts of a query's: checked as typed, none matched."""
    search_from_header(page, serve_dir(chinese_site, SUBPATH), query)
    assert result_titles(page)[0] == "机器学习的新方法"


@pytest.fixture(scope="module")
def english_site_with_chinese(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site in English holding a paper in Chinese and Japanese."""
    project = Project(tmp_path_factory.mktemp("mixed") / "site")
    project.paper(
        "2025-03-17",
        "cjk-paper",
        "authors: [张伟, 山田太郎]",
        "本文提出了一种新的注意力机制，用于大型语言模型的训练方法。日本語の文章も含まれています。使用GPT-4模型。"
        "We also test on English benchmarks. " * 2,
        title="量子纠缠注意力机制：一种新的大型语言模型训练方法",
    )
    project.paper("2025-03-17", "english-paper", "authors: [Ada Lovelace]", "English benchmarks only. " * 10)
    return _built(project)


@pytest.mark.parametrize(
    "query", ["注意力机制", "大型语言模型", "训练方法", "含まれています", "太郎", "量子纠缠", "GPT", "使用"]
)
def test_chinese_and_japanese_words_are_found_inside_their_runs(
    page: Page, english_site_with_chinese: Path, serve_dir: ServeDir, query: str
) -> None:
    """Pagefind splits these scripts into words only on pages in their languages: on this
    site a run of them was one word, found only from its start (`量子纠缠`, not `注意力机制`).
    What the result shows is the page's text, without the spaces the index put between."""
    search_from_header(page, serve_dir(english_site_with_chinese, SUBPATH), query)
    assert result_titles(page) == ["量子纠缠注意力机制：一种新的大型语言模型训练方法"]
    excerpt = page.locator(".search-result .paper-excerpt").first.inner_text()
    assert query in excerpt or query in ("太郎", "量子纠缠")  # an author's name, the title
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff] [\u3040-\u30ff\u4e00-\u9fff]", excerpt), excerpt


def test_an_english_word_is_found_on_a_page_with_chinese(
    page: Page, english_site_with_chinese: Path, serve_dir: ServeDir
) -> None:
    search_from_header(page, serve_dir(english_site_with_chinese, SUBPATH), "benchmarks")
    assert sorted(result_titles(page)) == [
        "English paper",
        "量子纠缠注意力机制：一种新的大型语言模型训练方法",
    ]


@pytest.fixture(scope="module")
def german_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site in German: Pagefind stems it as German (`Modellen` is `Modell`)."""
    project = _project_in(tmp_path_factory, "german", "de")
    project.paper(
        "2025-03-17",
        "ein-modell",
        "authors: [Anna Schmidt]",
        "Wir stellen ein Modell für Graphen vor, das schneller lernt. " * 4,
        title="Ein Modell für Graphen",
    )
    return _built(project)


def test_a_site_in_another_language_finds_what_its_stemmer_finds(
    page: Page, german_site: Path, serve_dir: ServeDir
) -> None:
    """The check as typed knows English stems: it dropped `Modellen`, which German stems as `Modell`."""
    search_from_header(page, serve_dir(german_site, SUBPATH), "Modellen")
    assert result_titles(page) == ["Ein Modell für Graphen"]


@pytest.fixture(scope="module")
def many_x_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Papers enough that a nonsense word's fallback letter reaches far more than a page."""
    project = Project(tmp_path_factory.mktemp("many-x") / "site")
    for number in range(150):
        project.paper(
            "2025-03-17",
            f"paper-{number}",
            f"authors: [Xavier Number{number}]",
            f"Paper {number} studies graph kernels. " * 8,
            title=f"Graph Kernels, Part {number}",
        )
    return _built(project)


def test_a_word_no_paper_has_is_given_up_without_loading_every_result(
    page: Page, many_x_site: Path, serve_dir: ServeDir
) -> None:
    """`graphzzzz` reaches all 150 papers through "graph": each result's data is a request."""
    fragments: list[str] = []
    page.on("request", lambda request: fragments.append(request.url) if "/fragment/" in request.url else None)
    page.goto(serve_dir(many_x_site, SUBPATH) + "search/?q=graphzzzz")
    expect(page.locator(".search-empty")).to_be_visible()
    expect(page.locator(".search-status")).to_have_text("0 papers")
    expect(page.locator(".search-more")).to_be_hidden()
    page.wait_for_load_state("networkidle")
    assert 0 < len(fragments) <= 100, len(fragments)
    page.goto(serve_dir(many_x_site, SUBPATH) + "search/?q=graph")
    expect(page.locator(".search-status")).to_have_text("150 papers")


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("tournaments", "Reasoning Arena: Trace Tournaments"),
        ("tournament", "Reasoning Arena: Trace Tournaments"),
        ("Adam Yang", "Reasoning Arena: Trace Tournaments"),
        ("2606.09380v2", "Reasoning Arena: Trace Tournaments"),
        ("arXiv:2606.09380", "Reasoning Arena: Trace Tournaments"),
        ("C++", "Closing the Performance Gap with Modern C++"),
        ("O(n^2)", "Quadratic Matching"),
        ("李明", "Quadratic Matching"),
        ("香港科技大学", "Quadratic Matching"),
        ("diffusion", "Diffusion Sampling"),
        ("diffusions", "Diffusion Sampling"),
    ],
)
def test_words_papers_have_still_find_them(
    page: Page, lettered_site: Path, serve_dir: ServeDir, query: str, title: str
) -> None:
    search_from_header(page, serve_dir(lettered_site, SUBPATH), query)
    assert result_titles(page)[0] == title
    count = page.locator(".search-result").count()
    expect(page.locator(".search-status")).to_have_text(f"{count} paper" + ("s" if count != 1 else ""))
    expect(page.locator(".search-empty")).to_be_hidden()


def test_an_author_spelled_with_or_without_accents_finds_both_spellings(
    page: Page, lettered_site: Path, serve_dir: ServeDir
) -> None:
    for query in ("Üstün", "Ustun"):
        search_from_header(page, serve_dir(lettered_site, SUBPATH), query)
        expect(page.locator(".search-status")).to_have_text("2 papers")
        assert sorted(result_titles(page)) == [
            "Closing the Performance Gap with Modern C++",
            "Quadratic Matching",
        ]


@pytest.mark.parametrize(
    ("query", "marked"),
    [("tournaments", "tournaments"), ("Arena", None), ("Adam Yang", None), ("2606.09380", None)],
)
def test_excerpts_show_the_abstract_not_the_title_authors_or_ids(
    page: Page, lettered_site: Path, serve_dir: ServeDir, query: str, marked: str | None
) -> None:
    """The title and authors, shown above the excerpt, and the hidden ids are indexed before
    the abstract: a match there made Pagefind's excerpt start with them."""
    search_from_header(page, serve_dir(lettered_site, SUBPATH), query)
    assert result_titles(page)[0] == "Reasoning Arena: Trace Tournaments"
    excerpt = page.locator(".search-result .paper-excerpt").first
    text = excerpt.inner_text()
    assert "Reasoning Arena" not in text and "Adam" not in text and "2606.09380" not in text, text
    marks = excerpt.locator("mark").all_inner_texts()
    if marked:  # around the matches in the abstract
        assert marks and set(marks) == {marked}, marks
    else:  # from the abstract's start
        assert text.startswith("Trace tournaments give reasoning models"), text
        assert marks == [], marks


def test_the_search_page_has_one_box_which_slash_focuses(
    page: Page, accented_site: Path, serve_dir: ServeDir
) -> None:
    base = serve_dir(accented_site, SUBPATH)
    page.goto(base + "search/?q=hypergraph")
    expect(page.locator(".search-result")).not_to_have_count(0)
    expect(page.locator("#site-search")).to_have_count(0)  # the header's would say the same again
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(page.locator("#search-query")).to_be_focused()
    labels = page.locator('select[name="month"] option').all_inner_texts()
    assert labels == ["Any month", "March 2025 (4)", "November 2024 (1)"], labels


def test_on_a_phone_the_filters_fold_away_unless_one_is_set(
    browser: Browser, accented_site: Path, serve_dir: ServeDir
) -> None:
    base = serve_dir(accented_site, SUBPATH)
    context = browser.new_context(viewport={"width": 360, "height": 640})
    phone = context.new_page()
    phone.goto(base + "search/?q=hypergraph")
    expect(phone.locator(".search-result")).not_to_have_count(0)
    expect(phone.locator('select[name="tag"]')).to_be_hidden()
    assert phone.locator(".search-result").first.bounding_box()["y"] < 640  # type: ignore[index]
    phone.goto(base + "search/?q=hypergraph&year=2024")
    expect(phone.locator('select[name="year"]')).to_be_visible()
    context.close()


def test_a_search_index_that_cannot_load_points_elsewhere(
    browser: Browser, accented_site: Path, serve_dir: ServeDir
) -> None:
    base = serve_dir(accented_site, SUBPATH)
    context = browser.new_context()  # the blocked files are console errors, and meant here
    page = context.new_page()
    page.route("**/pagefind/**", lambda route: route.abort())
    page.goto(base + "search/?q=hypergraph")
    status = page.locator(".search-status")
    expect(status).to_contain_text("could not be loaded")
    expect(status.get_by_role("link", name="archive")).to_have_attribute("href", f"{SUBPATH}archive/")
    expect(status.get_by_role("link", name="tags")).to_have_attribute("href", f"{SUBPATH}tags/")
    expect(page.locator("#search-query")).to_be_disabled()
    context.close()


@pytest.mark.parametrize("typed", ["erdos", "ERDŐS", "paul erdos", "Erdős Paul"])
def test_the_author_filter_ignores_case_accents_and_order(
    page: Page, accented_site: Path, serve_dir: ServeDir, typed: str
) -> None:
    base = serve_dir(accented_site, SUBPATH)
    page.goto(base + "search/")
    page.fill('input[name="author"]', typed)
    expect(page.locator(".search-result")).to_have_count(2)
    page.fill('input[name="author"]', "erdos zoe")  # both words in one name: only her paper
    expect(page.locator(".search-status")).to_have_text("0 papers")


def test_more_results_stay_when_the_typed_field_loses_focus(
    page: Page, real_search_site: Path, serve_dir: ServeDir
) -> None:
    """Leaving a field that was typed in fires `change` after `input` searched already."""
    base = serve_dir(real_search_site, SUBPATH)
    page.goto(base + "search/")
    page.locator("#search-query").press_sequentially("model")
    results = page.locator(".search-result")
    expect(results).to_have_count(10)
    page.locator(".search-more").click()  # the field loses focus to the button
    expect(results).to_have_count(20)
    page.wait_for_timeout(400)  # past the 150 ms a second search would wait
    expect(results).to_have_count(20)


def test_more_results_moves_focus_to_the_first_new_result(
    page: Page, real_search_site: Path, serve_dir: ServeDir
) -> None:
    """The next batch appears above the button; Tab must go on through it, and must not be
    lost when the last batch hides the button."""
    base = serve_dir(real_search_site, SUBPATH)
    page.goto(base + "search/?q=model")
    results = page.locator(".search-result")
    expect(results).to_have_count(10)
    page.locator(".search-more").focus()
    page.keyboard.press("Enter")
    expect(results).to_have_count(20)
    expect(results.nth(10).locator("h2 a")).to_be_focused()
    day = results.nth(10).locator("time")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", day.inner_text()), day.inner_text()  # as pages write it


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Search split into parts (the latest month, then each earlier year), as large sites are."""
    project = Project(tmp_path_factory.mktemp("split") / "site")
    with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_index: split\n")
    days = ["2023-05-04", "2024-02-10", "2024-11-30", "2025-02-27", "2025-03-02", "2025-03-17"]
    for number, day in enumerate(days):
        project.paper(
            day, f"glacier-{number}", "tags: [robotics]", f"Glacier melt model number {number}. " * 8
        )
        project.paper(day, f"other-{number}", "tags: [llm]", "Nothing about ice at all here. " * 8)
    out = project.root / "public"
    build(project.root, out=out, base_url="https://example.github.io/daily-papers/")
    assert sorted(p.name for p in (out / "pagefind").iterdir() if p.is_dir()) == [
        "2023",
        "2024",
        "2025",
        "2025-03",
    ]
    return out


def sorted_search(page: Page, base: str, order: str, count: int) -> list[str]:
    """Search "glacier" newest or oldest first; the days of the `count` results, in order."""
    page.goto(f"{base}search/?q=glacier&sort={order}")
    expect(page.locator(".search-result")).to_have_count(count)
    days = result_days(page)
    assert days == sorted(days, reverse=order == "newest")
    return days


def result_days(page: Page) -> list[str]:
    days: list[str] = page.locator(".search-result time").evaluate_all("nodes => nodes.map(n => n.dateTime)")
    return days


def test_split_search_finds_papers_of_every_part(page: Page, split_site: Path, serve_dir: ServeDir) -> None:
    base = serve_dir(split_site, SUBPATH)
    search_from_header(page, base, "glacier")
    expect(page.locator(".search-result")).to_have_count(6)
    assert sorted(result_titles(page)) == [f"Glacier {n}" for n in range(6)]
    page.locator(".search-result h2 a", has_text="Glacier 0").click()
    page.wait_for_url(base + "papers/glacier-0/")
    assert page.locator("h1").inner_text() == "Glacier 0"


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_split_search_sorts_by_date_across_parts(
    page: Page, split_site: Path, serve_dir: ServeDir, order: str
) -> None:
    days = sorted_search(page, serve_dir(split_site, SUBPATH), order, 6)
    assert len(set(days)) == 6


def test_split_search_filters_by_year(page: Page, split_site: Path, serve_dir: ServeDir) -> None:
    base = serve_dir(split_site, SUBPATH)
    page.goto(f"{base}search/?q=glacier&year=2025")
    expect(page.locator(".search-result")).to_have_count(3)
    assert all(day.startswith("2025-") for day in result_days(page))


@pytest.fixture(scope="module")
def overlaid_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A split index as the dev server leaves it after saves that corrected, removed and
    added papers: the parts as they were first indexed, the changes in the overlay."""
    project = Project(tmp_path_factory.mktemp("overlaid") / "site")
    with (project.root / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("search_index: split\n")
    days = ["2023-05-04", "2024-02-10", "2024-06-15", "2024-11-30", "2025-02-27", "2025-03-02", "2025-03-17"]
    files = {
        day: project.paper(day, f"glacier-{number}", "", f"Glacier melt model number {number}. " * 8)
        for number, day in enumerate(days)
    }
    out, kept = project.root / "public", project.root / "kept-index"

    def built() -> list[SearchPart]:
        build(project.root, out=out, base_url="https://example.github.io/daily-papers/", search=False)
        return search_parts(read_site(project.root).site, "split")

    first = index_site(out, built())
    shutil.copytree(out / "pagefind", kept)
    corrected = files["2024-06-15"]
    text = corrected.read_text(encoding="utf-8")
    corrected.write_text(text.replace("Glacier melt", "Glacier permafrost"), encoding="utf-8")
    files["2023-05-04"].unlink()
    project.paper("2025-03-17", "glacier-new", "", "Glacier melt model, the newest. " * 8)
    project.paper("2024-08-01", "glacier-backfilled", "", "Glacier melt model, filed late. " * 8)
    parts = built()
    everything = [url for part in parts for url in part.urls]
    index_site(out, parts, previous=(kept, first), changed=everything, overlay=True)
    assert (out / "pagefind/overlay/pagefind-entry.json").is_file()
    return out


def test_the_overlay_replaces_what_its_parts_hold(
    page: Page, overlaid_site: Path, serve_dir: ServeDir
) -> None:
    base = serve_dir(overlaid_site, SUBPATH)
    page.goto(f"{base}search/?q=permafrost")
    expect(page.locator(".search-result")).to_have_count(1)
    assert result_titles(page) == ["Glacier 2"]
    page.goto(f"{base}search/?q=melt")  # the corrected paper's old words, the removed paper's
    expect(page.locator(".search-status")).to_have_text("7 papers")
    expect(page.locator(".search-result")).to_have_count(7)
    titles = result_titles(page)
    assert "Glacier 2" not in titles and "Glacier 0" not in titles
    assert {"Glacier new", "Glacier backfilled"} <= set(titles)


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_the_overlay_s_papers_are_sorted_among_their_parts(
    page: Page, overlaid_site: Path, serve_dir: ServeDir, order: str
) -> None:
    days = sorted_search(page, serve_dir(overlaid_site, SUBPATH), order, 8)
    assert "2023-05-04" not in days and {"2024-06-15", "2024-08-01"} <= set(days)
