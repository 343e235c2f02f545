"""The reader's site: every page kind, links that resolve, valid HTML, feeds, atomic builds."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import html5lib
import pytest

from generator.build import build
from generator.cli import main
from generator.config import SiteConfig
from generator.errors import PapersError
from tests.conftest import Project
from tests.sitecheck import beside, html_pages, parse_page, resolve, tree_bytes

SUBPATH = "https://example.github.io/daily-papers/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(params=["https://example.org/", SUBPATH], ids=["root", "subpath"])
def built(request: pytest.FixtureRequest, sample_project: Project, tmp_path: Path) -> tuple[Path, str]:
    out = tmp_path / "public"
    build(sample_project.root, out=out, base_url=request.param, search=False)
    return out, request.param


def test_every_page_kind_is_written(built: tuple[Path, str]) -> None:
    out, _ = built
    for path in [
        "index.html",
        "days/2025-03-17/index.html",
        "days/2025-03-16/index.html",
        "papers/2503.11111/index.html",
        "papers/an-older-paper/index.html",
        "tags/index.html",
        "tags/llm/index.html",
        "tags/llm/feed.xml",
        "archive/index.html",
        "search/index.html",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "assets/style.css",
    ]:
        assert (out / path).is_file(), path


def test_every_internal_link_resolves(built: tuple[Path, str]) -> None:
    out, base_url = built
    checked = 0
    for page in html_pages(out):
        for tag, attribute, link in parse_page(page).links:
            if tag == "link" and "canonical" in link:
                continue
            target = resolve(out, base_url, page, link.split("?")[0].split("#")[0] or page.name)
            if target is not None:
                assert target.is_file(), f"{page.relative_to(out)}: <{tag} {attribute}={link}> is broken"
                checked += 1
    assert checked > 100


def test_canonical_and_feed_urls_use_the_base_url(built: tuple[Path, str]) -> None:
    out, base_url = built
    page = (out / "papers/2503.11111/index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base_url}papers/2503.11111/">' in page
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.find(f"{ATOM}id").text == f"{base_url}feed.xml"  # type: ignore[union-attr]


def test_every_page_names_its_icon(built: tuple[Path, str]) -> None:
    """Else a browser asks the host's `/favicon.ico`: outside the site under a subpath."""
    for page in html_pages(out := built[0]):
        assert '<link rel="icon" href=' in page.read_text(encoding="utf-8"), page.relative_to(out)


def test_real_site_links_resolve_under_a_subpath(real_site: Path) -> None:
    for page in html_pages(real_site):
        for tag, _, link in parse_page(page).links:
            target = resolve(real_site, SUBPATH, page, link.split("?")[0].split("#")[0] or page.name)
            if target is not None:
                assert target.is_file(), f"{page}: {tag} {link}"


def test_a_day_longer_than_its_page_size_is_paged(project: Project, tmp_path: Path) -> None:
    """A bulk import of thousands of papers on one day makes pages, each linked, not one page."""
    with (project.root / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write("day_page_size: 2\n")
    for number in range(5):
        project.paper("2025-03-17", f"paper-{number}", f"upvotes: {100 - number}")
    out = tmp_path / "out"
    build(project.root, out, base_url=SUBPATH, search=False)
    pages = [
        out / "days/2025-03-17/index.html",
        *(out / f"days/2025-03-17/page/{n}/index.html" for n in (2, 3)),
    ]
    cards = [re.findall(r'data-paper="([^"]+)"', page.read_text(encoding="utf-8")) for page in pages]
    assert cards == [["paper-0", "paper-1"], ["paper-2", "paper-3"], ["paper-4"]]
    second = pages[1].read_text(encoding="utf-8")
    assert (
        "<title>Papers of 17 March 2025 (page 2) · " in second
        and "5 papers, most upvoted first · page 2 of 3" in second
    )
    assert '<ol class="paper-list"' in second and 'start="3"' in second
    assert 'rel="prev" href="/daily-papers/days/2025-03-17/">← Previous<' in second
    assert 'rel="next" href="/daily-papers/days/2025-03-17/page/3/">Next →' in second
    assert second.count('rel="next"') == second.count('rel="prev"') == 1  # the n/p keys walk the pages
    home = (out / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'data-paper="([^"]+)"', home) == ["paper-0", "paper-1"]
    assert '<a href="/daily-papers/days/2025-03-17/page/2/">The other 3 papers of this day →</a>' in home
    assert SUBPATH + "days/2025-03-17/page/3/" in (out / "sitemap.xml").read_text(encoding="utf-8")
    for page in html_pages(out):
        for tag, attribute, link in parse_page(page).links:
            target = resolve(out, SUBPATH, page, link.split("?")[0].split("#")[0] or page.name)
            assert target is None or target.is_file(), f"{page.relative_to(out)}: <{tag} {attribute}={link}>"


def test_one_paper_on_one_day_with_one_tag_is_counted_in_the_singular(
    project: Project, tmp_path: Path
) -> None:
    """Descriptions and ledes say `1 paper`, `1 tag`, `1 upvote`, never `1 papers`."""
    project.paper("2025-03-17", "only-paper", "tags: [llm]\nupvotes: 1")
    out = tmp_path / "out"
    build(project.root, out, search=False)
    expected = {
        "index.html": ["1 paper, most upvoted first", "All 1 paper on 1 day in the archive"],
        "days/2025-03-17/index.html": ['content="1 research paper from 17 March 2025."', '"lede">1 paper,'],
        "tags/llm/index.html": ['content="1 paper tagged Large language models."', '"lede">1 paper ·'],
        "tags/index.html": ['content="Papers by topic: 1 tag."', '"lede">1 topic</p>'],
        "archive/index.html": ['content="All 1 paper, by year and month."', '"lede">1 paper</p>'],
        "archive/2025/index.html": ['content="The 1 paper of 2025, by month and day."', '"lede">1 paper</p>'],
        "weeks/2025-W12/index.html": ['content="The 1 paper of Week 12 of 2025', "· 1 paper, most upvoted"],
        "papers/only-paper/index.html": ["1 upvote at the source"],
    }
    for name, phrases in expected.items():
        text = (out / name).read_text(encoding="utf-8")
        assert [phrase for phrase in phrases if phrase not in text] == [], name
    for page in html_pages(out):
        plural = re.search(
            r"\b1 [a-z ]*(papers|tags|topics|days|upvotes)\b", page.read_text(encoding="utf-8")
        )
        assert plural is None, f"{page.relative_to(out)}: {plural and plural[0]}"


def test_the_home_page_names_one_other_paper_of_its_day_in_the_singular(
    project: Project, tmp_path: Path
) -> None:
    with (project.root / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write("day_page_size: 2\n")
    for number in range(3):
        project.paper("2025-03-17", f"paper-{number}")
    build(project.root, tmp_path / "out", search=False)
    home = (tmp_path / "out/index.html").read_text(encoding="utf-8")
    assert '<a href="/days/2025-03-17/page/2/">The other 1 paper of this day →</a>' in home


def test_real_site_has_the_day_and_83_papers(real_site: Path) -> None:
    day = (real_site / "days/2025-03-17/index.html").read_text(encoding="utf-8")
    assert day.count('class="paper-card"') == 83
    assert "83 papers" in day
    assert len(list((real_site / "papers").glob("*/index.html"))) == 83
    assert (real_site / "tags/llm/index.html").is_file()


NOINDEX = '<meta name="robots" content="noindex">'


@pytest.mark.parametrize("folder", ["papers", "days", "weeks", "months"])
def test_folders_without_a_list_of_their_own_send_readers_to_the_archive(
    built: tuple[Path, str], folder: str
) -> None:
    """`papers/SLUG/` shortened to `papers/` lands in the archive, not on a 404 (no JavaScript)."""
    out, base_url = built
    page = (out / folder / "index.html").read_text(encoding="utf-8")
    archive = urlsplit(base_url).path + "archive/"
    assert f'<meta http-equiv="refresh" content="0; url={archive}">' in page
    assert f'<a href="{archive}">the archive</a>' in page
    assert f'<link rel="canonical" href="{base_url}archive/">' in page
    assert NOINDEX in page and (out / "archive/index.html").is_file()


def test_layouts_without_the_redirect_template_still_build(sample_project: Project, tmp_path: Path) -> None:
    """A site whose `layouts/` predates the folder pages builds as before, without them."""
    (sample_project.root / "layouts/redirect.html").unlink()
    build(sample_project.root, tmp_path / "out", search=False)
    assert not (tmp_path / "out/papers/index.html").exists()
    assert (tmp_path / "out/papers/an-older-paper/index.html").is_file()


def test_sitemap_names_every_html_page_once(built: tuple[Path, str]) -> None:
    out, base_url = built
    root = ET.parse(out / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [loc.text for loc in root.iter(f"{ns}loc")]
    assert len(locations) == len(set(locations))
    pages = {
        base_url + p.relative_to(out).as_posix().removesuffix("index.html")
        for p in html_pages(out)
        if NOINDEX not in p.read_text(encoding="utf-8")  # 404, redirects, the reading list
    }
    assert set(locations) == pages
    assert base_url + "saved/" not in locations and base_url + "papers/" not in locations
    lastmods = {url.find(f"{ns}loc").text: url.find(f"{ns}lastmod") for url in root}  # type: ignore[union-attr]
    assert lastmods[base_url + "papers/an-older-paper/"].text == "2025-03-16"  # type: ignore[union-attr]


def test_atom_feed_is_valid_and_newest_first(built: tuple[Path, str]) -> None:
    out, base_url = built
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").startswith(base_url + "papers/")  # type: ignore[union-attr]
    days = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert days == sorted(days, reverse=True)
    for entry in entries:
        for child in ("title", "id", "updated", "content"):
            assert entry.find(f"{ATOM}{child}") is not None
    tag_feed = ET.parse(out / "tags/llm/feed.xml").getroot()
    assert len(tag_feed.findall(f"{ATOM}entry")) == 3
    for root, page in ((feed, base_url), (tag_feed, base_url + "tags/llm/")):  # the page each follows
        assert [link.get("href") for link in root.findall(f"{ATOM}link[@rel='alternate']")] == [page]


def test_a_feed_holds_its_latest_day_whole_past_its_size(project: Project, tmp_path: Path) -> None:
    """A paper cut from its day's feed would never reach a subscriber: the next day's feed
    has moved past it. Older days fill the rest up to `feed_size`."""
    (project.root / "site.yaml").write_text("title: T\nbase_url: https://example.org/\nfeed_size: 2\n")
    for number in range(3):
        project.paper("2025-03-17", f"latest-{number}")
        project.paper("2025-03-16", f"earlier-{number}")
    build(project.root, out=tmp_path / "out", search=False)
    entries = ET.parse(tmp_path / "out/feed.xml").getroot().findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}updated", "")[:10] for e in entries] == ["2025-03-17"] * 3


def test_a_collaboration_s_names_open_on_demand(project: Project, tmp_path: Path) -> None:
    """Hundreds of authors would push the abstract screens down: twenty show, the rest fold."""
    names = "".join(f"\n  - Author Number{n}" for n in range(300))
    project.paper("2025-03-17", "big-science", f"authors:{names}")
    build(project.root, out=tmp_path / "out", search=False)
    text = (tmp_path / "out/papers/big-science/index.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    head = text.split('<div class="paper-authors"', 1)[1].split("</div>", 1)[0]
    shown, folded = head.split("<details", 1)
    assert "Author Number19," in shown and "Author Number20" not in shown
    assert "<summary>and 280 more authors</summary>" in folded and "Author Number299" in folded


def test_names_show_tex_accents_as_letters_and_bibtex_keeps_them(project: Project, tmp_path: Path) -> None:
    """`Erd\\H{o}s` reads Erdős on pages, feeds, the API, the search index and the reading
    list; its BibTeX keeps the TeX, which every BibTeX style can print."""
    names = "".join(f"\n  - Author {n}" for n in range(58))
    project.paper(
        "2025-03-17",
        "p",
        f"authors:\n  - Paul Erd\\H{{o}}s\n  - Fran{{\\c c}}ois{names}",
        title="$\\alpha$-Flows",
    )
    out = tmp_path / "out"
    build(project.root, out=out, search=False)
    page = (out / "papers/p/index.html").read_text(encoding="utf-8")
    assert '<meta name="citation_author" content="Paul Erdős">' in page
    assert (
        "Paul Erdős, François, Author 0" in page
        and "author = {Paul Erd\\H{o}s and Fran{\\c c}ois and" in page
    )
    day = (out / "days/2025-03-17/index.html").read_text(encoding="utf-8")
    listed = json.loads(html.unescape(re.findall(r"data-authors='([^']*)'", day)[0]))
    assert listed == ["Paul Erdős", "François", *(f"Author {n}" for n in range(48))]
    assert 'data-author-count="60"' in day and 'data-bib-title="$\\alpha$-Flows"' in day
    cited = json.loads(html.unescape(re.findall(r"data-bib-authors='([^']*)'", day)[0]))
    assert cited[:3] == ["Paul Erd\\H{o}s", "Fran{\\c c}ois", "Author 0"] and len(cited) == 50
    assert "<name>Paul Erdős</name>" in (out / "feed.xml").read_text(encoding="utf-8")
    assert '{"name":"Paul Erdős"}' in (out / "api/papers/p.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("page_kind", ["home", "day", "paper", "tag", "tags", "archive", "search", "404"])
def test_pages_are_valid_html5_with_accessible_structure(built: tuple[Path, str], page_kind: str) -> None:
    out, _ = built
    path = (
        out
        / {
            "home": "index.html",
            "day": "days/2025-03-17/index.html",
            "paper": "papers/2503.11111/index.html",
            "tag": "tags/llm/index.html",
            "tags": "tags/index.html",
            "archive": "archive/index.html",
            "search": "search/index.html",
            "404": "404.html",
        }[page_kind]
    )
    text = path.read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    page = parse_page(path)
    tags = [tag for tag, _ in page.tags]
    assert re.search(r'<html lang="en">', text)
    assert tags.count("title") == 1 and tags.count("h1") == 1
    assert tags.count("main") == 1 and "header" in tags and "footer" in tags
    for tag, attributes in page.tags:
        if tag == "img":
            assert attributes.get("alt") is not None
        if tag == "nav":
            assert attributes.get("aria-label") or attributes.get("aria-labelledby")


def test_paper_page_carries_scholar_and_social_metadata(built: tuple[Path, str]) -> None:
    out, _ = built
    page = (out / "papers/2503.11111/index.html").read_text(encoding="utf-8")
    for fragment in [
        '<meta name="citation_title" content="Sparse α-Attention for Fréchet Diffusion">',  # TeX as text
        '<meta name="citation_author" content="Ada Lovelace">',
        '<meta name="citation_author" content="Paul Erdős">',
        '<meta name="citation_publication_date" content="2025">',  # the arXiv id's year
        '<meta name="citation_pdf_url" content="https://arxiv.org/pdf/2503.11111v2">',
        '<meta name="citation_arxiv_id" content="2503.11111">',
        '<meta property="og:type" content="article">',
        '<script type="application/ld+json">',
        '"@type": "ScholarlyArticle"',
        "@misc{2503.11111,",
        'href="https://github.com/o/r/edit/main/content/2025/2025-03-17/2503.11111.md"',
        'href="https://arxiv.org/abs/2503.11111v2"',
        "<math",
        "Fréchet distance – carefully",
    ]:
        assert fragment in page, fragment


def test_citations_give_the_arxiv_year_and_no_year_without_an_id(built: tuple[Path, str]) -> None:
    """The day a paper is listed may be years after it came out (a classic discussed again):
    only an arXiv id tells the year, and without one a citation gives none."""
    out, _ = built
    papers = {
        path.parent.name: path.read_text(encoding="utf-8") for path in (out / "papers").glob("*/index.html")
    }
    for slug, page in papers.items():
        has_id = "citation_arxiv_id" in page
        assert ("citation_publication_date" in page) == has_id, slug
        assert ("year = {" in page) == has_id, slug
        assert "citation_online_date" not in page
    assert any("citation_arxiv_id" not in page for page in papers.values())


def test_home_page_links_to_the_day_before_above_its_list(built: tuple[Path, str]) -> None:
    """As on a day's page: readers of a daily list step back a day without scrolling past it."""
    out, base_url = built
    home = (out / "index.html").read_text(encoding="utf-8")
    path = base_url.split("/", 3)[3]
    nav = home.index('<nav class="pager" aria-label="Other days">')
    assert nav < home.index('<ol class="paper-list"')
    assert home.count('rel="prev"') == 1 and home.index(f'rel="prev" href="/{path}days/2025-03-16/"') > nav


def test_day_page_links_to_neighbouring_days(built: tuple[Path, str]) -> None:
    out, base_url = built
    page = (out / "days/2025-03-16/index.html").read_text(encoding="utf-8")
    path = base_url.split("/", 3)[3]
    assert f'rel="prev" href="/{path}days/2024-12-31/"' in page
    assert f'rel="next" href="/{path}days/2025-03-17/"' in page


def test_two_builds_are_byte_identical(sample_project: Project, tmp_path: Path) -> None:
    build(sample_project.root, out=tmp_path / "a")
    build(sample_project.root, out=tmp_path / "b")
    first, second = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert any(name.startswith("pagefind/filter/") for name in first)
    assert first == second


def test_failed_build_names_the_file_and_keeps_the_previous_site(
    sample_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "public"
    assert main(["--root", str(sample_project.root), "build", "--out", str(out), "--no-search"]) == 0
    before = tree_bytes(out)
    sample_project.write("content/2025/2025-03-18/broken.md", "---\ntitle: [broken\n---\nText\n")
    capsys.readouterr()
    assert main(["--root", str(sample_project.root), "build", "--out", str(out), "--no-search"]) == 1
    err = capsys.readouterr().err
    assert "content/2025/2025-03-18/broken.md:2: error:" in err
    assert err.endswith(f"the build stopped; {out} is as the last build left it\n")
    assert tree_bytes(out) == before
    assert not [name for name in beside(tmp_path) if name.startswith(".")]


def test_stale_pages_do_not_survive_a_rebuild(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    assert (out / "papers/an-older-paper/index.html").exists()
    (sample_project.root / "content/2025/2025-03-16/an-older-paper.md").unlink()
    build(sample_project.root, out=out, search=False)
    assert not (out / "papers/an-older-paper/index.html").exists()
    assert not (out / "days/2025-03-16").exists()


def config_errors(project: Project, out: Path, settings: str) -> str:
    """What a build says of `settings` as the project's site.yaml."""
    (project.root / "site.yaml").write_text(settings, encoding="utf-8")
    with pytest.raises(PapersError) as error:
        build(project.root, out=out, search=False)
    return str(error.value)


def test_bad_config_names_the_key(sample_project: Project, tmp_path: Path) -> None:
    text = config_errors(sample_project, tmp_path / "out", "title: X\nfeed_sise: 10\nbase_url: ftp://x\n")
    assert "site.yaml:2: error: unknown setting `feed_sise`" in text and "did you mean `feed_size`?" in text
    assert "site.yaml:3: error: base_url `ftp://x` is not an absolute http(s) URL" in text


def test_config_text_cannot_be_a_path_or_hold_controls(sample_project: Project, tmp_path: Path) -> None:
    """`language` names Pagefind's files: `../../x` wrote them outside the site."""
    settings = 'language: "../../../x"\ntitle: "Bad\\u001bTitle"\ndescription: ""\n'
    text = config_errors(sample_project, tmp_path / "out", settings)
    assert "site.yaml:1: error: `language` must be a language tag, not `../../../x`" in text
    assert "site.yaml:2: error: `title` must be without control characters" in text
    assert "description" not in text  # an empty description is allowed
    assert "`language` must be a language tag, not `en_US`" in config_errors(
        sample_project, tmp_path / "out", "language: en_US\n"
    ), "with the hint `en-US`"
    (sample_project.root / "site.yaml").write_text(
        "language: pt-BR\ndescription: >\n  A folded\n  description\n", encoding="utf-8"
    )
    build(sample_project.root, out=tmp_path / "out", search=False)
    assert '<html lang="pt-BR">' in (tmp_path / "out/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("layout", "code", "line", "message"),
    [
        ("paper.html", "{{ 1/0 }}", 2, "ZeroDivisionError: division by zero"),
        ("_partials/paper_card.html", "{% macro r() %}{{ r() }}{% endmacro %}{{ r() }}", 2, "RecursionError"),
        ("paper.html", "{{ undefined_thing }}", 2, "'undefined_thing' is undefined"),  # had no line
        ("_partials/paper_card.html", "{{ view.no_such_field.x }}", 2, "has no attribute 'no_such_field'"),
    ],
)
def test_an_error_in_a_template_s_own_code_names_the_layout_and_line(
    sample_project: Project, tmp_path: Path, layout: str, code: str, line: int, message: str
) -> None:
    path = sample_project.root / "layouts" / layout  # the project's own copy of the layouts
    path.write_text(
        "{# a comment line #}\n" + code + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    with pytest.raises(PapersError) as error:
        build(sample_project.root, out=tmp_path / "out", search=False)
    assert [(p.path, p.line) for p in error.value.problems] == [(f"layouts/{layout}", line)]
    assert message in error.value.problems[0].message


def test_no_build_clock_in_the_output(built: tuple[Path, str]) -> None:
    out, _ = built
    import datetime as dt

    today = dt.date.today().isoformat()
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml"):
            assert today not in path.read_text(encoding="utf-8")


def test_large_sites_get_a_sitemap_index(sample_project: Project) -> None:
    from generator.config import load_config
    from generator.content import read_site
    from generator.render import Renderer, render_sitemaps, render_with

    renderer = Renderer(load_config(sample_project.root), sample_project.root / "layouts")
    pages = render_with(renderer, read_site(sample_project.root).site)
    made = render_sitemaps(renderer, pages, limit=5)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    index = next(page for page in made if page.path == "sitemap.xml")
    parts = [page for page in made if page.path != "sitemap.xml"]
    locations = [loc.text for loc in ET.fromstring(index.content).iter(f"{ns}loc")]
    assert locations == [f"https://example.org/sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
    urls = [loc.text for part in parts for loc in ET.fromstring(part.content).iter(f"{ns}loc")]
    assert all(len(list(ET.fromstring(p.content).iter(f"{ns}loc"))) <= 5 for p in parts)
    assert len(urls) == len(set(urls)) == sum(1 for page in pages if page.in_sitemap)


def test_the_archive_is_a_page_of_years_and_a_page_per_year(built: tuple[Path, str]) -> None:
    """No archive page grows with the site beyond one year's days and a line per month."""
    out, base_url = built
    path = "/" + base_url.split("/", 3)[3]
    index = (out / "archive/index.html").read_text(encoding="utf-8")
    assert f'href="{path}archive/2025/"' in index and f'href="{path}archive/2024/"' in index
    assert f'href="{path}days/2025-03-17/"' in index  # the latest year in full
    assert "days/2024-12-31/" not in index  # older years as their months, days on their page
    year = (out / "archive/2025/index.html").read_text(encoding="utf-8")
    assert f'href="{path}days/2025-03-17/"' in year and f'href="{path}days/2025-03-16/"' in year
    assert "days/2024-12-31/" not in year
    assert f'rel="prev" href="{path}archive/2024/">← 2024<' in year  # older on the left, as days are
    older = (out / "archive/2024/index.html").read_text(encoding="utf-8")
    assert (
        f'href="{path}days/2024-12-31/"' in older
        and f'rel="next" href="{path}archive/2025/">2025 →<' in older
    )


def test_the_repository_option_points_edit_links_at_the_deployed_repository(
    sample_project: Project, tmp_path: Path
) -> None:
    """The deploy passes the repository it runs in, so a fork's edit links are its own."""
    out = tmp_path / "public"
    command = [sys.executable, "-m", "generator", "--root", str(sample_project.root), "build"]
    command += ["--out", str(out), "--no-search"]
    built = subprocess.run(
        [*command, "--repository", "https://github.com/someone/fork/"], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    page = (out / "papers/an-older-paper/index.html").read_text(encoding="utf-8")
    assert (
        'href="https://github.com/someone/fork/edit/main/content/2025/2025-03-16/an-older-paper.md"' in page
    )
    refused = subprocess.run(
        [*command, "--repository", "javascript:alert(1)"], capture_output=True, text=True
    )
    assert refused.returncode == 1
    assert "--repository: error: repository `javascript:alert(1)` is not an http(s) URL" in refused.stderr
    assert (out / "papers/an-older-paper/index.html").read_text(encoding="utf-8") == page


@pytest.mark.parametrize(
    "value",
    ["https://[oops", "https://github.com/o/r#readme", "https://github.com/o/r?x=1", "javascript:alert(1)"],
)
def test_a_repository_that_is_no_plain_http_url_is_refused(value: str) -> None:
    with pytest.raises(PapersError, match=r"is not (an http\(s\)|a valid) URL"):
        SiteConfig().with_repository(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            'https://github.com/o/r"><script>',
            'repository `https://github.com/o/r"><script>` contains characters',
        ),
        ("https://github.com:99999/o/r", "repository `https://github.com:99999/o/r` is not a valid URL"),
        ("https://github.com@evil.example/o/r", "holds a user name before its host"),
    ],
)
def test_a_repository_is_checked_as_the_links_of_papers_are(value: str, message: str) -> None:
    with pytest.raises(PapersError, match=re.escape(message)):
        SiteConfig().with_repository(value)


def test_a_branch_is_one_git_allows_and_its_edit_links_encode_it(
    sample_project: Project, tmp_path: Path
) -> None:
    text = config_errors(
        sample_project, tmp_path / "out", "repository: https://github.com/o/r\nbranch: a..b\n"
    )
    assert "site.yaml:2: error: `branch` `a..b` is not a branch name git allows" in text
    (sample_project.root / "site.yaml").write_text(
        "repository: https://github.com/o/r\nbranch: 'site/\"new\"#1'\n", encoding="utf-8"
    )
    build(sample_project.root, out=tmp_path / "out", search=False)
    page = (tmp_path / "out/papers/2503.11111/index.html").read_text(encoding="utf-8")
    assert (
        'href="https://github.com/o/r/edit/site/%22new%22%231/content/2025/2025-03-17/2503.11111.md"' in page
    )


def test_a_repository_keeps_no_space_or_trailing_slash() -> None:
    assert SiteConfig().with_repository(" https://github.com/o/r/\n").repository == "https://github.com/o/r"
    assert SiteConfig().with_repository("").repository == ""  # no edit links


@pytest.mark.parametrize(
    "value",
    ["https://owner.github.io//", "https://owner.github.io//repo//", "https://o.github.io/\\evil.example/"],
)
def test_a_base_url_whose_links_would_name_another_host_is_refused(value: str) -> None:
    with pytest.raises(PapersError, match="links starting with it would name another host"):
        SiteConfig().with_base_url(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://o.github.io/my repo/",
        "https://o.github.io/a\u200b/",
        "https://example.org\nDisallow: /\nX/",  # urlsplit drops the newlines; robots.txt would not
        "https://a\"'<b>/",
    ],
)
def test_a_base_url_with_a_space_or_invisible_character_is_refused(value: str) -> None:
    with pytest.raises(PapersError, match="a space or an invisible character"):
        SiteConfig().with_base_url(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "https://user:secret@o.github.io/repo/",
            "holds a user name before its host",
        ),
        ("https://o.github.io:99999/repo/", "is not a valid URL"),
        ("https://o.github.io/repo/index.html", "names a page, not the folder the site is in"),
        ("https://o.github.io/./repo/../x/", "has `.` or `..` folders in its path"),
        ("https://o.github.io/%2e%2e/x/", "has `.` or `..` folders in its path"),  # a browser's `..`
        (
            "https://o.github.io/repo/?q=1",
            "has a query (`?...`) or a fragment (`#...`)",
        ),  # was "not absolute"
        ("https://o.github.io/repo/#top", "has a query (`?...`) or a fragment (`#...`)"),
        ("", "base_url is empty"),  # an unset variable in a workflow: not site.yaml's localhost
    ],
)
def test_a_base_url_no_link_can_start_with_is_refused(value: str, message: str) -> None:
    with pytest.raises(PapersError, match=re.escape(message)):
        SiteConfig().with_base_url(value)


def test_a_base_url_in_other_scripts_is_written_as_addresses_are(
    sample_project: Project, tmp_path: Path
) -> None:
    """A sitemap's addresses must be escaped; links work either way."""
    assert (
        SiteConfig().with_base_url("https://bücher.example/ü").base_url
        == "https://xn--bcher-kva.example/%C3%BC/"
    )
    build(sample_project.root, out=tmp_path / "out", base_url="https://o.github.io/ü/", search=False)
    sitemap = (tmp_path / "out/sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://o.github.io/%C3%BC/papers/" in sitemap and "ü" not in sitemap


def test_a_base_url_urlsplit_refuses_is_a_config_error() -> None:
    with pytest.raises(PapersError, match="not an absolute http"):
        SiteConfig().with_base_url("https://[oops")
