"""Warnings a reviewer wants to see: reported by `papers check`, never failing it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.conftest import Project


@pytest.mark.parametrize(
    ("front", "body", "message"),
    [
        ("", "Short abstract.", "the abstract is only 15 characters"),
        ("", "X", "the abstract is only 1 character\n"),
        ("", "An abstract. " * 20, None),
        ('authors: ["Ada Lovelace, Alan Turing, Grace Hopper"]', "An abstract. " * 20, "joined with commas"),
        ('authors: ["Bob Smith and Alice Jones"]', "An abstract. " * 20, "one name, joined with `and`"),
        ('authors: ["Ada Lovelace", "et al."]', "An abstract. " * 20, "`et al.` is not an author"),
        ('authors: ["Ada Lovelace", "and others"]', "An abstract. " * 20, "`and others` is not an author"),
        ('authors: ["Ada Lovelace", "Al Etal"]', "An abstract. " * 20, None),
        (
            "",
            "An abstract. " * 20 + "Large lan-\nguage models.",
            "`lan-` and `guage` are one word split across lines",
        ),
        ("", "An abstract. " * 20 + "state-of-the-art\nmodels.", None),
        (
            "",
            "An abstract. " * 20 + "We minimize $\\mathcal{L}(\\theta$ and $\\mu over data.",
            "opened with `$` is never closed",
        ),
        ("", "An abstract. " * 20 + "With $x$ it costs $5 and $10 (`$HOME`).", None),
        # Formulas the page shows, which the checker once took for amounts and then for
        # formulas left open (a `$` before a digit, then one before punctuation or a letter)
        ("", "An abstract. " * 20 + "We reach an error of $10^{-3}$, which is small.", None),
        ("", "An abstract. " * 20 + "A $2\\times$speedup with $3$-layer networks.", None),
        ("", "An abstract. " * 20 + "It costs $5 and $10, \\$20, and $5k per run; $2\\times$ faster.", None),
        ("", "An abstract. " * 20 + "Costs $$a$b $$ here.", None),  # `$$` reads to its pair
        ("", "An abstract. " * 20 + "From 5$-10$ a month.", None),  # text, as the page shows it
        # A `$` in a link's address or in `\url{}` is part of it; one in `\emph{}` closes there.
        ("", "An abstract. " * 20 + "See www.example.com/$a for details.", None),  # a link's
        ("", "An abstract. " * 20 + "It costs a $$x for each.", None),  # `$$` left open: not told
        (
            "",
            "An abstract. " * 20 + "\\href{http://a.org}{see $x}$ and more.",
            "opened with `$` is never closed",
        ),
        ("", "An abstract. " * 20 + "\\emph{{a} $x}$ and more.", "opened with `$` is never closed"),
        ("", "An abstract. " * 20 + "[a](http://x.org/$y)$z and more.", "opened with `$` is never closed"),
        (  # a `$` the page shows as text, then a `\(` never closed
            "",
            "An abstract. " * 20 + "See [code](https://x.org/$a) and \\(x + y here.",
            "opened with `\\(` is never closed",
        ),
        (  # a list item's second paragraph: read in its place, not alone (as indented code)
            "",
            "An abstract. " * 20 + "\n\n- item one\n\n    continued $x with a dollar",
            "a-paper.md:9: warning: a formula opened with `$` is never closed",
        ),
        ("", "An abstract. " * 20 + "\n\n# A heading\n---\n\n- an item\n--", None),  # a rule, a dash
        ("", "An abstract. " * 20 + "See [code](https://x.org/a$b) and $z$ here.", None),
        ("", "An abstract. " * 20 + "See <https://x.org/a$b> and $z$ here.", None),
        ("", "An abstract. " * 20 + "See \\url{https://a.b/$x} and $y$ here.", None),
        ("", "An abstract. " * 20 + "We study the \\emph{$\\alpha$}-divergence.", None),
        (
            "",
            "An abstract. " * 20
            + "\n\nA second paragraph.\nWe study the \\emph{$\\alpha}$-divergence family.",
            "a-paper.md:8: warning: a formula opened with `$` is never closed in its paragraph",
        ),
        (
            "",
            "An abstract. " * 20 + "An error of $10^{-3}$, then $\\mu over data.",
            "opened with `$` is never closed",
        ),
        (
            "",
            "An abstract. " * 20 + "When \\(y^2 holds.\n\nAnd \\(x\\) too.",
            "opened with `\\(` is never closed",
        ),
        ("", "    " + "An abstract pasted indented. " * 10, "starts indented by four spaces or a tab"),
        ("", "An abstract. " * 20 + "\n\n\tA second paragraph, indented.", "starts indented by four spaces"),
        ("", "An abstract. " * 20 + "\n\n- an item\n\n    its second paragraph", None),
        ("", "An abstract. " * 20 + "\n\n```\nsome code\n```", None),
        (  # a hard-wrapped line that starts a block: a heading and a quote, their marks gone
            "",
            "An abstract. " * 20 + "It halves the\n# of parameters and scores\n> 90% of the baseline.",
            "a-paper.md:6: warning: this line starts with `#`, so Markdown reads it as a heading (the `#` "
            "does not show), not as the sentence the line above began; 1 more like it",
        ),
        (
            "",
            "An abstract. " * 20 + "A line that ends\n===",
            "a-paper.md:6: warning: this line starts with `=`",
        ),
        (  # `---` or `--` under a line makes a heading too (a paste of a rule, or of a dash)
            "",
            "An abstract. " * 20 + "A line that ends\n--",
            "a-paper.md:6: warning: this line starts with `-`, so Markdown reads it as an underline",
        ),
        ("", "An abstract. " * 20 + "\n\n---\n\nA rule between paragraphs.", None),
        (  # a hard-wrapped line that starts a list: its sign shows as a bullet
            "",
            "An abstract. " * 20 + "It improves by\n+ 3.1 BLEU and\nreduces cost.",
            "a-paper.md:6: warning: this line starts with `+`, so Markdown reads it as a list item (the `+` "
            "shows as a bullet), not as the sentence the line above began\n"
            "    hint: join it to the line above (a line break reads as a space), or write `\\+` to keep the `+`",
        ),
        ("", "An abstract. " * 20 + "Our contributions are\n- a dataset\n- a model", None),  # a list
        ("", "An abstract. " * 20 + "We find:\n- one thing", None),  # introduced by its colon
        ("", "An abstract. " * 20 + "\n\n# A heading of its own\n\nAnd text.", None),
        ("", "An abstract. " * 20 + "\n\n> A quote\n> of two lines.", None),
        ("", "An abstract. " * 20 + "\n#hashtags are words", None),
    ],
)
def test_reviewer_warnings(
    project: Project, capsys: pytest.CaptureFixture[str], front: str, body: str, message: str | None
) -> None:
    project.paper("2025-03-17", "a-paper", front, body)
    assert main(["--root", str(project.root), "check"]) == 0
    err = capsys.readouterr().err
    if message:
        assert "content/2025/2025-03-17/a-paper.md" in err and "warning: " in err and message in err
    else:
        assert err == ""


@pytest.mark.parametrize(
    "title",
    [
        "大规模语言模型的推理能力研究：一个综述",
        "نماذج اللغة الكبيرة والاستدلال الرياضي",
        "LLM 推理能力研究与评测基准构建方法综述",
        "LLM、RLHF与DPO的对比研究",
    ],
)
def test_a_title_in_a_script_without_case_is_not_in_capitals(
    project: Project, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    project.paper("2025-03-17", "a-paper", body="An abstract. " * 20, title=title)
    assert main(["--root", str(project.root), "check"]) == 0
    assert capsys.readouterr().err == ""


def test_all_caps_title_and_tomorrow_warn(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    project.paper(tomorrow.isoformat(), "from-tomorrow", title="A PAPER WRITTEN IN CAPITALS")
    assert main(["--root", str(project.root), "check", "--format", "github"]) == 0
    out = capsys.readouterr().out
    assert f"::warning file=content/{tomorrow.year}/{tomorrow}/from-tomorrow.md,line=2" in out
    assert "the title is in ALL CAPS" in out
    assert f"the paper is dated {tomorrow}, tomorrow" in out


@pytest.mark.parametrize(
    "title",
    ['"SCALING $\\\\alpha$-NETWORKS TO BILLIONS OF PARAMETERS"', '"LEARNING WITH \\\\emph{SPARSITY}"'],
)
def test_a_title_in_capitals_with_tex_is_warned_of_too(
    project: Project, capsys: pytest.CaptureFixture[str], title: str
) -> None:
    """The names of TeX's commands (`alpha`, `emph`) counted as the title's small letters."""
    project.paper("2025-03-17", "a-paper", title=title)
    assert main(["--root", str(project.root), "check"]) == 0
    assert "the title is in ALL CAPS" in capsys.readouterr().err


def test_a_day_further_ahead_is_an_error_in_check_not_in_the_build(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """2205 for 2025 would make the site's latest day; the build itself stays the same on any date."""
    later = dt.date.today() + dt.timedelta(days=2)
    project.paper(later.isoformat(), "slipped", f'date: "{later}"')
    project.paper("9998-12-31", "far-ahead")
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert (
        f"content/{later.year}/{later}/slipped.md:3: error: the paper is dated {later}, 2 days from today"
        in err
    )
    assert "check the folder's year, month and day" in err
    assert (
        f"far-ahead.md: error: the paper is dated 9998-12-31, {9998 - dt.date.today().year:,} years from today"
        in err
    )
    assert main(["--root", str(project.root), "build", "--no-search"]) == 0


@pytest.mark.parametrize(
    ("title", "front", "message"),
    [
        (
            '"On $\\\\alpha-Flows and more"',
            "",
            "content/2025/2025-03-17/a-paper.md:2: warning: a formula opened with `$`",
        ),
        ('"On \\\\(x more"', "", "never closed in `title`"),
        (
            "A paper",
            'tldr: "Uses $\\\\beta-Flows for everything"',
            "a-paper.md:3: warning: a formula opened with `$` is never closed in `tldr`",
        ),
        ('"It costs $5 and $\\\\alpha$ works"', "", None),
        ('"Reading `$HOME` in Shells"', 'tldr: "Uses `$PATH` to find tools."', None),  # code
        ('"The \\\\emph{$\\\\alpha}$-Divergence"', "", "never closed in `title`"),
        ('"An Error of $10^{-3}$, Small"', 'tldr: "We reach $10^{-3}$."', None),
    ],
)
def test_a_formula_never_closed_in_a_title_or_tldr_is_warned_about(
    project: Project, capsys: pytest.CaptureFixture[str], title: str, front: str, message: str | None
) -> None:
    project.paper("2025-03-17", "a-paper", front, title=title)
    assert main(["--root", str(project.root), "check"]) == 0
    err = capsys.readouterr().err
    assert (message in err) if message else err == "", err


_DOLLAR_PIECES = st.sampled_from(
    [
        *["$", "$", "$$", "\\(", "\\)", "`", "5", "10", "x", " ", ",", "-", "^{-3}", "\\times", "k", "per"],
        *["\\emph{", "{", "}", "](", "[a", ")", "\n", "\n\n", "www.x.org/", "~"],  # groups, links, lines
    ]
)


@given(st.lists(_DOLLAR_PIECES, max_size=14).map("".join))
@settings(max_examples=1500)
def test_a_formula_is_warned_about_only_when_the_page_shows_a_dollar(text: str) -> None:
    """The checker reads dollars as the renderer does (`dollars.py`): when it warns of a
    formula left open, the page shows a `$` as written (none does for a formula it renders)."""
    from generator.markup import render_body_and_text, render_inline_and_text
    from generator.validate import _dollars_left_open

    if _dollars_left_open(text, inline=True):
        assert "$" in render_inline_and_text(text)[1]
    if _dollars_left_open(text):  # as an abstract, read as blocks
        assert "$" in render_body_and_text(text)[1]
