"""Social cards: a PNG per paper from layouts/card.svg, linked as og:image, cached by content."""

from __future__ import annotations

import datetime as dt
import json
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import cards
from generator.build import build
from generator.cards import CARD_HEIGHT, CARD_WIDTH, find_fonts, text_width, wrap
from generator.config import load_config
from generator.errors import PapersError
from generator.model import Paper
from generator.views import PaperView
from tests.conftest import Project

BASE = "https://example.github.io/daily-papers/"
HOSTILE = 'Evil </tspan></text><image href="file:///etc/passwd"/><text> & <script>alert(1)</script> ]]>'


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_every_paper_has_a_card_linked_from_its_page(sample_project: Project, tmp_path: Path) -> None:
    assert find_fonts(), "social cards need a sans-serif font: install fonts-dejavu-core"
    out = tmp_path / "public"
    build(sample_project.root, out=out, base_url=BASE, search=False)
    pages = sorted(out.glob("papers/*/index.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        url = f"{BASE}papers/{page.parent.name}/card.png"
        assert f'<meta property="og:image" content="{url}">' in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        assert png_size((page.parent / "card.png").read_bytes()) == (CARD_WIDTH, CARD_HEIGHT)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(paper file, SVG) of every card resvg renders from now on, cached ones not included."""
    calls: list[tuple[str, str]] = []
    render = cards.CardMaker._render

    def spy(self: cards.CardMaker, svg: str, label: str) -> bytes:
        calls.append((label, svg))
        return render(self, svg, label)

    monkeypatch.setattr(cards.CardMaker, "_render", spy)
    return calls


def test_cards_are_reproducible_and_rendered_once(
    sample_project: Project, tmp_path: Path, rendered: list[tuple[str, str]]
) -> None:
    build(sample_project.root, out=tmp_path / "one", search=False, use_cache=False)
    first_build = len(rendered)
    build(sample_project.root, out=tmp_path / "two", search=False, use_cache=False)
    assert first_build > 0
    assert len(rendered) == first_build  # without the page cache, every card is in .cache/cards
    first = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("card.png")}
    second = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("card.png")}
    assert first and first == second

    path = sample_project.root / "content/2025/2025-03-17/2503.11111.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: Renamed", 1), encoding="utf-8")
    build(sample_project.root, out=tmp_path / "three", search=False, use_cache=False)
    assert [label for label, _ in rendered[first_build:]] == ["content/2025/2025-03-17/2503.11111.md"]


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbled"])
def test_a_damaged_cached_card_is_rendered_again_not_published(
    sample_project: Project, tmp_path: Path, rendered: list[tuple[str, str]], damage: str
) -> None:
    """CI restores `.cache/cards/` from a cache: a file it spoilt must not reach the site."""
    build(sample_project.root, out=tmp_path / "one", search=False, use_cache=False)
    good = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("card.png")}
    for stored in (sample_project.root / cards.CARDS_CACHE).rglob("*.png"):
        data = stored.read_bytes()
        spoilt = {
            "empty": b"",
            "truncated": data[: len(data) // 2],
            "garbled": data[:100] + b"\0" * 8 + data[108:],
        }
        stored.write_bytes(spoilt[damage])
    before = len(rendered)
    build(sample_project.root, out=tmp_path / "two", search=False, use_cache=False)
    assert len(rendered) - before == len(good)
    assert {
        p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("card.png")
    } == good


def test_a_cards_cache_that_takes_no_file_is_no_error(sample_project: Project, tmp_path: Path) -> None:
    """The cache only saves time: `.cache/cards` as a file (or full, or read-only) means
    rendering each card, not a failed build blaming the site's folder."""
    (sample_project.root / ".cache").mkdir(exist_ok=True)
    (sample_project.root / cards.CARDS_CACHE).write_text("not a folder", encoding="utf-8")
    build(sample_project.root, out=tmp_path / "out", search=False, use_cache=False)
    assert list((tmp_path / "out").rglob("card.png"))


def test_a_hostile_title_stays_text_in_the_card(
    project: Project, tmp_path: Path, rendered: list[tuple[str, str]]
) -> None:
    authors = json.dumps(["Zoë <b>Bold</b>", "O'Brien & Sons"])
    project.paper("2025-03-17", "evil", f"authors: {authors}", title=json.dumps(HOSTILE))
    out = tmp_path / "public"
    build(project.root, out=out, search=False)
    assert png_size((out / "papers/evil/card.png").read_bytes()) == (CARD_WIDTH, CARD_HEIGHT)
    ((_, svg),) = rendered
    tree = ET.fromstring(svg)  # well-formed XML whatever the title
    assert {element.tag.split("}")[-1] for element in tree.iter()} == {"svg", "rect", "text", "tspan"}
    text = "".join(tree.itertext())
    assert "<script>" in text and "<b>Bold</b>" in text  # shown as text, not markup


def test_social_cards_can_be_turned_off(sample_project: Project, tmp_path: Path) -> None:
    config = sample_project.root / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "social_cards: false\n", encoding="utf-8")
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    assert not list(out.rglob("card.png"))
    html = (out / "papers/2503.11111/index.html").read_text(encoding="utf-8")
    assert "og:image" not in html and '<meta name="twitter:card" content="summary">' in html


def test_the_setting_must_be_true_or_false(project: Project) -> None:
    (project.root / "site.yaml").write_text("social_cards: yes please\n", encoding="utf-8")
    with pytest.raises(PapersError) as error:
        load_config(project.root)
    assert "`social_cards` must be true or false" in str(error.value)


def test_the_dev_server_makes_no_cards(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "served"
    build(sample_project.root, out=out, search=False, live_reload=True)
    assert not list(out.rglob("card.png"))


@given(st.text(max_size=300), st.integers(min_value=1, max_value=6))
def test_wrapped_lines_fit_the_card(text: str, lines: int) -> None:
    """Any title: lines within the card's width and number, cut words only when too long."""
    wrapped = wrap(text, 20.0, lines)
    assert len(wrapped) <= lines
    assert all(text_width(line) <= 20.0 for line in wrapped)
    words = cards._NOT_XML.sub("", text).split()
    if len(wrapped) < lines and not any(text_width(word) > 20.0 for word in words):
        assert " ".join(wrapped) == " ".join(words)  # nothing lost, nothing added


def test_a_title_s_formulas_are_written_in_letters_the_card_font_has() -> None:
    view = PaperView(
        Paper("x", dt.date(2025, 3, 17), "$\\mathcal{O}(n^2)$ attention over $\\mathbf{x}$", "", "")
    )
    assert cards.title_lines(view, None) == ["O(n²) attention over x"]


PLAIN = frozenset(map(ord, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ,()\u200d"))


@pytest.mark.parametrize(
    ("title", "drawn"),
    [
        ("Ｆｕｌｌｗｉｄｔｈ Letters", "Fullwidth Letters"),  # compatibility forms as plain letters
        ("Rockets 🚀 and Stars", "Rockets  and Stars"),  # what no font draws is left out
        ("Lab 👩\u200d🔬 Work", "Lab  Work"),  # with the joiner of its emoji sequence
        ("Hearts ❤\ufe0f and Keys 1\ufe0f\u20e3", "Hearts  and Keys 1"),  # variation selectors too
        ("Fancy ℋ and ① and Ｓｐａｃｅ\u3000Here", "Fancy H and 1 and Space Here"),
        ("Wide\u2003Space", "Wide Space"),  # a space the fonts lack is a space still
    ],
)
def test_a_card_shows_only_what_its_fonts_draw(title: str, drawn: str) -> None:
    """A glyph the card's fonts lack is drawn as an empty box: 🚀 and Ｆｕｌｌｗｉｄｔｈ were."""
    assert cards.drawn_text(title, PLAIN) == drawn
    assert cards.drawn_text("Lab\u200dWork", PLAIN) == "Lab\u200dWork"  # a joiner between letters stays


def test_the_card_fonts_characters_are_read_from_their_character_maps(tmp_path: Path) -> None:
    fonts = find_fonts()
    assert fonts
    drawable = cards.font_characters(fonts.files)
    assert drawable is not None and {ord("A"), ord("é"), ord("∑")} <= drawable
    assert ord("🚀") not in drawable and ord("Ｆ") not in drawable
    (tmp_path / "broken.ttf").write_bytes(b"\0\1\0\0 not a font")
    assert cards.font_characters((str(tmp_path / "broken.ttf"),)) is None  # then nothing is left out


def test_a_card_leaves_out_what_it_cannot_draw_not_the_page(
    project: Project, tmp_path: Path, rendered: list[tuple[str, str]]
) -> None:
    title = "Ｆｕｌｌｗｉｄｔｈ Rockets 🚀 for Science"
    project.paper(
        "2025-03-17", "rockets", 'authors: ["Ada 🚀 Lovelace"]', title=json.dumps(title, ensure_ascii=False)
    )
    out = tmp_path / "public"
    build(project.root, out=out, search=False)
    ((_, svg),) = rendered
    drawn = [
        element.text.strip() for element in ET.fromstring(svg).iter() if element.text and element.text.strip()
    ]
    assert drawn[1:] == ["Fullwidth Rockets for Science", "Ada Lovelace"]
    assert f"<title>{title} · " in (out / "papers/rockets/index.html").read_text(encoding="utf-8")


def test_a_title_the_fonts_draw_nothing_of_is_its_arxiv_id() -> None:
    """Chinese where the machine has no font for it: an empty title was drawn."""
    paper = Paper("2503.12345", dt.date(2025, 3, 17), "混合专家模型", "", "", arxiv="2503.12345")
    assert cards.title_lines(PaperView(paper), PLAIN | {ord(":"), ord(".")}) == ["arXiv:2503.12345"]
    assert cards.title_lines(PaperView(paper), None) == ["混合专家模型"]  # every character drawn


@pytest.mark.parametrize(
    ("authors", "line"),
    [
        (("张伟", "李娜"), ""),  # no lone comma for two names the fonts draw nothing of
        (("张伟", "Ada Lovelace"), "Ada Lovelace, et al."),
        (("Ada 🚀 Lovelace", "Alan Turing"), "Ada Lovelace, Alan Turing"),
        (("A", "B", "C", "D"), "A, B, C, et al."),
    ],
)
def test_an_author_the_fonts_draw_nothing_of_is_left_out_of_the_card(
    authors: tuple[str, ...], line: str
) -> None:
    paper = Paper("x", dt.date(2025, 3, 17), "A title", "", "", authors=authors)
    assert cards.authors_line(paper, PLAIN) == line
