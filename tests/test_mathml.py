"""TeX to MathML: what the converter gets wrong on real abstracts is corrected, and only
well-formed MathML reaches a page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import mathml
from generator.markup import render_body, render_body_and_text, render_inline_and_text
from generator.mathml import tex_to_mathml, tex_to_text
from tests.conftest import record_calls

MATHML = "{http://www.w3.org/1998/Math/MathML}"
TOKENS = {f"{MATHML}{tag}" for tag in ("mi", "mn", "mo", "ms", "mtext")}


def mathml_row(tex: str) -> str:
    """The formula's markup inside <math>, without the wrapper."""
    html = tex_to_mathml(tex, display=False)
    return html.split('display="inline">', 1)[1].removesuffix("</math></span>")


@pytest.mark.parametrize(
    ("tex", "row"),
    [
        ("\\sim 3", "<mrow><mo>∼</mo><mn>3</mn></mrow>"),  # the converter gives an ASCII ~
        ("\\mathop{\\mathrm{E}}_x", "<mrow><msub><mo>E</mo><mi>x</mi></msub></mrow>"),  # no mrow in an mo
        ("^\\dagger", "<mrow><msup><mrow></mrow><mi>†</mi></msup></mrow>"),  # no empty mi
        ("\\boldsymbol{\\theta}", "<mrow><mrow><mi>𝜽</mi></mrow></mrow>"),  # MathML Core ignores mathvariant
        ("\\mathscr{B}", "<mrow><mrow><mi>ℬ</mi></mrow></mrow>"),  # a hole filled by a letterlike symbol
        ("\\texttt{x1}", "<mrow><mtext>𝚡𝟷</mtext></mrow>"),
        ("\\mathbb{R}^n", "<mrow><msup><mi>ℝ</mi><mi>n</mi></msup></mrow>"),
        ("\\mathop{\\mathrm{arg\\,max}}", "<mrow><mi>arg\u2009max</mi></mrow>"),  # a name: set as `\\log`
        ("\\mathop{\\sim}", '<mrow><mo lspace="0" rspace="0">∼</mo></mrow>'),  # alone: unspaced
        (
            "\\arg\\max_\\theta",
            '<mrow><mi>arg</mi><mspace width="0.1667em"></mspace><msub><mi>max</mi><mi>θ</mi></msub></mrow>',
        ),
        ("\\mathrm{d}x", '<mrow><mi mathvariant="normal">d</mi><mi>x</mi></mrow>'),  # upright, as written
        (
            "1/\\epsilon",
            '<mrow><mn>1</mn><mo lspace="0" rspace="0">/</mo><mi>ϵ</mi></mrow>',
        ),  # a slash: no gaps
        (
            "\\mathbf{□ɑ}",
            '<mrow><mrow><mi mathvariant="bold">□</mi><mi mathvariant="bold">ɑ</mi></mrow></mrow>',
        ),
    ],
)
def test_the_converter_s_slips_are_corrected(tex: str, row: str) -> None:
    assert mathml_row(tex) == row


THIN = '<mspace width="0.1667em"></mspace>'


@pytest.mark.parametrize(
    ("tex", "row"),
    [
        ("n \\log n", f"<mi>n</mi>{THIN}<mi>log</mi>{THIN}<mi>n</mi>"),
        ("\\sin\\cos x", f"<mi>sin</mi>{THIN}<mi>cos</mi>{THIN}<mi>x</mi>"),  # one space between
        ("\\log(x)", '<mi>log</mi><mo stretchy="false">(</mo><mi>x</mi><mo stretchy="false">)</mo>'),
        ("-\\log p", f'<mo form="prefix">−</mo><mi>log</mi>{THIN}<mi>p</mi>'),  # a sign: its own spacing
        ("\\log_2 n", f"<msub><mi>log</mi><mn>2</mn></msub>{THIN}<mi>n</mi>"),  # none inside scripts
        ("\\arg\\max_\\theta", f"<mi>arg</mi>{THIN}<msub><mi>max</mi><mi>θ</mi></msub>"),
        (  # a name of one's own is spaced as `\\log`, not as an operator with a gap each side
            "a\\operatorname{softmax}(x)",
            f'<mi>a</mi>{THIN}<mi>softmax</mi><mo stretchy="false">(</mo><mi>x</mi><mo stretchy="false">)</mo>',
        ),
        ("\\arg z", f"<mi>arg</mi>{THIN}<mi>z</mi>"),
        ("abc", "<mi>a</mi><mi>b</mi><mi>c</mi>"),  # letters are a product, not a name
        (
            "(a)\\log b",  # after a closing bracket
            f'<mo stretchy="false">(</mo><mi>a</mi><mo stretchy="false">)</mo>{THIN}<mi>log</mi>{THIN}<mi>b</mi>',
        ),
    ],
)
def test_operator_names_are_set_apart_as_tex_sets_them(tex: str, row: str) -> None:
    """The converter writes `\\log` as `<mi>log</mi>` without TeX's thin spaces: `O(n log n)`
    read "nlogn"."""
    assert mathml_row(tex) == f"<mrow>{row}</mrow>"


@pytest.mark.parametrize("start", ["\\begin{aligned}", "\\begin{aligned}[t]"])
def test_aligned_equations_become_a_table(start: str) -> None:
    row = mathml_row(f"{start} a&=b\\\\ c&=d\\end{{aligned}}")
    assert row.count("<mtr>") == 2 and row.count("<mtd") == 4
    assert "&amp;" not in row and "[" not in row


@pytest.mark.parametrize(
    ("source", "math", "text"),
    [
        ("is $\\sim$10x faster", '<mo lspace="0" rspace="0">∼</mo>', "10x faster"),
        ("over $>$90\\% accurate", '<mo lspace="0" rspace="0">&gt;</mo>', "90% accurate"),
        ("gains of $+$3.2", '<mo lspace="0" rspace="0" form="prefix">+</mo>', "3.2"),
        ("a drop of $-$12\\%", '<mo lspace="0" rspace="0" form="prefix">−</mo>', "12%"),
    ],
)
def test_a_lone_symbol_before_a_number_is_math(source: str, math: str, text: str) -> None:
    """Abstracts write "about", "over" and signs as a symbol in dollars: alone in its formula,
    it has no operands to be spaced from."""
    html = render_body(source)  # the formula kept on the line of the number it is written against
    assert '<span class="nowrap"><span class="math"' in html
    assert f"<mrow>{math}</mrow></math></span>{text.split()[0]}</span>" in html


@pytest.mark.parametrize("text", ["$k$-means Clustering Beats GPT-4", "$k$-NN, on 3"])
def test_math_at_the_start_of_a_text_ending_in_a_digit_is_math(text: str) -> None:
    assert render_body(text).startswith('<p><span class="nowrap"><span class="math"')


def test_money_stays_money() -> None:
    assert render_body("costs $5 and $10, or $x$1") == "<p>costs $5 and $10, or $x$1</p>\n"


_TEX = st.lists(
    st.sampled_from(
        [
            "x",
            "^",
            "_",
            "{",
            "}",
            "\\frac",
            "\\mathop",
            "\\mathrm",
            "\\mathbf",
            "\\boldsymbol",
            "\\sim",
            "\\text{",
            "<",
            "&",
            "\\\\",
            "\\begin{aligned}",
            "\\end{aligned}",
            "\\left(",
            "\\right)",
            "\\sqrt",
            "2",
            "\\alpha",
            "\\operatorname*",
            "\\mathscr",
            "&#x1;",
            " ",
        ]
    ),
    max_size=12,
).map("".join)


@given(_TEX)
@settings(max_examples=300, deadline=None)
def test_any_formula_is_well_formed_mathml_or_its_source(tex: str) -> None:
    html = tex_to_mathml(tex, display=False)
    if html.startswith('<code class="tex">'):
        return
    math = ET.fromstring(html).find(f"{MATHML}math")
    assert math is not None
    for element in math.iter():
        assert element.tag.startswith(MATHML), element.tag
        if element.tag in TOKENS:
            assert len(element) == 0, f"{element.tag} holds elements: {html}"


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("\\alpha", "α"),
        ("x^2 + y^2 = z^2", "x² + y² = z²"),  # operators between operands spaced
        ("\\mathcal{O}(n \\log n)", "𝒪(n log n)"),  # a function's name apart from its neighbours
        ("\\sim 3\\times", "∼3×"),  # no space where no operand is
        ("a = -b", "a = −b"),
        ("x_{i+1}", "xᵢ₊₁"),  # scripts in Unicode's small characters when each has one
        ("O(n^{2.5})", "O(n^2.5)"),  # else after a mark
        ("e^{-x^2}", "e^(−x²)"),  # in parentheses when more than a term
        ("\\frac{a+b}{c-d}", "(a + b)/(c − d)"),
        ("\\frac{1}{\\sqrt{d_k}}", "1/√dₖ"),
        ("\\sum_{i=1}^{n} w_i x_i", "∑ᵢ₌₁ⁿ wᵢxᵢ"),
        ("\\lim_{n\\to\\infty} f(n)", "lim_(n→∞) f(n)"),
        ("\\hat{x} \\tilde{y} \\overline{AB}", "x\u0302y\u0303A\u0305B\u0305"),  # combining accents
        ("\\mathbf{x}^\\top A", "𝐱ᵀA"),
        ("x'", "x′"),
        ("\\begin{pmatrix}a & b\\\\ c & d\\end{pmatrix}", "(a b; c d)"),
        ("\\text{if } x > 0", "if x > 0"),
        ("\\phantom{x}y", "y"),
        ("\\frac{", "\\frac{"),  # what cannot be converted stays as written
        ("\\binom{n}{k}", "(n choose k)"),  # was `(n/k)`, a fraction
        ("a^bc", "a^b c"),  # was `a^bc`, read as a^(bc)
        ("x_{i,j}^{(t)}", "x_(i,j)^(t)"),  # was `x_i,j^(t)`
        ("\\ensuremath{x} + 1", "x + 1"),  # was `\\ensuremathx + 1`
        ("\\foo{x}", "\\foo x"),  # an unknown command as written, apart from its argument
        ("Fre\u0301chet", "Fréchet"),  # a letter and its combining accent are one
    ],
)
def test_formulas_as_plain_text(tex: str, text: str) -> None:
    assert tex_to_text(tex) == text


def test_a_formula_s_plain_text_is_its_mathml_s_alttext() -> None:
    html = tex_to_mathml("a < \\alpha", display=False)
    math = ET.fromstring(html).find(f"{MATHML}math")
    assert math is not None and math.get("alttext") == tex_to_text("a < \\alpha") == "a < α"


def test_titles_and_excerpts_show_formulas_as_text() -> None:
    title, text = render_inline_and_text("$\\alpha$-Tuning of $\\mathcal{O}(n^2)$ models")
    assert text == "α-Tuning of 𝒪(n²) models"
    assert "<math" in title
    _, text = render_body_and_text("A $\\sim 3\\times$ speedup:\n\n$$\\sum_i x_i$$\n\nin $O(n)$ time.")
    assert text == "A ∼3× speedup:\n\n∑ᵢ xᵢ\n\nin O(n) time."


@given(_TEX)
@settings(max_examples=300, deadline=None)
def test_any_formula_has_a_plain_text_on_one_line(tex: str) -> None:
    text = tex_to_text(tex)
    assert "\n" not in text and text == text.strip()
    assert text or not tex.strip()


@pytest.mark.parametrize(
    "nested",
    [
        lambda n: "\\sqrt[" * n + "3" + "]{x}" * n,
        lambda n: "\\begin{matrix}" * n + "a & b" + "\\end{matrix}" * n,
    ],
    ids=["roots", "matrices"],
)
def test_nesting_costs_work_in_proportion(monkeypatch: pytest.MonkeyPatch, nested: Any) -> None:
    """Each element is read once for the plain text: reading a root's index or a table's
    cells twice doubled the work at each level, and 30 nested roots (300 characters, which
    the checker lets through) hung the build."""
    calls = record_calls(monkeypatch, mathml, "_plain", lambda *args: 1)
    mathml._converted.cache_clear()
    tex_to_mathml(nested(8), display=False)
    eight = len(calls)
    calls.clear()
    tex_to_mathml(nested(16), display=False)
    assert len(calls) <= 3 * eight


@pytest.mark.parametrize(
    ("tex", "row", "text"),
    [
        ("\\exp(-x)", '<mo stretchy="false">(</mo><mo form="prefix">−</mo><mi>x</mi>', "exp(−x)"),
        ("\\rho=-0.3", '<mo>=</mo><mo form="prefix">−</mo><mn>0.3</mn>', "ρ = −0.3"),
        ("a - b", "<mi>a</mi><mo>−</mo><mi>b</mi>", "a − b"),  # a subtraction
        ("92.1 \\pm 0.3", "<mn>92.1</mn><mo>±</mo><mn>0.3</mn>", "92.1 ± 0.3"),  # the converter's mi
        ("A \\iff B", "<mi>A</mi><mo>⟺</mo><mi>B</mi>", "A ⟺ B"),
    ],
)
def test_signs_and_relations_are_spaced_as_tex_spaces_them(tex: str, row: str, text: str) -> None:
    assert row in mathml_row(tex)
    assert tex_to_text(tex) == text


@pytest.mark.parametrize(
    ("tex", "row", "text"),
    [
        (
            "\\operatorname{arg\\,min}_\\theta f",
            '<msub><mi>arg\u2009min</mi><mi>θ</mi></msub><mspace width="0.1667em"></mspace><mi>f</mi>',
            "arg min_θ f",
        ),
        (
            "\\mathop{\\arg\\max}_y f",
            '<msub><mi>arg\u2009max</mi><mi>y</mi></msub><mspace width="0.1667em"></mspace><mi>f</mi>',
            "arg max_y f",
        ),
        ("\\label{eq:1} x=1", "<mi>x</mi><mo>=</mo><mn>1</mn>", "x = 1"),  # no number to refer to
        ("E = mc^2 \\tag{3}", "<msup><mi>c</mi><mn>2</mn></msup></mrow>", "E = mc²"),
    ],
)
def test_operator_names_and_labels_as_abstracts_write_them(tex: str, row: str, text: str) -> None:
    """`\\operatorname{arg\\,min}` became an empty operator and italic letters; `\\arg` inside
    `\\mathop` and `\\label{...}` were shown as commands."""
    assert row in mathml_row(tex)
    assert tex_to_text(tex) == text


@pytest.mark.parametrize(
    ("tex", "text"),
    [("25^{\\circ}C", "25°C"), ("90^\\circ", "90°"), ("^\\circ", "°"), ("f \\circ g", "f ∘ g")],
)
def test_degrees_are_a_degree_sign(tex: str, text: str) -> None:
    """`25$^\\circ$C` read "25^(∘)C" in titles and excerpts; a composition stays a ring."""
    assert tex_to_text(tex) == text


@pytest.mark.parametrize(
    ("tex", "row"),
    [
        ("3.5\\times", '<mrow><mn>3.5</mn><mo lspace="0" rspace="0">×</mo></mrow>'),  # "3.5× faster"
        ("N+", '<mrow><mi>N</mi><mo lspace="0" rspace="0">+</mo></mrow>'),
        ("2\\times 3", "<mrow><mn>2</mn><mo>×</mo><mn>3</mn></mrow>"),  # between operands: spaced
        ("x=", "<mrow><mi>x</mi><mo>=</mo></mrow>"),  # a relation keeps its space, as in TeX
    ],
)
def test_a_binary_operator_ending_its_formula_is_set_close(tex: str, row: str) -> None:
    assert row in tex_to_mathml(tex, False)


@pytest.mark.parametrize(
    ("tex", "row", "text"),
    [
        ("f: X \\to Y", "<mi>f</mi><mo>:</mo><mi>X</mi><mo>→</mo><mi>Y</mi>", "f : X → Y"),  # a relation
        ("x := y", "<mi>x</mi><mo>≔</mo><mi>y</mi>", "x ≔ y"),  # one symbol, not a letter and an operator
    ],
)
def test_colons_are_relations_as_in_tex(tex: str, row: str, text: str) -> None:
    assert f"<mrow>{row}</mrow>" in tex_to_mathml(tex, False)
    assert tex_to_text(tex) == text


@pytest.mark.parametrize(
    ("tex", "row"),
    [
        ("x : -1", '<mi>x</mi><mo>:</mo><mo form="prefix">−</mo><mn>1</mn>'),  # a sign after a relation
        (
            "a \\mathbin{xor} b",
            '<mi>a</mi><mo lspace="0.22em" rspace="0.22em">xor</mo><mi>b</mi>',
        ),  # its own spacing
        ("\\liminf x", f'<mi movablelimits="true">lim\u2006inf</mi>{THIN}<mi>x</mi>'),  # a name with a space
        ("a ::= b", "<mi>a</mi><mo>:</mo><mo>:</mo><mo>=</mo><mi>b</mi>"),  # only `:=` is one symbol
    ],
)
def test_review_cases_of_names_and_colons(tex: str, row: str) -> None:
    assert f"<mrow>{row}</mrow>" in tex_to_mathml(tex, False)


@pytest.mark.parametrize("code", ["x202E", "x2066", "x200B", "xFEFF", "x0007", "65"])
def test_unicode_gives_no_character_that_does_not_show(code: str) -> None:
    """`\\unicode{x202E}` in a title would reorder the text around it in every output, past
    the checks of typed text; such characters come out as U+FFFD."""
    mathml, text = tex_to_mathml(f"a\\unicode{{{code}}}b", False), tex_to_text(f"a\\unicode{{{code}}}b")
    for character in ("\u202e", "\u2066", "\u200b", "\ufeff", "\x07"):
        assert character not in mathml and character not in text
    assert ("A" if code == "65" else "\ufffd") in text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        ("\\unicode{60}", "<"),
        ("\\unicode{x3C}", "<"),
        ("\\unicode{0x3C}", "<"),
        ("\\unicode{ x1D49C }", "𝒜"),
    ],
)
def test_unicode_reads_decimal_and_hexadecimal_codes_as_mathjax_does(tex: str, text: str) -> None:
    assert tex_to_text(tex) == text
    assert "&amp;#" not in tex_to_mathml(tex, False)


def test_unicode_without_a_code_shows_the_formula_as_written() -> None:
    assert tex_to_mathml("x \\unicode{0xZZ}", False) == '<code class="tex">x \\unicode{0xZZ}</code>'


@pytest.mark.parametrize(
    ("tex", "row"),
    [
        ("a\\hspace{99999em}b", '<mi>a</mi><mspace width="2em"></mspace><mi>b</mi>'),
        ("a\\kern9999pt b", '<mi>a</mi><mspace width="2em"></mspace><mi>b</mi>'),
        ("a\\mkern{-9999mu}b", '<mi>a</mi><mspace width="-2em"></mspace><mi>b</mi>'),
        ("a\\hskip{3in}b", '<mi>a</mi><mspace width="2em"></mspace><mi>b</mi>'),
        ("\\lower{50em}{L}", '<mpadded height="-2em" depth="+2em"><mrow><mi>L</mi></mrow></mpadded>'),
        ("\\raise{9cm}{L}", '<mpadded height="+2em" depth="-2em"><mrow><mi>L</mi></mrow></mpadded>'),
        ("a\\moveleft{50ex}{L}", '<mi>a</mi><mpadded lspace="-2em"><mrow><mi>L</mi></mrow></mpadded>'),
        ("\\rule{99em}{999px}", '<mspace width="2em" height="2em"></mspace>'),
        ("\\lower{-5em}{L}", "<mpadded><mrow><mi>L</mi></mrow></mpadded>"),  # `+-5em`: no length
    ],
)
def test_lengths_are_held_to_a_few_em(tex: str, row: str) -> None:
    """`\\hspace{99999em}` in a title was a space 1.6 million pixels wide, on its page and in
    the pager of the papers beside it; `\\lower{50em}` an 866-pixel gap in an abstract."""
    assert mathml_row(tex) == f"<mrow>{row}</mrow>"


@pytest.mark.parametrize(
    ("tex", "row"),
    [
        (
            "a\\,b\\quad c\\qquad d\\!e",
            '<mi>a</mi><mspace width="0.167em"></mspace><mi>b</mi><mspace width="1em"></mspace><mi>c</mi>'
            '<mspace width="2em"></mspace><mi>d</mi><mspace width="negativethinmathspace"></mspace><mi>e</mi>',
        ),
        ("a\\hspace{1.5em}b\\kern-3pt c", '<mspace width="1.5em"></mspace><mi>b</mi><mspace width="-3pt">'),
        ("\\Bigg( \\Huge x", '<mo minsize="2.470em" maxsize="2.470em">(</mo><mstyle mathsize="2.49em">'),
        ("\\clap{x}", '<mpadded lspace="-0.5width" width="0px">'),
        ("a \\xrightarrow{f} b", '<mpadded width="+0.833em" lspace="0.556em" height="-.2em">'),
    ],
)
def test_lengths_within_the_bound_stay_as_written(tex: str, row: str) -> None:
    assert row in mathml_row(tex)


_EMS = {"em": 1, "ex": 0.5, "pt": 1 / 12, "bp": 1 / 12, "px": 1 / 16, "mu": 1 / 18, "pc": 1, "in": 6, "": 1}


@given(
    st.sampled_from(
        ["\\hspace", "\\kern", "\\mkern", "\\mskip", "\\lower", "\\raise", "\\moveleft", "\\rule"]
    ),
    st.from_regex(r"[+-]?[0-9]{1,12}(\.[0-9]{0,4})?", fullmatch=True),
    st.sampled_from(list(_EMS)),
)
@settings(max_examples=200, deadline=None)
def test_no_length_is_beyond_the_bound(command: str, number: str, unit: str) -> None:
    tex = f"a{command}{{{number}{unit}}}{{{number}{unit}}}b"  # `\\rule` reads two lengths
    math = ET.fromstring(tex_to_mathml(tex, display=False)).find(f"{MATHML}math")
    assert math is not None
    for element in math.iter():
        for name in ("width", "height", "depth", "lspace", "rspace"):
            length = re.fullmatch(r"[+-]?([0-9.]+)([a-z]*)", element.get(name, "0"))
            assert length is not None and float(length[1]) * _EMS[length[2]] <= 2, tex


@pytest.mark.parametrize(
    ("tex", "sizes"),
    [
        ("\\Huge{\\Huge{\\Huge x}}", ["2.49em", "1em", "1em"]),  # Huge, not 2.49 cubed
        ("\\Huge x \\small y", ["2.49em", "0.3414em"]),  # y small (0.85em), not 2.49 x 0.85
        ("\\Huge x", ["2.49em"]),
        ("\\small y", ["0.85em"]),
    ],
)
def test_size_commands_set_a_size_and_do_not_multiply(tex: str, sizes: list[str]) -> None:
    assert re.findall(r'mathsize="([^"]*)"', tex_to_mathml(tex, display=False)) == sizes


def test_a_letter_and_its_combining_accent_are_one_identifier() -> None:
    """The accent was an identifier of its own, drawn apart from its letter."""
    assert "<mi>é</mi>" in tex_to_mathml("Fre\u0301chet", display=False)
