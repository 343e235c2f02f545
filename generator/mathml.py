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

from markdown_it.common.utils import isValidEntityCode

MAX_MATH = 2_000  # longer "formulas" are shown as source rather than converted
# What a formula's MathML is wrapped in: search skips it (search.py puts in its alttext).
FORMULA_START = '<span class="math" data-pagefind-ignore="all">'

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


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML for a TeX formula; its escaped source in a <code> when it cannot be converted."""
    return _converted(tex, display)[0]


def tex_to_text(tex: str, display: bool = False) -> str:
    """A TeX formula as plain text, for where markup cannot go (a page's title, a feed's,
    search results, excerpts): `\\alpha` as α, `n^2` as n², `\\frac{a}{b}` as a/b, what
    has no plain form as `x^(i+1)`; its source when it cannot be converted."""
    return _converted(tex, display)[1]


@functools.lru_cache(maxsize=50_000)
def _converted(tex: str, display: bool) -> tuple[str, str]:
    """A formula's MathML and plain text, from one conversion."""
    source = tex.strip()
    if len(tex) <= MAX_MATH:
        out: list[str] = []
        # Imported at the first formula: a rebuild after an edit without TeX never needs it,
        # and the converter's imports (urllib, ssl, email) are a fifth of that rebuild's.
        import latex2mathml.converter

        try:
            converted = latex2mathml.converter.convert_to_element(
                _prepared(tex), display="block" if display else "inline"
            )
            _lone_operator_unspaced(converted)
            _sizes_set_not_multiplied(converted)
            _write_mathml(converted, out)
            text = _SPACES.sub(" ", _plain(converted)).strip()
        except Exception:  # the converter raises many types on malformed TeX
            out = []
        if out:
            text = text or source
            start = f'<math xmlns="http://www.w3.org/1998/Math/MathML" alttext="{html.escape(text)}"'
            mathml = "".join(out).replace("<math", start, 1)  # alttext: read where MathML is not
            return f"{FORMULA_START}{mathml}</span>", text
    return f'<code class="tex">{html.escape(source)}</code>', source


def _lone_operator_unspaced(math: ElementTree.Element) -> None:
    """`$\\sim$10`, `2.5$\\times$`, `$\\geq$90`: an operator alone in its formula has no
    operands to be spaced from (TeX sets none); a browser gave it a word's gap each side.
    A binary operator that ends its formula (`$2\\times$ faster`) is no operator to TeX
    either: it is set as close as a letter."""
    element = math
    while element.tag in ("math", "mrow") and len(element) == 1:
        element = element[0]
    if element.tag in ("math", "mrow") and len(element) > 1:
        element = element[-1]
        if element.tag != "mo" or _token(element.tag, element)[2] not in _BINARY:
            return
    if element.tag in _TOKENS and _token(element.tag, element)[0] == "mo":  # `\\sim` is an mi
        element.set("lspace", "0")
        element.set("rspace", "0")


_BINARY = frozenset("+−-×·⋅∗∘÷±∓⊕⊗⊙∪∩∧∨")  # TeX's binary operators that abstracts end a formula with


def _write_mathml(element: ElementTree.Element, out: list[str]) -> None:
    """The converter's tree as markup, keeping only MathML elements and attributes (the text
    of others stays), with the corrections of the module docstring."""
    tag = element.tag if element.tag in _MATHML_ELEMENTS else None
    if tag in _TOKENS:
        tag, attributes, text = _token(tag, element)
        if not text and tag == "mi":  # the base of `^\dagger`
            out.append("<mrow></mrow>")
        else:
            out.append(f"<{tag}{attributes}>{html.escape(text, quote=False)}</{tag}>")
        return
    if tag:
        out.append(f"<{tag}{_attributes(element)}>")
    if element.text:
        out.append(_escaped_text(element.text))
    children = list(element)
    in_row = element.tag in _ROWS  # not in scripts, fractions...: their children have places
    for index, child in enumerate(children):
        before = children[index - 1] if index else None
        if in_row and _unary(child, before):
            child.set("form", "prefix")  # `-x`, `(-x)`, `= -0.3`: a sign, not a subtraction
        named = in_row and _operator_name(child)
        if named and before is not None and _spaced_from(before, True) and not _operator_name(before):
            out.append(_THIN_SPACE)
        _write_mathml(child, out)
        if named and index + 1 < len(children) and _spaced_from(children[index + 1], False):
            out.append(_THIN_SPACE)
        if child.tail:
            out.append(_escaped_text(child.tail))
    if tag:
        out.append(f"</{tag}>")


# TeX sets `\log`, `\sin`, `\exp` apart from the letters around them by a thin space, which
# the converter leaves out (it writes them as `<mi>log</mi>`): `O(n \log n)` read "nlogn".
_THIN_SPACE = '<mspace width="0.1667em"></mspace>'
_ROWS = frozenset(["math", "mrow", "mstyle", "mtd", "mpadded", "mphantom", "menclose", "msqrt", "merror"])
_OPERATOR_NAME_RE = re.compile(r"[A-Za-z]{2,}(?:[\u2006\u2009][A-Za-z]+)*")  # `\log`, `arg min`


_SIGNS = frozenset("−+±∓")
_OPENING = frozenset("([{|⟨‖")
_CLOSING = frozenset(")]}|⟩‖")


def _unary(element: ElementTree.Element, before: ElementTree.Element | None) -> bool:
    """A sign with nothing to subtract from: first in its row, or after an operator, a
    relation or an opening bracket."""
    if element.tag != "mo" or _token("mo", element)[2] not in _SIGNS:
        return False
    if before is None:
        return True
    kind, _, text = _token(before.tag, before) if before.tag in _TOKENS else (before.tag, "", "")
    return kind == "mo" and text not in _CLOSING


def _operator_name(element: ElementTree.Element) -> bool:
    """An upright name of several letters (`\\log`), alone or with scripts (`\\log_2`)."""
    if element.tag in ("msub", "msup", "msubsup") and len(element):
        element = element[0]
    if element.tag not in ("mi", "mo"):
        return False
    tag, _, text = _token(element.tag, element)
    return tag == "mi" and bool(_OPERATOR_NAME_RE.fullmatch(text))


def _spaced_from(neighbour: ElementTree.Element, before: bool) -> bool:
    """Whether TeX puts a thin space between an operator name and this neighbour: an
    ordinary symbol or group on either side, a closing bracket before it; none next to an
    opening bracket (`\\log(x)`), an operator or a relation, which bring their own."""
    if neighbour.tag in ("msub", "msup", "msubsup") and len(neighbour):
        neighbour = neighbour[0]  # `\\max_\\theta` is spaced as `\\max`
    tag = _token(neighbour.tag, neighbour)[0] if neighbour.tag in _TOKENS else neighbour.tag
    if tag == "mo":  # its text as written out: the converter's is `&#x00029;`
        return before and _token("mo", neighbour)[2] in _CLOSING
    return tag in ("mi", "mn", "mfrac", "msqrt", "mrow", "mover")


def _token(tag: str, element: ElementTree.Element) -> tuple[str, str, str]:
    """A token element's tag, attributes and text: text only, its style in the characters."""
    written = _token_text(element)
    text = _CHARACTER_REFERENCE.sub(_character, written)
    variant = element.attrib.get("mathvariant")
    attributes = _attributes(element)
    if (
        tag == "mi"
        and not variant
        and written != text
        and len(text) == 1
        and text.isascii()
        and text.isalpha()
    ):
        attributes += ' mathvariant="normal"'  # `\mathrm{d}x`: written as a reference, unmarked
    if variant and variant != "normal":
        styled = _styled(text, variant)
        if styled != text:
            text = styled
            attributes = _attributes(element, skip="mathvariant")
    if text == "~" and tag in ("mi", "mo"):  # how the converter writes \sim
        tag, text = "mo", "\u223c"
    elif tag == "mi" and text == "\\arg":  # the one operator name of LaTeX the converter lacks
        text = "arg"
    elif tag == "mi" and text in _OPERATORS_AS_MI:  # `92.1 \pm 0.3` was set tight, as a product
        tag = "mo"
    elif tag == "mo" and _OPERATOR_NAME_RE.fullmatch(text) and "lspace" not in element.attrib:
        tag = "mi"  # `\operatorname{softmax}`, `\max`: a name, spaced as `\log` (a `\mathbin` keeps its own)
    elif tag == "mo" and text == "/" and "lspace" not in element.attrib:
        attributes += ' lspace="0" rspace="0"'  # `1/\epsilon`: TeX sets a slash as a letter
    return tag, attributes, text


# What the converter writes as identifiers but TeX spaces as operators and relations.
_OPERATORS_AS_MI = frozenset("±⟺⟹⟸•⧵⟂¬:≔")  # `f: X \to Y`, a ratio `a:b`


def _token_text(element: ElementTree.Element) -> str:
    """The text of a token element and of what it holds (`\\mathop{\\mathrm{arg\\,max}}`),
    spaces (mspace) as thin spaces; `\\arg`, which the converter lacks, as its name."""
    parts = [element.text or ""]
    for child in element:
        text = _token_text(child)
        parts.append("\u2009" if child.tag == "mspace" else "arg\u2009" if text == "\\arg" else text)
        parts.append(child.tail or "")
    return "".join(parts).rstrip("\u2009") if len(element) else "".join(parts)


# What the converter gets wrong before it starts: `aligned` (read as the `array` it knows),
# degrees written as a ring above (`25^\circ C`, shown "25^(∘)C" as text: a degree sign),
# `\label{...}` and `\tag{...}` (shown as text: abstracts have no equation numbers to refer
# to), and an operator name with a space or a command inside (`\operatorname{arg\,min}`
# became an empty operator and italic letters), written as the `\mathop` it means.
_DEGREES_RE = re.compile(r"\^\s*(?:\{\s*\\circ\s*\}|\\circ(?![a-zA-Z]))")
_LABEL_RE = re.compile(r"\\(?:label|tag)\*?\s*\{[^{}]*\}")
_OPERATOR_NAME_TEX_RE = re.compile(r"\\operatorname\*?\s*\{([^{}]*\\[^{}]*)\}")


# `%` starts a TeX comment, but an abstract's `$95%$` means a percentage: read as `\%`, not
# as the end of the formula.
_PERCENT_RE = re.compile(r"(?<!\\)%")


# `x := y`, a definition: one symbol, ≔, where the converter set a letter and an operator.
_DEFINED_AS_RE = re.compile(r"(?<!:):\s*=")


def _prepared(tex: str) -> str:
    tex = tex.replace("\\ensuremath", "")  # math already: `\\ensuremath{x}` is `{x}`
    if not tex.isascii():  # `e` and a combining accent are one letter, not two identifiers
        tex = unicodedata.normalize("NFC", tex)
    if "\\unicode" in tex:
        tex = _UNICODE_RE.sub(_unicode_in_hex, tex)
    tex = _DEFINED_AS_RE.sub("≔", _PERCENT_RE.sub(r"\\%", tex))
    tex = _DEGREES_RE.sub("°", _LABEL_RE.sub("", _ALIGNED_RE.sub(_as_array, tex)))
    return _OPERATOR_NAME_TEX_RE.sub(r"\\mathop{\\mathrm{\1}}", tex)


# `\\unicode{60}` (decimal, as MathJax reads it), `\\unicode{x3C}`, `\\unicode{0x3C}`; the
# converter reads every code as hexadecimal and copies a malformed one into a reference.
_UNICODE_RE = re.compile(r"\\unicode\s*\{([^{}]*)\}")
_UNICODE_CODE_RE = re.compile(r"0?[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7})")


def _unicode_in_hex(command: re.Match[str]) -> str:
    code = _UNICODE_CODE_RE.fullmatch(command[1].strip())
    if code is None:
        raise ValueError(f"no character code: {command[0]}")  # the formula is shown as written
    return f"\\unicode{{x{code[1] or format(int(code[2]), 'X')}}}"


def _attributes(element: ElementTree.Element, skip: str = "") -> str:
    written = []
    for name, value in element.attrib.items():
        kept = _bounded(name, value) if name in _LENGTH_BOUNDS else value
        if name in _MATHML_ATTRIBUTES and name != skip and kept is not None:
            written.append(f' {name}="{_escaped_text(kept, quote=True)}"')
    return "".join(written)


# The converter copies a formula's lengths as written (`\hspace`, `\kern`, `\lower`, `\rule`):
# `\hspace{99999em}` in a title made a space 1.6 million pixels wide, on its page and on the
# pages that link to it, and `\lower{50em}` a blank as tall as a screen. Each is held to a
# few em either way: 2em is TeX's widest ordinary space (`\qquad`), 2.5em its largest
# delimiters and sizes (`\Bigg`, `\Huge`); what is within stays as written.
_LENGTH_BOUNDS = dict.fromkeys(
    ["width", "lspace", "rspace", "columnspacing", "height", "depth", "rowspacing", "linethickness"], 2.0
) | dict.fromkeys(["minsize", "maxsize", "mathsize"], 2.5)
# Ems per unit, at a browser's 16px font size; a number alone, or in mpadded's own units,
# is a multiple (of an em, of the content's size), bounded as ems.
_EMS = {"em": 1.0, "ex": 0.5, "px": 1 / 16, "pt": 1 / 12, "bp": 1 / 12, "dd": 0.089, "sp": 1 / 786_432}
_EMS |= {"pc": 1.0, "cc": 1.07, "in": 6.0, "cm": 6 / 2.54, "mm": 0.6 / 2.54, "mu": 1 / 18, "%": 0.01}
_EMS |= dict.fromkeys(["", "width", "height", "depth"], 1.0)
_LENGTH_RE = re.compile(r"([+-]?)(\d+\.?\d*|\.\d+)([a-z]*|%)")
_NAMED_SPACE_RE = re.compile(r"(?:negative)?(?:very){0,2}(?:thin|medium|thick)mathspace")


@functools.lru_cache(maxsize=1024)
def _bounded(name: str, value: str) -> str | None:
    """A length attribute's value held to its bound, as written when within it; None (left
    out) for what is no length (`\\hspace*` gives `*`, `\\lower{-1em}` gives `+-1em`)."""
    lengths = []
    for length in value.split():
        match = _LENGTH_RE.fullmatch(length)
        if _NAMED_SPACE_RE.fullmatch(length):
            lengths.append(length)
        elif match is None or match[3] not in _EMS:
            return None
        elif float(match[2]) * _EMS[match[3]] > _LENGTH_BOUNDS[name]:
            lengths.append(f"{match[1]}{_LENGTH_BOUNDS[name]:g}em")
        else:
            lengths.append(length)
    return " ".join(lengths) if lengths else None


def _sizes_set_not_multiplied(element: ElementTree.Element, size: float = 1.0) -> None:
    """TeX's size commands set a size (`\\Huge{\\Huge x}` is Huge, `\\Huge x \\small y` sets y
    small), where MathML's `mathsize` in ems is relative to the size around it: nested, the
    converter's sizes multiplied (2.49em thrice is fifteen times the text). A size inside
    another is written relative to it; one alone stays as written."""
    for child in element:
        inner = size
        written = child.get("mathsize")
        match = _LENGTH_RE.fullmatch(written) if written is not None else None
        if match is not None and match[3] in _EMS and not match[1]:
            inner = min(float(match[2]) * _EMS[match[3]], _LENGTH_BOUNDS["mathsize"])
            if size != 1.0 and inner > 0:
                child.set("mathsize", f"{inner / size:.4g}em")
        _sizes_set_not_multiplied(child, inner if inner > 0 else size)


_TOKENS = frozenset(["mi", "mn", "mo", "ms", "mtext"])
_SPACES = re.compile(r"\s+")


def _plain(element: ElementTree.Element, script: bool = False) -> str:
    """The converter's tree as plain text; `script` (inside a sub- or superscript) sets
    operators without spaces, so that `x_{i+1}` can be `xᵢ₊₁`."""
    tag, children = element.tag, list(element)
    if tag in _TOKENS:
        return _token(tag, element)[2]
    if tag == "mphantom":
        return ""
    if tag == "mspace":
        return " "
    if tag in _MARKS and len(children) == len(_MARKS[tag]) + 1:
        return _scripted(tag, children, script)
    # Each child is read once: reading one twice (a root's index, a table's cells) doubled
    # the work at every level of nesting, and 30 nested roots never finished.
    if tag == "mroot" and len(children) == 2:
        return _script(_plain(children[1], True), "^") + "\u221a" + _grouped(_plain(children[0], script))
    if tag == "mtable":
        return "; ".join(" ".join(_plain(cell) for cell in row) for row in children)
    texts = [_plain(child, script) for child in children]
    if tag == "mfrac" and len(texts) == 2:
        if element.attrib.get("linethickness") in ("0", "0pt", "0em"):  # `\\binom{n}{k}`: no fraction
            return f"{_grouped(texts[0])} choose {_grouped(texts[1])}"
        return f"{_grouped(texts[0])}/{_grouped(texts[1])}"
    if tag == "msqrt":
        return "\u221a" + _grouped("".join(texts))
    parts = [(_tag(child), text) for child, text in zip(children, texts, strict=True)]
    return (element.text or "") + _row(parts, script) + "".join(child.tail or "" for child in children)


# The marks of each element's scripts in plain text: below (`_`), above (`^`).
_MARKS = {"msub": "_", "munder": "_", "msup": "^", "mover": "^", "msubsup": "_^", "munderover": "_^"}


def _scripted(tag: str, children: list[ElementTree.Element], script: bool) -> str:
    base = _plain(children[0], script)
    scripts = [_plain(child, True) for child in children[1:]]
    if tag == "mover" and scripts[0] in _ACCENTS:  # \hat{x}: x̂
        return _accented(base, scripts[0])
    if tag == "munder" and scripts[0] in _UNDER_MARKS:  # \underbrace{x}: x
        return base
    return base + "".join(_script(text, mark) for text, mark in zip(scripts, _MARKS[tag], strict=True))


def _row(parts: list[tuple[str, str]], script: bool) -> str:
    """Items of a row, relations and binary operators between operands spaced (not in
    scripts), names of functions (`log`, `softmax`) and big operators (`∑ᵢ`) apart from
    the letters and numbers beside them."""
    items = [(tag, text) for tag, text in parts if text]
    out = ""
    apart_before = False  # the last item was a name or a big operator
    for index, (tag, text) in enumerate(items):
        name = tag in ("mi", "mo") and len(text) > 1 and text.isalpha()
        spaced = tag == "mo" and text in _SPACED and not script
        after = out.rstrip()[-1:]  # a sign after an operator or an opening bracket is no operator
        if spaced and after and after not in _SPACED and after not in _OPENING and index + 1 < len(items):
            out += f" {text} "
        elif out and text[0].isalnum() and (apart_before or (name and out[-1].isalnum())):
            out += " " + text
        else:
            out += text
        apart_before = (
            name
            or (text[0] in _BIG_OPERATORS and len(text) > 1)
            or _NAME_RE.match(text) is not None
            or _WRITTEN_SCRIPT_RE.search(text) is not None  # `a^b c`, not `a^bc`
            or _COMMAND_RE.fullmatch(text) is not None  # `\\foo x`, an unknown command as written
        )
    return out


def _tag(element: ElementTree.Element) -> str:
    """An element's tag as written out (`\\pm` comes as an identifier, goes as an operator)."""
    return _token(element.tag, element)[0] if element.tag in _TOKENS else str(element.tag)


def _grouped(text: str) -> str:
    """`text` as one term of a fraction or root: in parentheses when it is more than one."""
    text = text.strip()
    return f"({text})" if _more_than_a_term(text) and not _is_bracketed(text) else text


def _more_than_a_term(text: str) -> bool:
    return any(character.isspace() or character in _SPACED or character in "/," for character in text)


def _accented(base: str, accent: str) -> str:
    """A letter with an accent as a combining character (`x̂`); a line over several letters
    over each (`A̅B̅`); another accent over several letters is left out."""
    mark = _ACCENTS[accent]
    if len(base) == 1:
        return base + mark
    return "".join(character + mark for character in base) if mark == "\u0305" else base


def _is_bracketed(text: str) -> bool:
    if text[:1] != "(" or text[-1:] != ")":
        return False
    depth = 0
    for index, character in enumerate(text):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0 and index < len(text) - 1:
            return False
    return True


def _script(text: str, mark: str) -> str:
    """A sub- (`_`) or superscript (`^`): in Unicode's small characters when each has one
    (`²`, `ᵢ`), else after its mark (in parentheses when it is more than a term)."""
    text = text.strip()
    small = _SUBSCRIPTS if mark == "_" else _SUPERSCRIPTS
    if not text:
        return ""
    if all(character in small for character in text):
        return "".join(small[character] for character in text)
    return mark + (f"({text})" if _more_than_a_term(text) else text)


_SUPERSCRIPTS = dict(
    zip("0123456789+-\u2212=()ni\u22a4T*\u2032\u2033\u2020", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀᵀ*′″†", strict=True)
)
_SUBSCRIPTS = dict(
    zip("0123456789+-\u2212=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True)
)
# Accents over one letter, as combining characters: \hat, \tilde, \bar, \dot, \ddot, \vec.
_ACCENTS = {
    "^": "\u0302",
    "~": "\u0303",
    "\u223c": "\u0303",  # \tilde, once \sim's fix has read it
    "\u02dc": "\u0303",
    "\u00af": "\u0304",
    "\u2015": "\u0305",
    "\u02d9": "\u0307",
    "\u00a8": "\u0308",
    "\u2192": "\u20d7",
}
_UNDER_MARKS = frozenset("\u23df\u23dd\u23b5_")  # braces and brackets under a term
_BIG_OPERATORS = frozenset("∑∏∐∫∬∭∮⋃⋂⋁⋀⨁⨂")
_NAME_RE = re.compile(
    r"[^\W\d_]{2,}(?:\u2009[^\W\d_]+)*[_^₀-₉ₐ-ₜᵢ-ᵥⱼ]"
)  # a name with scripts: `lim_(n→∞)`, `arg max_θ`
_WRITTEN_SCRIPT_RE = re.compile(r"[_^][^\W_]+$")  # a script after its mark, at the end of a term
_COMMAND_RE = re.compile(r"\\[A-Za-z]+")
# Relations and binary operators, which plain text sets between spaces.
_SPACED = frozenset("=≠≈≡≔≤≥<>≪≫→←↔⇒⇐⇔⟺⟹⟸↦∼≃≅∝∈∉⊂⊆⊃⊇+−±∓×÷·⋅∗∘∧∨∪∩:")

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
    surrogates), or that does not show: `\\unicode{x202E}` would reorder the text around it
    (a bidi override) and `\\unicode{x200B}` hide in a title, past the checks of typed text."""
    code = int(reference[1], 16)
    if not isValidEntityCode(code) or code == 0x0C:  # HTML has FF, XML not
        return "\ufffd"
    return "\ufffd" if unicodedata.category(chr(code))[0] == "C" else chr(code)
