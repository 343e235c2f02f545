"""TeX formulas to MathML: latex2mathml's conversion, corrected where it goes wrong on
what abstracts write, and rewritten so that only MathML reaches a page.

The converter's tree is written out here rather than by its serialiser, which writes the
text of `\\text{...}` as it came (`\\text{a <b>}` would be read back as a tag). On the
way, token elements (`mi`, `mo`...) keep only their text (`\\mathop{\\mathrm{E}}` put an
`mrow` inside an `mo`), `\\sim` is the operator it means (the converter gives `~`),
styled letters (`mathvariant`, which MathML Core ignores) become Unicode's mathematical
alphanumerics, and `aligned` is read as the `array` the converter knows.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from xml.etree import ElementTree

import latex2mathml.converter
from markdown_it.common.utils import isValidEntityCode

MAX_MATH = 2_000  # longer "formulas" are shown as source rather than converted

# What of the converter's output reaches a page: MathML elements and presentation attributes.
_MATHML_ELEMENTS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "merror",
        "mpadded",
        "mphantom",
        "menclose",
        "munder",
        "mover",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "semantics",
        "annotation",
        "mmultiscripts",
        "mprescripts",
        "none",
    ]
)
_MATHML_ATTRIBUTES = frozenset(
    [
        "display",
        "mathvariant",
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "form",
        "minsize",
        "maxsize",
        "accent",
        "accentunder",
        "movablelimits",
        "columnalign",
        "rowalign",
        "columnspacing",
        "rowspacing",
        "columnlines",
        "rowlines",
        "frame",
        "width",
        "height",
        "depth",
        "linethickness",
        "displaystyle",
        "scriptlevel",
        "mathsize",
        "symmetric",
        "largeop",
        "notation",
        "encoding",
        "align",
    ]
)
_CHARACTER_REFERENCE = re.compile(r"&#x([0-9a-fA-F]{1,6});")


@functools.lru_cache(maxsize=50_000)
def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for a TeX formula; its escaped source in a <code> when it cannot be converted."""
    source = html.escape(tex.strip())
    if len(tex) <= MAX_MATH:
        out: list[str] = []
        try:
            converted = latex2mathml.converter.convert_to_element(
                _ALIGNED_RE.sub(_as_array, tex), display="block" if display else "inline"
            )
            _write_mathml(converted, out)
        except Exception:  # the converter raises many types on malformed TeX
            out = []
        if out:
            mathml = "".join(out).replace("<math", '<math xmlns="http://www.w3.org/1998/Math/MathML"', 1)
            return f'<span class="math" data-pagefind-ignore="all">{mathml}</span>'
    return f'<code class="tex">{source}</code>'


def _write_mathml(element: ElementTree.Element, out: list[str]) -> None:
    """The converter's tree as markup, keeping only MathML elements and attributes (the text
    of others stays), with the corrections of the module docstring."""
    tag = element.tag if element.tag in _MATHML_ELEMENTS else None
    if tag in _TOKENS:
        _write_token(tag, element, out)
        return
    if tag:
        out.append(f"<{tag}{_attributes(element)}>")
    if element.text:
        out.append(_escaped_text(element.text))
    for child in element:
        _write_mathml(child, out)
        if child.tail:
            out.append(_escaped_text(child.tail))
    if tag:
        out.append(f"</{tag}>")


def _write_token(tag: str, element: ElementTree.Element, out: list[str]) -> None:
    """A token element: text only, its style in the characters themselves."""
    text = _CHARACTER_REFERENCE.sub(_character, _token_text(element))
    variant = element.attrib.get("mathvariant")
    attributes = _attributes(element)
    if variant and variant != "normal":
        styled = _styled(text, variant)
        if styled != text:
            text = styled
            attributes = _attributes(element, skip="mathvariant")
    if text == "~" and tag in ("mi", "mo"):  # how the converter writes \sim
        tag, text = "mo", "\u223c"
    elif tag == "mi" and text == "\\arg":  # the one operator name of LaTeX the converter lacks
        text = "arg"
    if not text and tag == "mi":  # the base of `^\dagger`
        out.append("<mrow></mrow>")
        return
    out.append(f"<{tag}{attributes}>{html.escape(text, quote=False)}</{tag}>")


def _token_text(element: ElementTree.Element) -> str:
    """The text of a token element and of what it holds (`\\mathop{\\mathrm{arg\\,max}}`),
    spaces (mspace) as thin spaces."""
    parts = [element.text or ""]
    for child in element:
        parts.append("\u2009" if child.tag == "mspace" else _token_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _attributes(element: ElementTree.Element, skip: str = "") -> str:
    return "".join(
        f' {name}="{_escaped_text(value, quote=True)}"'
        for name, value in element.attrib.items()
        if name in _MATHML_ATTRIBUTES and name != skip
    )


_TOKENS = frozenset(["mi", "mn", "mo", "ms", "mtext"])

# mathvariant -> the words Unicode names its mathematical alphanumerics with.
_VARIANTS = {
    "bold": "BOLD",
    "italic": "ITALIC",
    "bold-italic": "BOLD ITALIC",
    "script": "SCRIPT",
    "bold-script": "BOLD SCRIPT",
    "fraktur": "FRAKTUR",
    "bold-fraktur": "BOLD FRAKTUR",
    "double-struck": "DOUBLE-STRUCK",
    "sans-serif": "SANS-SERIF",
    "bold-sans-serif": "SANS-SERIF BOLD",
    "sans-serif-italic": "SANS-SERIF ITALIC",
    "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC",
    "monospace": "MONOSPACE",
}


def _styled(text: str, variant: str) -> str:
    """`text` in a style's mathematical alphanumerics, or as it is when some character has
    none (then the attribute stays, for renderers that read it)."""
    words = _VARIANTS.get(variant)
    if words is None:
        return text
    styled = [_styled_character(character, words) for character in text]
    return text if None in styled else "".join(c for c in styled if c is not None)


@functools.lru_cache(maxsize=4096)
def _styled_character(character: str, words: str) -> str | None:
    """`x` as MATHEMATICAL BOLD SMALL X, say; Unicode's older letterlike symbols fill its
    holes (SCRIPT CAPITAL B, DOUBLE-STRUCK CAPITAL R)."""
    if character.isspace():
        return character
    name = unicodedata.name(character, "")
    if character.isascii():
        name = name.removeprefix("LATIN ")
    name = name.removeprefix("GREEK ").replace("LETTER ", "")
    try:
        return unicodedata.lookup(f"MATHEMATICAL {words} {name}")
    except KeyError:
        pass
    try:
        styled = unicodedata.lookup(f"{words} {name}")
    except KeyError:
        return None
    return styled if "\u2100" <= styled <= "\u214f" else None  # a letterlike symbol, nothing else


# `aligned` (and `split`, `gathered`), which the converter does not know, as the array it does.
_ALIGNED_RE = re.compile(r"\\begin\{(aligned|split|gathered)\}(?:\[[tcb]\])?(.*?)\\end\{\1\}", re.DOTALL)


def _as_array(match: re.Match[str]) -> str:
    columns = "c" if match[1] == "gathered" else "rl" * 5
    return f"\\begin{{array}}{{{columns}}}{match[2]}\\end{{array}}"


def _escaped_text(text: str, quote: bool = False) -> str:
    """Converter text holds its symbols as `&#x...;` and the formula's own text as typed."""
    return html.escape(_CHARACTER_REFERENCE.sub(_character, text), quote=quote)


def _character(reference: re.Match[str]) -> str:
    """A reference's character, or U+FFFD for one that HTML and XML refuse (controls,
    surrogates): a formula's own text may hold `&#x1;`, and feeds carry formulas."""
    code = int(reference[1], 16)
    return chr(code) if isValidEntityCode(code) else "\ufffd"
