"""Markdown + TeX to HTML: what real abstracts contain renders, and nothing unsafe gets through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markup import (
    _character_start,
    excerpt,
    render_body,
    render_body_and_text,
    render_inline,
    render_inline_and_text,
    to_text,
)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("Fr\\'echet", "Fréchet"),
        ("Fr\\'{e}chet", "Fréchet"),
        ('Schr\\"odinger and G\\"{o}del', "Schrödinger and Gödel"),
        ("Erd\\H{o}s and \\v{C}ech and Fran\\c{c}ois", "Erdős and Čech and François"),
        ("Models~(MLMs)", "Models\u00a0(MLMs)"),
        ("Fly -- a Gym", "Fly – a Gym"),
        ("yes --- no", "yes — no"),
        ("50\\% faster \\& better", "50% faster & better"),
        ("\\emph{new} and \\textbf{bold}", "new and bold"),
        ("\\texttt{my\\_tool} at 50\\%", "my_tool at 50%"),  # TeX's escapes undone in code too
        ("the 5\\textsuperscript{th} run, H\\textsubscript{2}O", "the 5th run, H2O"),
        ("a \\textless{} b \\textgreater{} c, one\\newline two", "a < b > c, one two"),
        ("our \\method{} beats", "our \\method beats"),
        ("Stra\\ss{}e", "Straße"),
        ("Nguy\\~{\\^e}n, \\dag, \\texteuro{}5", "Nguyễn, †, €5"),  # an accent over an accented letter
        ("\\LaTeX{} documents", "LaTeX documents"),
        ("costs $5 and $10", "costs $5 and $10"),
        ("We call it ``fast'' and ``slow'' modes", "We call it “fast” and “slow” modes"),  # no code span
        ('A ``Read--Write" loop', "A “Read–Write” loop"),  # closed as some abstracts close it
        ("a 5'' screen and ``code``", "a 5'' screen and code"),  # no quotes opened: as written
        ("``run''' of quotes", "\u201crun\u201d' of quotes"),  # a run of three: its first pair closes
        ("10\\,GB, 5\\;ms, \\method\\ here, a\\!b", "10\u2009GB, 5\u2005ms, \\method here, ab"),  # TeX spaces
    ],
)
def test_tex_text_rules(source: str, text: str) -> None:
    assert to_text(source) == text


def test_inline_and_display_math_become_mathml() -> None:
    html = render_body("Let $x^2$ and \\(y_1\\) and\n\n$$\\frac{a}{b}$$\n\nand \\[z\\].")
    assert html.count("<math ") == 4
    assert html.count('display="block"') == 2
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in html
    assert "data-pagefind-ignore" in html


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("a 2.5$\\times$ speedup", "a 2.5× speedup"),
        ("1.8$\\times$--3.1$\\times$ faster", "1.8×–3.1× faster"),
        ("a rate of 10$^{-3}$", "a rate of 10⁻³"),
        ("50$\\%$ of them", "50% of them"),
        ("1,000$+$ papers", "1,000+ papers"),
        ("x$_1$ and x2$_i$", "x₁ and x2ᵢ"),
        ("5$ per hour and 6$ more", "5$ per hour and 6$ more"),
        ("between 5$-10$ a month", "between 5$-10$ a month"),
        ("$k$-means on GPT-4", "k-means on GPT-4"),  # a formula at the start of a text ending in a digit
        ("\\$k$ is escaped", "$k$ is escaped"),
        ("a \\\\$k$ after a line break", "a k after a line break"),
        ("$ k$ and $k $ stay text", "$ k$ and $k $ stay text"),
        ("$k$5 stays text", "$k$5 stays text"),
        ("double $$a_1$$ inline", "double a₁ inline"),
        ("US$5, or 5$ for members", "US$5, or 5$ for members"),
    ],
)
def test_math_right_after_a_number_is_math_when_it_reads_as_tex(source: str, text: str) -> None:
    """Abstracts write `2.5$\\times$` and `10$^{-3}$`; prices (`5$ per hour`) stay text."""
    assert to_text(source) == text
    assert ("<math " in render_body(source)) == ("$" not in text)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("under $5k per run, 10$\\times$ cheaper", "under $5k per run, 10× cheaper"),
        ("for $5k with 10$\\times$ less", "for $5k with 10× less"),
        (
            "$2\\times$ and $10\\,\\mathrm{ms}$, $5 \\text{ GB}$, $1{\\rm th}$",
            "2× and 10\xa0ms, 5\xa0GB, 1th",
        ),
        ("$1^{st}$ and $10\\,ms$ at $2.5 GHz$", "1^st and 10\xa0ms at 2.5GHz"),  # scripts and units: math
    ],
)
def test_a_dollar_before_a_number_and_words_is_an_amount(source: str, text: str) -> None:
    """A formula does not hold words of prose (TeX would set `per` in italics): `$5k per run
    ... 10$` is an amount and text, and the `$\\times$` after it a formula."""
    assert to_text(source) == text


def test_math_that_cannot_be_converted_is_shown_as_source() -> None:
    html = render_body("broken $x^$ here")
    assert '<code class="tex">' in html or "x^" in html
    assert "<math" not in html or "x" in html


def test_emphasis_and_urls_render() -> None:
    html = render_body("a *two-stage* method, code at https://github.com/o/r.")
    assert "<em>two-stage</em>" in html
    assert '<a href="https://github.com/o/r" rel="noopener noreferrer nofollow ugc">' in html


@pytest.mark.parametrize(
    ("tex", "mathml"),
    [
        ("\\text{a<b}", "<mtext>a&lt;b</mtext>"),
        ("\\text{x <y}", "<mtext>x\u00a0&lt;y</mtext>"),
        ("\\text{<!--}z", "<mtext>&lt;!--</mtext><mi>z</mi>"),
        ("\\text{&amp;}", "<mtext>&amp;amp;</mtext>"),
        ("x < y \\& z", "<mi>x</mi><mo>&lt;</mo><mi>y</mi><mi>&amp;</mi><mi>z</mi>"),
    ],
)
def test_text_in_formulas_is_text_however_it_looks(tex: str, mathml: str) -> None:
    html = render_body(f"Let ${tex}$ hold.")
    assert f"<mrow>{mathml}</mrow></math>" in html
    assert html.count("<math ") == html.count("</math>") == 1


@pytest.mark.parametrize(
    ("text", "href", "shown"),
    [
        ("www.cs.toronto.edu/~kriz/cifar.html", "http://www.cs.toronto.edu/~kriz/cifar.html", None),
        ("github.com/a/b--c", "http://github.com/a/b--c", None),
        (
            "https://github.com/foo/my\\_repo",
            "https://github.com/foo/my_repo",
            "https://github.com/foo/my_repo",
        ),
        ("https://x.org/a~b/c--d", "https://x.org/a~b/c--d", None),
        ("x.org/a\\_b", "http://x.org/a_b", "x.org/a_b"),
        (
            "\\url{https://github.com/a/my\\_tool}",
            "https://github.com/a/my_tool",
            "https://github.com/a/my_tool",
        ),
        ("\\url{https://x.org/50\\%25}", "https://x.org/50%25", "https://x.org/50%25"),
        ("\\href{https://x.org/data\\_set\\#top}{the data}", "https://x.org/data_set#top", "the data"),
    ],
)
def test_links_in_text_keep_their_tildes_dashes_and_lose_tex_escapes(
    text: str, href: str, shown: str | None
) -> None:
    html = render_body(f"Code and data: {text}.")
    assert f'<a href="{href}" rel="noopener noreferrer nofollow ugc">{shown or text}</a>.' in html


@pytest.mark.parametrize(
    ("text", "href", "shown"),
    [
        ("\\href{https://a.org/}{[the code](https://b.org/)} here", "https://a.org/", "the code"),
        ("\\href{https://a.org/}{[*the* code](https://b.org/)} here", "https://a.org/", "<em>the</em> code"),
        (
            "[\\href{https://a.org/}{[the code](https://b.org/)}](https://c.org/) here",
            "https://c.org/",
            "the code",
        ),
        ("\\href{https://a.org/}{} here", "https://a.org/", "https://a.org/"),
        ("\\href{https://a.org/}{ } here", "https://a.org/", "https://a.org/"),
    ],
)
def test_a_link_never_holds_a_link_nor_nothing(text: str, href: str, shown: str) -> None:
    """A link inside a link is invalid HTML (browsers make two of it); an empty one is read
    out by screen readers as nothing at all."""
    html = render_body(text)
    assert html.count("<a ") == 1 and html.count("</a>") == 1
    assert f'<a href="{href}" rel="noopener noreferrer nofollow ugc">{shown}</a> here' in html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "\\href{github.com/a/b}{our repo}",
            '<a href="http://github.com/a/b" rel="noopener noreferrer nofollow ugc">our repo</a>',
        ),
        ("\\href{ftp://x.org/f}{data}", "data (ftp://x.org/f)"),
        ("\\href{javascript:alert(1)}{x}", "x (javascript:alert(1))"),
        ("\\href{}{bar}", "bar"),  # no address to keep
    ],
)
def test_an_href_without_a_scheme_links_as_text_does_and_one_not_linked_keeps_its_address(
    text: str, html: str
) -> None:
    """Both showed the label alone: the address was lost, though `\\url{github.com/a/b}` links."""
    assert render_body(text) == f"<p>{html}</p>\n"


def test_tildes_and_dashes_outside_links_stay_tex() -> None:
    assert to_text("e.g.~10 -- and 3.2/4--5 at x.org/a--b") == "e.g.\u00a010 – and 3.2/4–5 at x.org/a--b"
    assert (
        to_text("a~~b, ~~c~~ and Fig.~") == "a\u00a0\u00a0b, \u00a0\u00a0c\u00a0\u00a0 and Fig."
    )  # ties, as before
    # A `~` after a space or a bracket is "about", as arXiv shows it, not a tie.
    assert to_text("by ~40% with (~1B tokens), a ~ b, Models~(MLMs)") == (
        "by ~40% with (~1B tokens), a ~ b, Models\u00a0(MLMs)"
    )
    assert '<a href="http://www.x.org/~a"' in render_body("www.x.org/~a first, then text")
    assert to_text("Llama.cpp/vLLM--based") == "Llama.cpp/vLLM–based"  # no link: `.cpp` is no domain
    long_word = "y" * 400 + ".org/a--b"  # not looked at whole: a long paragraph stays linear
    assert to_text(long_word) == "y" * 400 + ".org/a–b"


def test_references_in_formulas_to_characters_xml_refuses_are_replaced() -> None:
    html = render_body("A $\\text{&#x1;&#x80;&#xFFFE;&#xD800;&#x41;}$ formula.")
    assert "<mtext>\ufffd\ufffd\ufffd\ufffdA</mtext>" in html


def test_headings_in_abstracts_start_below_the_page_heading() -> None:
    html = render_body("# Intro\n\ntext")
    assert "<h3>Intro</h3>" in html
    assert "<h1" not in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<div onclick='x()'>hi</div>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java\nscript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
        "\\href{javascript:alert(1)}{click}",
        "\\url{javascript:alert(1)}",
        "$\\href{javascript:alert(1)}{x}$",
        "$\\text{<script>alert(1)</script>}$",
        "$$\\text{<img src=x onerror=alert(1)>}$$",
    ],
)
def test_no_markup_or_script_from_content_reaches_the_page(attack: str) -> None:
    for html in (render_body(attack), render_inline(attack)):
        assert "<script" not in html.lower()
        assert "<img" not in html.lower()
        assert "<div" not in html.replace('<div class="math-display" tabindex="0">', "").lower()
        assert not re.search(r"\son\w+\s*=", re.sub(r'"[^"]*"', '""', _tags(html)))  # names, not values
        assert "javascript:" not in _attributes(html).lower()
        assert "vbscript:" not in _attributes(html).lower()
        assert "data:" not in _attributes(html).lower()


@pytest.mark.parametrize(
    "source",
    [
        "[v](https://github.com@evil.example/)",
        "[v](https://example.com\\@evil.example)",
        "<https://user:pass@evil.example/>",
        "\\href{https://github.com@evil.example/}{v}",
    ],
)
def test_links_behind_a_user_name_go_nowhere_else(source: str) -> None:
    """The host of `https://github.com@evil.example/` is evil.example: no such link is made."""
    html = render_body(source)
    assert "evil.example" not in " ".join(re.findall(r'href="([^"]*)"', html))
    assert re.sub(r"<[^>]+>", "", html).strip().startswith(("v", "[v]", "&lt;"))  # the text stays


@pytest.mark.parametrize(
    ("source", "href", "after"),
    [
        (
            "https://llm-stacking.github.io/{https://llm-stacking.github.io/}",
            "https://llm-stacking.github.io/",
            "{https://llm-stacking.github.io/}",
        ),
        (
            "https://github.com/x/ChronoDepth/{this http URL}",
            "https://github.com/x/ChronoDepth/",
            "{this http URL}",
        ),
        (
            "github.com/foo/bar{github.com/foo/bar}",
            "http://github.com/foo/bar",
            "{github.com/foo/bar}",
        ),  # no scheme
    ],
)
def test_a_link_found_in_text_ends_before_a_brace(source: str, href: str, after: str) -> None:
    """arXiv's `\\href{url}{url}`, as copies of its listings keep it: the address is linked, the rest is text."""
    html = render_body(f"Code: {source} here.")
    assert re.findall(r'href="([^"]*)"', html) == [href]
    assert f"</a>{after} here." in html


def _tags(html: str) -> str:
    return " ".join(re.findall(r"<[a-zA-Z][^>]*>", html))


def _attribute_names(html: str) -> str:
    """The tags with every quoted value emptied: what is left is names (a formula's
    `alttext` may spell `onerror=`, escaped inside its quotes, which is harmless)."""
    return re.sub(r'"[^"]*"', '""', _tags(html))


def _attributes(html: str) -> str:
    """The values of attributes that hold URLs (a class like `language-javascript:` is harmless)."""
    return " ".join(re.findall(r'\s(?:href|src|action|formaction|xlink:href)="[^"]*"', _tags(html)))


ALLOWED_TAGS = {
    "p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6",
    "hr", "br", "span", "div", "s", "u", "sup", "sub", "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom",
    "menclose", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mlabeledtr", "semantics",
    "annotation", "mmultiscripts", "mprescripts", "none", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"ab $\\{}<>[]()*_~-`'\"#:/=&;\n|",
                "javascript:",
                "href",
                "script",
                "onerror=",
                "\\url",
                "\\emph",
                "\\'",
                "$$",
                "\\(",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_rendering_any_text_only_emits_allowed_elements(text: str) -> None:
    for html in (render_body(text), render_inline(text)):
        tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html))
        assert tags <= ALLOWED_TAGS
        assert "javascript:" not in _attributes(html)
        assert not re.search(r"\son[a-z]+=", _attribute_names(html))


def test_excerpt_cuts_at_a_word() -> None:
    assert excerpt("word " * 100, 50).endswith("word…")
    assert len(excerpt("word " * 100, 50)) <= 51
    assert excerpt("short", 50) == "short"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("深" * 5 + "👩🏽\u200d💻" + "字" * 10, "深" * 5),  # an emoji with its skin tone and what it joins
        ("字" * 4 + "🇯🇵🇫🇷" + "字" * 10, "字" * 4 + "🇯🇵"),  # a flag's two letters
        ("e\u0301" * 10, "e\u0301" * 3),  # a letter with its accent
        ("a" + "\u0301" * 40, "a" + "\u0301" * 6),  # accents alone: cut where they are
    ],
)
def test_an_excerpt_without_spaces_is_not_cut_inside_a_character(text: str, shown: str) -> None:
    """Cut by code points, it lost a skin tone or half a flag, or left an accent alone."""
    assert excerpt(text, 7) == shown + "…"


def _whole_text_excerpt(text: str, limit: int) -> str:
    """The excerpt as first written: every space of the text collapsed before cutting."""
    text = re.sub(r"[ \t\n]+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else _character_start(text, limit)].rstrip(" ,.;:") + "…"


@given(
    st.lists(st.sampled_from(["a", "word", " ", "  ", "\n", "\t", "\n\n", ".", ",", "é", "\u00a0"])).map(
        "".join
    ),
    st.integers(min_value=1, max_value=40),
)
@settings(max_examples=1500)
def test_excerpt_reads_only_the_head_of_long_texts_with_the_same_result(text: str, limit: int) -> None:
    assert excerpt(text, limit) == _whole_text_excerpt(text, limit)


_LINKISH = st.lists(
    st.sampled_from(
        [
            *"ab.:/@wxlocahstpfimT1-_ ",
            "www.",
            ".com",
            "рф",
            "localhost",
            "HTTP",
            "ſ",
            "\u212a",
            "12",
            "é",
            "e.g.",
        ]
    )
).map("".join)


@given(st.one_of(_LINKISH, st.text()))
@settings(max_examples=2000)
def test_quick_link_check_never_hides_a_link(text: str) -> None:
    """The cheap pre-check only skips texts that linkify-it's own checks would skip too:
    its pre-check and its full test, which the core linkify rule asks of every text token."""
    from linkify_it import LinkifyIt

    from generator.markup import _may_link

    linkify = LinkifyIt()
    if linkify.pretest(text) or linkify.test(text):
        assert _may_link(text), text
    if "://" in text:  # the short cut past linkify-it's own pre-check
        assert linkify.pretest(text), text


@pytest.mark.parametrize(
    "text",
    ["see github.com/org/repo", "at www.example.org today", "mail a@b.io", "http://x.y", "см. пример.рф"],
)
def test_bare_links_still_become_links(text: str) -> None:
    assert "<a href=" in render_inline(text)


def test_an_excerpt_is_not_cut_inside_a_short_formula() -> None:
    """Formulas read as plain text have spaces (`O(n log n)`): an excerpt cut there showed
    "we use 𝒪(n…". Short ones keep them as no-break spaces; long ones may still break."""
    text = to_text("Words here. " * 21 + "we use $\\mathcal{O}(n \\log n)$ time and more words after it.")
    assert "𝒪(n\u00a0log\u00a0n)" in text
    cut = excerpt(text, 265)  # the limit falls inside the formula
    assert cut.endswith("we use…")
    long = to_text("$" + " + ".join(f"x_{i}" for i in range(30)) + "$")
    assert " " in long and "\u00a0" not in long


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("an {\\em adaptive} method", "an <em>adaptive</em> method"),
        ("{\\bf Bold} and {\\sc Name}", '<strong>Bold</strong> and <span class="small-caps">Name</span>'),
        ("{\\it x {\\bf y}} z", "<em>x <strong>y</strong></em> z"),
        ("{plain} and {\\emphasis x}", "{plain} and {\\emphasis x}"),  # not a style: as written
        ("unclosed {\\em here", "unclosed {\\em here"),
        ("{\\it a \\bf b} c", "<em>a b</em> c"),  # a switch mid-group has no text (it showed `\\bf`)
        ("\\bf Keywords: x", "\\bf Keywords: x"),  # outside any group: as written
    ],
)
def test_old_style_tex_groups_are_styled(source: str, html: str) -> None:
    """arXiv abstracts still write `{\\em ...}` and `{\\bf ...}`: they showed as written."""
    assert render_body(source) == f"<p>{html}</p>\n"


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("an \\(open formula", "an \\(open formula"),
        ("opens \\[ a display", "opens \\[ a display"),
        ("a stray \\) closer and \\] another", "a stray \\) closer and \\] another"),
        ("\\(x\\) then \\(y", " then \\(y"),  # the second never closes
    ],
)
def test_a_formula_delimiter_never_closed_or_opened_is_shown_as_written(source: str, shown: str) -> None:
    """Markdown's escape took the backslash: an unclosed `\\(open` showed "(open"."""
    html, text = render_body_and_text(source)
    title, title_text = render_inline_and_text(source)
    assert all(shown in output for output in (html, text, title, title_text))


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("the \\emph{$\\alpha}$-divergence", "the <em>$\\alpha</em>$-divergence"),
        ("\\emph{cost $x} here$ too", "<em>cost $x</em> here$ too"),
        ("{\\bf a $b} c$", "<strong>a $b</strong> c$"),
    ],
)
def test_a_formula_opened_in_a_tex_group_closes_inside_it_or_stays_text(source: str, html: str) -> None:
    """The formula once ran past the group's brace: `<em>` held a formula of `\\alpha}`, and
    "here" showed twice, inside the formula and after it."""
    assert render_body(source) == f"<p>{html}</p>\n"
    assert "<math" in render_body("the \\emph{$\\alpha$}-divergence")


def test_a_line_from_double_dollars_to_double_dollars_with_more_between_is_text_with_formulas() -> None:
    """It was one display formula of the words between (`k$$-means clustering runs...`),
    and so were the page's description and feed summary."""
    html, text = render_body_and_text("$$k$$-means clustering runs in time $$O(n \\log n)$$")
    assert text == "k-means clustering runs in time O(n log n)"
    assert html.count("<math") == 2 and "clustering runs in time" in html
    assert render_body_and_text("$$ a+b $$")[0].count("<math") == 1  # a display formula stays one


@pytest.mark.parametrize("name", ["equation", "equation*", "align", "align*", "gather", "eqnarray*"])
def test_display_environments_in_the_text_are_formulas(name: str) -> None:
    """MathJax renders `\\begin{equation}` written outside dollars on arXiv; it showed as TeX."""
    html = render_body(f"so \\begin{{{name}}} E = mc^2 \\\\ a = b \\end{{{name}}} holds")
    assert html.count('display="block"') == 1 and "\\begin" not in html and "\\end" not in html
    assert "<msup><mi>c</mi><mn>2</mn></msup>" in html


@pytest.mark.parametrize(
    ("source", "kept", "text"),
    [
        ("the $\\alpha$-divergences here", "MATH-divergences", "the α-divergences here"),
        ("a rate of 10$^{-3}$ and", "10MATH", "a rate of 10⁻³ and"),
    ],
)
def test_a_formula_stays_on_the_line_of_the_word_written_against_it(
    source: str, kept: str, text: str
) -> None:
    """A card broke after `α` and began its next line with "-divergences"."""
    html = re.sub(r'<span class="math".*?</math></span>', "MATH", render_body(source))
    assert f'<span class="nowrap">{kept}</span>' in html
    assert "nowrap" not in render_body("a $b$ c")  # spaced apart: nothing to keep together
    assert to_text(source) == text  # the plain text does not see the span


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("Fr{\\'e}chet", "Fréchet"),
        ('G{\\"o}del and G{\\"{o}}del', "Gödel and Gödel"),
        ("{\\ss}, Pe{\\~n}a", "ß, Peña"),
        ('Na\\"{\\i}ve', "Naïve"),
        ("\\o{}degaard", "ødegaard"),
        ('\\AA ngstr\\"om', "Ångström"),
        ("\\ldots and \\LaTeX{} too", "… and LaTeX too"),
    ],
)
def test_tex_letters_in_groups_and_before_spaces_show_as_letters(source: str, shown: str) -> None:
    """Braces around one letter are TeX's grouping, never text; a letter command's name takes
    the spaces after it, a word's (`\\ldots`) does not."""
    assert render_body(source) == f"<p>{shown}</p>\n"


@pytest.mark.parametrize(("formula", "text"), [("95%", "95%"), ("3.2\\%", "3.2%"), ("a % b", "a%b")])
def test_a_percent_sign_in_a_formula_is_a_percent_sign(formula: str, text: str) -> None:
    """Not a TeX comment eating the rest of the formula: abstracts write `$95%$`."""
    html = render_body(f"Accuracy reaches ${formula}$ here.")
    assert f'alttext="{text}"' in html and "here." in html


@pytest.mark.parametrize(
    "body", ["    We present a method, pasted indented.", "```\nWe present a method, fenced.\n```"]
)
def test_an_abstract_shown_as_code_is_still_its_text(body: str) -> None:
    """Lists, descriptions and feeds read the text: an abstract pasted as code keeps it."""
    html, text = render_body_and_text(body)
    assert "<code>" in html
    assert text.startswith("We present a method")


# Text a parser of plain paragraphs must read as markdown-it does: the characters and line
# starts that make Markdown, TeX or links, among words, spaces and the punctuation of prose.
_PROSE_PIECES = st.sampled_from(
    [
        *"abcXY19 .,;:!?'\"()#%+=^@|/>-",
        "word",
        "  ",
        "\n",
        "\n\n",
        "\n\n\n",
        "1.",
        "2)",
        "é",
        "中文",
        "\u0301",
        "\u200b",
        "\u00a0",
        "\t",
        "\r",
        "\x0c",
        "😀",
        "e.g.",
        "p < 0.05",
        "a > b",
        "x.io",
        "http://",
        "&amp;",
        "---",
        "$x$",
        "\\'e",
        "*",
        "_",
        "`",
        "~",
        "[a]",
        "{b}",
    ]
)


@given(st.lists(_PROSE_PIECES, max_size=30).map("".join))
@settings(max_examples=3000)
def test_plain_paragraphs_skip_the_parser_with_the_same_html_and_text(text: str) -> None:
    from generator.markup import _parsed_body_and_text, _parsed_inline_and_text, _plain_paragraphs

    if _plain_paragraphs(text) is not None:
        assert render_body_and_text(text) == _parsed_body_and_text(text), text
        assert render_inline_and_text(text) == _parsed_inline_and_text(text), text


def test_plain_abstracts_skip_the_parser_and_others_do_not() -> None:
    from generator.markup import _plain_paragraphs

    plain = 'We study scaling laws: models (7B, 70B) do better; see Table 2.\nIt\'s "good" > 3% of runs.\n\nA second paragraph.'
    assert _plain_paragraphs(plain) == [
        'We study scaling laws: models (7B, 70B) do better; see Table 2.\nIt\'s "good" > 3% of runs.',
        "A second paragraph.",
    ]
    html, text = render_body_and_text(plain)
    assert (
        html.startswith("<p>We study") and "It's &quot;good&quot; &gt; 3% of runs.</p>\n<p>A second" in html
    )
    assert text.endswith("> 3% of runs.\n\nA second paragraph.")
    for markup in ("Code: https://x.io/a", "an $x$ here", "1. a list", "a -- b", "a\n  indented", "a\tb"):
        assert _plain_paragraphs(markup) is None, markup


def test_every_real_abstract_renders_as_the_parser_renders_it() -> None:
    from generator.frontmatter import parse_document
    from generator.markup import _parsed_body_and_text, _parsed_inline_and_text

    files = sorted((Path(__file__).parent.parent / "content").rglob("*.md"))
    assert files
    for path in files:
        document, _ = parse_document(str(path), path.read_text(encoding="utf-8"))
        assert document is not None
        assert render_body_and_text(document.body) == _parsed_body_and_text(document.body), path
        title = document.front.values.get("title")
        if isinstance(title, str):
            assert render_inline_and_text(title) == _parsed_inline_and_text(title), path


def test_dollars_count_white_space_as_markdown_it_does() -> None:
    """The checker reads `$` without markdown-it (`dollars.py`), by the same rules."""
    from markdown_it.common.utils import isWhiteSpace

    from generator.dollars import WHITE_SPACE

    assert {chr(code) for code in range(0x110000) if isWhiteSpace(code)} == WHITE_SPACE


def test_a_table_is_a_table_whose_alignment_is_a_class() -> None:
    """It was a paragraph of pipes, its rule of dashes turned into em dashes; the alignment
    markdown-it writes as a style attribute, which the pages' policy refuses, is a class."""
    html, text = render_body_and_text("| Method | Acc |\n|:--|--:|\n| Ours $x$ | 93% |")
    assert '<th class="align-left">Method</th>' in html and '<td class="align-right">93%</td>' in html
    assert "style=" not in html and "—" not in html
    assert text == "Method Acc\n\nOurs x 93%"
