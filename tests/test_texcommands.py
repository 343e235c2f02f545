"""Which TeX commands of a title or a name act in a citing document, and how BibTeX disarms them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.texcommands import acting_commands, disarmed


@pytest.mark.parametrize(
    "text",
    [
        r"Fr\'echet and Erd\H{o}s, {\"o}, \ss, \AA ngstr\"om",
        r"$\mathcal{O}(n \log n)$ with $\frac{1}{2}$ and $\mathbb{R}^d$, $\alpha\beta$",
        r"\textbf{Bold}, \emph{this}, {\bf old style}, \textsc{Caps}, \LaTeX{} and 50\% \& more",
        r"$\begin{pmatrix} 1 \\ 2 \end{pmatrix}$ and $\begin{aligned} x \end{aligned}$",
        r"A line \\ break, a \, thin space",
        "Plain words, no TeX at all",
        r"\ensuremath{x}, $\mathbbm{1}$, \mathopen, $\begin{cases} a \end{cases}$",
        r"a line break \\begin{document} is text after it",
    ],
)
def test_text_and_formulas_are_inert(text: str) -> None:
    assert acting_commands(text) == []
    assert disarmed(text) == text


@pytest.mark.parametrize(
    ("text", "acting"),
    [
        (r"\input{/etc/passwd} \include{x}", [r"\input", r"\include"]),
        (
            r"\InputIfFileExists{/etc/hostname}{}{} \directlua{os.exit()}",
            [r"\InputIfFileExists", r"\directlua"],
        ),
        (r"\lstinputlisting{a} \verbatiminput{b}", [r"\lstinputlisting", r"\verbatiminput"]),
        (r"\immediate\write18{sh}", [r"\immediate", r"\write"]),
        (
            r"\def\x{} \newcommand{\y}{} \NewDocumentCommand\z{}{}",
            [r"\def", r"\x", r"\newcommand", r"\y", r"\NewDocumentCommand", r"\z"],
        ),
        (r"\begin{filecontents}{x.tex}\end{filecontents}", [r"\begin{filecontents}", r"\end{filecontents}"]),
        (r"\href{run:/bin/sh}{click} \url{x}", [r"\href", r"\url"]),
        (r"$\href{run:x}{y}$", [r"\href"]),
        ("^^5cinput", ["^^"]),
        ("\\^^69nput{/etc/passwd}", ["^^"]),  # TeX reads `^^69` as `i` inside a command's name
        ("\\begin{href}{run:/bin/sh}{x}\\end{href}", ["\\begin{href}", "\\end{href}"]),
        ("$\\DeclareMathOperator{\\x}{y}$", ["\\DeclareMathOperator", "\\x"]),  # known to the converter
        ("a \\\\\\input{x}", ["\\input"]),  # a line break, then the command
    ],
)
def test_commands_that_act_are_found(text: str, acting: list[str]) -> None:
    assert acting_commands(text) == acting


def test_disarmed_commands_are_printed_not_run() -> None:
    text = r"Files \InputIfFileExists{/etc/hostname}{}{} \begin{filecontents}{a} ^^5c $\alpha$ Fr\'echet"
    assert disarmed(text) == (
        r"Files {\textbackslash}InputIfFileExists{/etc/hostname}{}{} "
        r"{\textbackslash}begin{filecontents}{a} ^{}^5c $\alpha$ Fr\'echet"
    )


_PIECES = st.sampled_from([*"\\{}^$ ab5", "input", "alpha", "begin", "end", "{filecontents}", "{pmatrix}"])


@given(st.lists(_PIECES).map("".join))
def test_nothing_disarmed_acts(text: str) -> None:
    """Whatever the text, its disarmed form has no command that acts, and disarming is done once."""
    once = disarmed(text)
    assert acting_commands(once) == []
    assert "^^" not in once
    assert disarmed(once) == once
