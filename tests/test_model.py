"""The content model's own rules: when two titles are one paper."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from generator.model import Day, Paper, arxiv_base, normalize_title, shown_letters, slugify


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Fréchet Distances", "Fr\\'echet distances"),
        ("Fréchet Distances", "Fr\\'{e}chet distances"),  # a braced letter under the accent
        ("Gödel and Čech", 'G\\"{o}del and \\v{C}ech'),
        ("Fre\u0301chet distances", "Fréchet distances"),
        ("\\textbf{Bold} Title", "Bold title"),
        ("\\mathcal {L}-loss", "L loss"),
        ("$\\alpha$-Divergence Flows", "α-Divergence Flows"),
        ("Zero\u200bwidth title", "Zerowidth title"),
        ("Soft\u00adhyphen title", "Softhyphen title"),
        ("$\\Gamma$-convergence", "Γ-Convergence"),
        ("$\\lambda$-Calculus", "λ-Calculus"),
        ("$\\epsilon$-nets and $\\varepsilon$-nets", "ϵ-nets and ε-nets"),
        ("{\\bf Deep} Learning", "Deep Learning"),
        ("\\textit Deep", "Deep"),
        ("$\\mathbf x$", "x"),
        ("Scaling $\\to$ Transfer", "Scaling → Transfer"),
        ("_Attention_ Is All You Need", "Attention is all you need"),  # Markdown's emphasis
        ("__Attention__ Is *All* You Need", "Attention is all you need"),
        ("[Attention](https://example.org/a_b) Is All You Need", "Attention is all you need"),
        ("A\\&B models", "A&B models"),  # an escape shows its character, a word break
        ("Zero\\-shot learning", "Zero-shot learning"),
        ("50\\% faster", "50% Faster"),
        ("$O(n^2)$ sorting", "O(n²) sorting"),  # a formula's scripts, as they show
        ("$O(n^{2})$ sorting", "O(n²) sorting"),
        ("$x_{ij}$ and \\(y^2\\)", "xᵢⱼ and y²"),
    ],
)
def test_titles_that_are_one_paper(one: str, other: str) -> None:
    assert normalize_title(one) == normalize_title(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("$\\alpha$-Divergence Flows", "$\\beta$-Divergence Flows"),
        ("α-Divergence Flows", "β-Divergence Flows"),
        ("Zero width title", "Zerowidth title"),
        ("Model 2", "Model 3"),
        ("A\\&B models", "AB models"),
        ("snake_case names", "snakecase names"),  # scripts are read in formulas only
    ],
)
def test_titles_that_are_two_papers(one: str, other: str) -> None:
    assert normalize_title(one) != normalize_title(other)


@given(st.text(max_size=60), st.data())
def test_invisible_characters_never_change_a_title_key(title: str, data: st.DataObject) -> None:
    assume("\\" not in title)  # inside `\alpha`, a character between letters ends the command
    position = data.draw(st.integers(0, len(title)))
    invisible = data.draw(
        st.sampled_from(
            ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060", "\ufeff", "\u115f", "\u3164", "\uffa0"]
        )
    )
    assert normalize_title(title[:position] + invisible + title[position:]) == normalize_title(title)


_SYMBOLS = [
    ("\\alpha", "α"),
    ("\\beta", "β"),
    ("\\lambda", "λ"),
    ("\\Omega", "Ω"),
    ("\\to", "→"),
    ("\\infty", "∞"),
]


@given(st.lists(st.one_of(st.sampled_from(_SYMBOLS), st.from_regex(r"[A-Za-z0-9 -]{1,8}", fullmatch=True))))
def test_a_tex_symbol_and_its_character_make_the_same_key(parts: list[Any]) -> None:
    def written(as_tex: bool) -> str:
        return " ".join(  # `$` is punctuation: between words, as in a title
            (f"${part[0]}$" if as_tex else part[1]) if isinstance(part, tuple) else part for part in parts
        )

    assert normalize_title(written(as_tex=True)) == normalize_title(written(as_tex=False))


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Sparse Attention for Diffusion", "sparse-attention-for-diffusion"),
        ("Fr\\'echet Distances", "frechet-distances"),  # a TeX accent is the letter's, not a break
        ('G\\"{o}del and Erd\\H{o}s', "godel-and-erdos"),
        ("Fréchet, Gödel & Erdős", "frechet-godel-erdos"),
        ("$\\delta$-Nets and \\dots", "delta-nets-and-dots"),  # `\\d` begins them: not an accent
        ("The Paper's Title, Don\u2019t Panic", "the-papers-title-dont-panic"),
        ("'Quoted' Words", "quoted-words"),
    ],
)
def test_slugs_from_titles(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    ("tex", "plain"),
    [
        ("Fr{\\'e}chet Means Revisited", "Fréchet Means Revisited"),
        ('Na\\"{\\i}ve Bayes', "Naïve Bayes"),
        ("\\o{}degaard", "ødegaard"),
        ('G{\\"o}del', "Gödel"),
    ],
)
def test_titles_with_tex_letters_are_the_same_titles_and_slugs(tex: str, plain: str) -> None:
    assert normalize_title(tex) == normalize_title(plain)
    assert slugify(tex) == slugify(plain)


def test_a_title_without_latin_letters_gets_a_slug_of_its_own() -> None:
    slugs = {
        slugify(title)
        for title in ("∑∫", "大规模语言模型的推理能力研究", "نماذج اللغة الكبيرة", "大规模语言模型")
    }
    assert len(slugs) == 4 and all(re.fullmatch(r"paper-[0-9a-f]{8}", slug) for slug in slugs)
    assert slugify("大规模语言模型") == "paper-6a4183b7"  # the same on every machine and run


def test_slugs_spell_letters_unicode_does_not_decompose() -> None:
    assert slugify("Straße, Ødegaard, Łódź and Æsir") == "strasse-odegaard-lodz-and-aesir"


@pytest.mark.parametrize(
    ("arxiv_id", "base"),
    [
        ("2503.12345v2", "2503.12345"),
        ("1412.1234", "1412.1234"),  # four digits until the end of 2014
        ("math.GT/0309136", "math/0309136"),  # a subject class is not part of the id
        ("2503.1234", None),  # five digits since 2015
        ("1501.1234", None),
        ("0703.1234", None),  # before the new ids (April 2007)
        ("2222.61085", None),  # no month 22
        ("hep-th/9913001", None),
    ],
)
def test_arxiv_ids_are_checked_as_arxiv_makes_them(arxiv_id: str, base: str | None) -> None:
    assert arxiv_base(arxiv_id) == base


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Paul Erd\\H{o}s", "Paul Erdős"),
        ("Fran{\\c c}ois", "François"),
        ("Nguy\\~{\\^e}n", "Nguyễn"),  # an accent over an accented letter
        ("D.~E.~Knuth", "D.\u00a0E.\u00a0Knuth"),
        ("Gu\\dh{}mundsson and \\TH orir", "Guðmundsson and Þorir"),
        ("AT\\&T Labs", "AT&T Labs"),
        ("Ada\\textsuperscript{1}", "Ada\\textsuperscript{1}"),  # a command keeps its braces
        ("Ada Lovelace", "Ada Lovelace"),
    ],
)
def test_names_show_tex_letters_as_letters(written: str, shown: str) -> None:
    assert shown_letters(written) == shown


def test_a_day_says_how_its_list_is_ordered() -> None:
    """Most upvoted first when the source counted upvotes; else by title, which readers can tell."""
    paper = Paper("a", dt.date(2025, 3, 17), "A", "Body.", "content/a.md")
    assert Day(paper.day, [paper]).order == "by title"
    assert Day(paper.day, [paper, replace(paper, slug="b", upvotes=3)]).order == "most upvoted first"
