"""What pages show of a paper: titles, citations."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.config import SiteConfig
from generator.model import Paper
from generator.views import PaperView, _bibtex_value, author_list, bibtex, sentence


def _paper(title: str = "A Title", authors: tuple[str, ...] = (), arxiv: str | None = None) -> Paper:
    return Paper("a-title", dt.date(2025, 3, 17), title, "Body.", "content/x.md", authors, arxiv)


@pytest.mark.parametrize(
    ("authors", "limit", "expected"),
    [
        (("Ada",), 3, "Ada"),
        (("Ada", "Bo"), 3, "Ada and Bo"),
        (("Ada", "Bo", "Cy"), 3, "Ada, Bo, and Cy"),
        (("Ada", "Bo", "Cy", "Di"), 3, "Ada et al."),
        (("Ada", "Bo", "Cy", "Di"), 50, "Ada, Bo, Cy, and Di"),
    ],
)
def test_author_lists_read_as_references_do(authors: tuple[str, ...], limit: int, expected: str) -> None:
    assert author_list(authors, limit) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("Done", "Done."), ("Done.", "Done."), ("Why?", "Why?"), ("Go!", "Go!"), ("", "")]
)
def test_a_title_ends_its_sentence_once(text: str, expected: str) -> None:
    assert sentence(text) == expected


def test_citations_with_and_without_an_arxiv_id() -> None:
    view = PaperView(_paper("Is it *fast*?", ("Ada", "Bo", "Cy", "Di"), "2503.12345"))
    assert view.citation_arxiv == "Ada, Bo, Cy, and Di. Is it fast? arXiv:2503.12345, 2025."
    assert view.citation_text == "Ada et al. (2025). Is it fast?"
    assert PaperView(_paper("Untitled work")).citation_text == "Untitled work."  # no id, no year
    assert PaperView(_paper("Old", ("Ada",), "hep-th/9901001")).citation_text == "Ada (1999). Old."
    untitled = PaperView(_paper("Untitled work")).bibtex(SiteConfig(base_url="https://x.org/site/"))
    assert "year" not in untitled  # no id, no year: the entry says where it was listed instead
    assert "url = {https://x.org/site/papers/a-title/}" in untitled
    assert "note = {Daily Papers, 2025-03-17}" in untitled


def test_citations_of_many_authors_end_their_sentence_once() -> None:
    many = tuple(f"Author {n}" for n in range(60))
    view = PaperView(_paper("Big Science", many, "2503.12345"))
    assert view.citation_arxiv == "Author 0 et al. Big Science. arXiv:2503.12345, 2025."
    assert PaperView(_paper("Big Science", many)).citation_text == "Author 0 et al. Big Science."


@pytest.mark.parametrize(
    "title", ["1. Lessons from scale", "- A list-like title", "# Not a heading", "> Quoted"]
)
def test_a_title_s_text_is_the_words_its_html_shows(title: str) -> None:
    """Titles are read inline, as one line: what looks like a list or a heading stays text."""
    view = PaperView(_paper(title))
    assert view.title_text == title
    assert title.split()[-1] in view.title_html


def test_a_long_title_is_a_headline_cut_at_a_word() -> None:
    import json

    title = "Scaling " + "very " * 30 + "large models"
    data = json.loads(str(PaperView(_paper(title)).json_ld(SiteConfig())))
    assert data["name"] == title
    assert len(data["headline"]) <= 110
    assert data["headline"].endswith("very…") and title.startswith(data["headline"][:-1])
    exact = "x" * 110  # at the limit: whole
    assert json.loads(str(PaperView(_paper(exact)).json_ld(SiteConfig())))["headline"] == exact


def test_keywords_show_their_tex_and_meta_tags_its_text() -> None:
    paper = Paper("a", dt.date(2025, 3, 17), "T", "Body.", "c", keywords=("PixArt-$\\alpha$", "R&D <x>"))
    view = PaperView(paper)
    assert "<math" in view.keywords_html and "R&amp;D &lt;x&gt;" in view.keywords_html
    assert view.keywords_text == ("PixArt-α", "R&D <x>")
    listed = PaperView(Paper("b", dt.date(2025, 3, 17), "T", "Body.", "c", keywords=("1. Intro", "# tag")))
    assert listed.keywords_text == ("1. Intro", "# tag")  # one line each, as the page shows them


def _balanced_as_bibtex_counts(entry: str) -> bool:
    """BibTeX counts every brace, escaped or not, and an entry's must never close below zero."""
    depth = 0
    for char in entry:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def test_unbalanced_braces_become_groups_bibtex_can_read() -> None:
    entry = bibtex(_paper("Unbalanced { brace", ("Jane \\{Doe", "Bob } Brace", "Set {x}"), "2503.12345"))
    assert "title = {{Unbalanced {\\textbraceleft} brace}}" in entry
    assert "author = {Jane {\\textbraceleft}Doe and Bob {\\textbraceright} Brace and Set {x}}" in entry
    assert _balanced_as_bibtex_counts(entry)


@given(
    st.text(alphabet="{}\\ ab\n", max_size=30), st.lists(st.text(alphabet="{}\\ ab", max_size=12), max_size=3)
)
def test_every_bibtex_entry_balances_its_braces(title: str, authors: list[str]) -> None:
    assert _balanced_as_bibtex_counts(bibtex(_paper(title or "t", tuple(authors), "2503.12345")))


def test_bibtex_prints_commands_that_would_act_in_a_citing_document() -> None:
    """The checker refuses them; should one pass, the entry prints it rather than running it."""
    entry = bibtex(_paper(r"Sparse \directlua{os.exit()} $\alpha$", ("Ada \\input{/etc/passwd} Lovelace",)))
    assert r"title = {{Sparse {\textbackslash}directlua{os.exit()} $\alpha$}}" in entry
    assert r"author = {Ada {\textbackslash}input{/etc/passwd} Lovelace}" in entry


def test_bibtex_escapes_the_tex_specials_of_plain_text() -> None:
    """A bare `%` would comment out the rest of the line in a citing document; `&`, `#` and `_`
    would stop it with an error."""
    entry = bibtex(_paper("50% Faster R&D on C# and snake_case", ("Ada & Bob", "Jo_Ann #2")))
    assert r"title = {{50\% Faster R\&D on C\# and snake\_case}}" in entry
    assert r"author = {Ada \& Bob and Jo\_Ann \#2}" in entry


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (r"50\% of R\&D in \emph{snake\_case} by G\"odel", r"50\% of R\&D in \emph{snake\_case} by G\"odel"),
        (r"A line break\\% then a comment", r"A line break\\\% then a comment"),
        (
            "$x_1$, $$y_2$$, \\(z_3\\) and \\[w_4\\] of v_5",
            "$x_1$, $$y_2$$, \\(z_3\\) and \\[w_4\\] of v\\_5",
        ),
        ("$50%$ of $a#b$ and $R&D$", r"$50\%$ of $a\#b$ and $R\&D$"),
        (
            r"$\begin{pmatrix}a_1 & b\\c & d\end{pmatrix}$ & c",
            r"$\begin{pmatrix}a_1 & b\\c & d\end{pmatrix}$ \& c",
        ),
        (r"\begin{cases}x_1 & 1\%\end{cases} 10%", r"\begin{cases}x_1 & 1\%\end{cases} 10\%"),
        (r"Costs \$5 for snake_case, \$6", r"Costs \$5 for snake\_case, \$6"),
        # Dollars the page shows as dollar signs, and a caret outside math, are text in TeX too.
        ("From $5 Million to $10 Million Models", r"From \$5 Million to \$10 Million Models"),
        ("Is a $1 Model Worth It? $x^2$", r"Is a \$1 Model Worth It? $x^2$"),
        ("Scaling C^3 Networks", r"Scaling C\textasciicircum{}3 Networks"),
        (r"The \emph{$\alpha}$-Divergence", r"The \emph{\$\alpha}\$-Divergence"),  # no formula on the page
    ],
)
def test_bibtex_keeps_the_tex_a_title_holds_and_escapes_only_bare_specials(title: str, expected: str) -> None:
    """Escapes stay as written; in math `_` is a subscript, and in an environment `&` aligns."""
    assert f"title = {{{{{expected}}}}}" in bibtex(_paper(title))


@given(st.text(alphabet="%&#_^$\\(){}[] ab1", max_size=30))
def test_bibtex_values_leave_no_special_bare_and_read_the_same_escaped_again(text: str) -> None:
    """The reading list runs saved.js's `bibValue` again over the page's value: it must not change."""
    value = _bibtex_value(text)
    for at, char in enumerate(value):
        if char in "%&#":
            assert (len(value[:at]) - len(value[:at].rstrip("\\"))) % 2 == 1, value
    assert _bibtex_value(value) == value


@pytest.mark.parametrize(
    "tldr",
    [
        "+ 3.1 BLEU over the baseline",
        "- 40% memory at equal quality",
        "> 90% accuracy",
        "1) faster and 2) cheaper",
    ],
)
def test_a_tldr_s_description_keeps_the_signs_its_line_shows(tldr: str) -> None:
    """Read as a block, a TL;DR starting with `+`, `-`, `>` or `1)` lost it (a list item, a
    quote) in the page's description, `og:description` and JSON-LD, though its line shows it."""
    view = PaperView(replace(_paper(), tldr=tldr))
    assert view.description == tldr
