"""TeX commands in text: what the ones abstracts use stand for, and which of them act.

A title and its authors go as written into the BibTeX of the paper's page, and so into the
documents of readers who cite it. There, TeX would carry out any command: read or write
files (`\\input`, `\\InputIfFileExists`), run programs or Lua (`\\write18`, `\\directlua`),
define commands. Only commands known to typeset text or formulas are inert; every other
one is refused by the checker and disarmed in BibTeX.
"""

from __future__ import annotations

import functools
import re

from generator.model import TEX_ACCENTS, TEX_LETTERS

ACCENTS = TEX_ACCENTS
LETTERS = {
    **TEX_LETTERS,
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "ldots": "…",
    "dots": "…",
    "textendash": "–",
    "textemdash": "—",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "textdegree": "°",
    "textless": "<",
    "textgreater": ">",
    "textbackslash": "\\",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "dag": "\u2020",
    "ddag": "\u2021",
    "textbullet": "\u2022",
    "textcopyright": "\u00a9",
    "texteuro": "\u20ac",
    "textdollar": "$",
    "texttimes": "\u00d7",
    "textellipsis": "\u2026",
    "newline": " ",
}
WRAPPERS = {
    "emph": "em",
    "textit": "em",
    "textsl": "em",
    "textbf": "strong",
    "texttt": "code",
    "textsc": "span",
    "textrm": "",
    "textsf": "",
    "textnormal": "",
    "text": "",
    "mbox": "",
    "underline": "u",
    "textsuperscript": "sup",  # `5\\textsuperscript{th}`
    "textsubscript": "sub",
}
# What a backslash and one character stand for in text: the character itself for TeX's
# escapes (`\%`, `\&`), and TeX's spaces: thin (`\,`), medium (`\:`, `\;`), a word space
# (`\ `), none (`\!`), and a line break (`\\`), which an abstract reads as a space.
TEXT_ESCAPES = {**{char: char for char in "%&$#_{}"}, ",": "\u2009", ":": "\u2005", ";": "\u2005"}
TEXT_ESCAPES.update({" ": " ", "!": "", "\\": " "})

# Commands that read or write files, run code, define commands or link out: refused even
# where the converter knows them (`\\def`, `\\href`), and whatever a newer converter knows.
_ACTING = frozenset(
    [
        "input",
        "include",
        "includeonly",
        "InputIfFileExists",
        "IfFileExists",
        "write",
        "immediate",
        "openin",
        "openout",
        "read",
        "readline",
        "closein",
        "closeout",
        "let",
        "futurelet",
        "catcode",
        "csname",
        "endcsname",
        "expandafter",
        "usepackage",
        "RequirePackage",
        "documentclass",
        "special",
        "directlua",
        "latelua",
        "luaexec",
        "luadirect",
        "ShellEscape",
        "jobname",
        "makeatletter",
        "href",
        "url",
        "verbatiminput",
        "lstinputlisting",
    ]
)
_ACTING_NAME_RE = re.compile(r"^(?:new|renew|provide|declare|expand)|def$|^pdf", re.IGNORECASE)
# The environments of formulas; any other may act (`\\begin{filecontents}` writes a file).
_MATH_ENVIRONMENTS = frozenset(
    [
        "matrix",
        "pmatrix",
        "bmatrix",
        "Bmatrix",
        "vmatrix",
        "Vmatrix",
        "smallmatrix",
        "cases",
        "dcases",
        "rcases",
        "array",
        "subarray",
        "aligned",
        "alignedat",
        "align",
        "alignat",
        "gathered",
        "gather",
        "split",
        "equation",
        "multline",
        "eqnarray",
        "displaymath",
    ]
)
_GROUP_SWITCHES = frozenset(["em", "it", "sl", "bf", "tt", "sc", "rm", "sf"])  # `{\\bf X}`
_MATH_FONTS = frozenset(["ensuremath", "mathbbm", "mathds"])  # of packages the converter lacks
# A command (not one whose backslash is escaped: `\\\\input` is a line break, then text).
_COMMAND_RE = re.compile(r"(?<!\\)((?:\\\\)*)\\([A-Za-z]+|.)", re.DOTALL)
_ENVIRONMENT_RE = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:begin|end)\s*\{([A-Za-z]+)\*?\}")


def acting_commands(text: str) -> list[str]:
    """The commands of `text` that are not inert (see the module's docstring), as written,
    each once; `^^` counts, as TeX reads it as a character code even inside a command's
    name (`\\^^69nput` is `\\input`)."""
    if "\\" not in text and "^^" not in text:
        return []
    found = [
        _written(match) for match in _ENVIRONMENT_RE.finditer(text) if match[2] not in _MATH_ENVIRONMENTS
    ]
    found += [_written(match) for match in _COMMAND_RE.finditer(text) if _acts(match[2])]
    if "^^" in text:
        found.append("^^")
    return list(dict.fromkeys(found))


def disarmed(text: str) -> str:
    """`text` with the backslash of each acting command written as `{\\textbackslash}`,
    and `^^` as `^{}^`: LaTeX prints them instead of acting on them."""
    if "\\" not in text and "^^" not in text:
        return text
    text = _CARETS_RE.sub("^{}", text)  # first: `\\^^69nput` must not become a command
    text = _ENVIRONMENT_RE.sub(
        lambda found: found[0] if found[2] in _MATH_ENVIRONMENTS else _printed(found), text
    )
    return _COMMAND_RE.sub(lambda found: _printed(found) if _acts(found[2]) else found[0], text)


_CARETS_RE = re.compile(r"\^(?=\^)")


def _written(command: re.Match[str]) -> str:
    """A command as written, without the escaped backslashes before it."""
    return command[0][len(command[1]) :]


def _printed(command: re.Match[str]) -> str:
    return command[1] + "{\\textbackslash}" + _written(command)[1:]


def _acts(name: str) -> bool:
    """Whether a command of this name acts: control symbols (`\\%`, `\\'`) never do."""
    return name.isalpha() and not _inert(name)


@functools.lru_cache(maxsize=4096)
def _inert(name: str) -> bool:
    """Whether `\\name` only typesets: a text command of the tables above, or a formula
    command or symbol the MathML converter knows, and none of the acting ones."""
    if name in _ACTING or _ACTING_NAME_RE.search(name):
        return False
    if (
        name in LETTERS
        or name in WRAPPERS
        or name in ACCENTS
        or name in _GROUP_SWITCHES
        or name in _MATH_FONTS
    ):
        return True
    return name in _formula_commands() or _formula_symbol(name)


@functools.cache
def _formula_commands() -> frozenset[str]:
    """The names of the commands latex2mathml converts (`frac`, `mathbb`, `begin`...), and
    of the environments it reads (`pmatrix`, `cases`...)."""
    import latex2mathml.commands as commands

    names: set[str] = set()
    for value in vars(commands).values():
        if isinstance(value, str):
            value = (value,)
        if isinstance(value, (dict, tuple, list, set, frozenset)):
            names.update(item[1:].rstrip("*") for item in value if isinstance(item, str) and item[:1] == "\\")
    return frozenset(name for name in names if name.isalpha())


def _formula_symbol(name: str) -> bool:
    from latex2mathml.symbols_parser import convert_symbol

    return convert_symbol("\\" + name) is not None
