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

# Formula commands that act rather than typeset, though the converter reads them.
_ACTING_IN_FORMULAS = frozenset(["def", "newcommand", "renewcommand", "newenvironment", "href", "url"])
_COMMAND_RE = re.compile(r"\\([A-Za-z]+)|\\.|\^\^", re.DOTALL)
_ENVIRONMENT_RE = re.compile(r"\\(?:begin|end)\s*\{([A-Za-z]+)\*?\}")  # `\\begin{filecontents}` writes a file


def acting_commands(text: str) -> list[str]:
    """The commands of `text` that are not inert (see the module's docstring), as written,
    each once; `^^` counts, as TeX reads it as a character code (`^^5c` is `\\`)."""
    if "\\" not in text and "^^" not in text:
        return []
    found = [environment[0] for environment in _ENVIRONMENT_RE.finditer(text) if not _formula(environment)]
    found += [match[0] for match in _COMMAND_RE.finditer(text) if _acts(match)]
    return list(dict.fromkeys(found))


def disarmed(text: str) -> str:
    """`text` with the backslash of each acting command written as `{\\textbackslash}`,
    and `^^` as `^{}^`: LaTeX prints them instead of acting on them."""
    if "\\" not in text and "^^" not in text:
        return text
    text = _ENVIRONMENT_RE.sub(lambda found: found[0] if _formula(found) else _printed(found[0]), text)
    return _COMMAND_RE.sub(
        lambda found: (_printed(found[0]) if found[1] else "^{}^") if _acts(found) else found[0], text
    )


def _formula(environment: re.Match[str]) -> bool:
    return environment[1] in _MATH_ENVIRONMENTS or environment[1] in _formula_commands()


def _acts(command: re.Match[str]) -> bool:
    return command[0] == "^^" or (command[1] is not None and not _inert(command[1]))


def _printed(command: str) -> str:
    return "{\\textbackslash}" + command[1:]


@functools.cache
def _inert(name: str) -> bool:
    """Whether `\\name` only typesets: a text command of the tables above, or a formula
    command or symbol the MathML converter knows."""
    if name in LETTERS or name in WRAPPERS or name in ACCENTS or name in _GROUP_SWITCHES:
        return True
    if name in _ACTING_IN_FORMULAS:
        return False
    return name in _formula_commands() or _formula_symbol(name)


# Environments of formulas besides those named like commands (`pmatrix`, `cases`...).
_MATH_ENVIRONMENTS = frozenset(
    ["aligned", "equation", "gather", "gathered", "multline", "eqnarray", "displaymath", "subarray", "split"]
)
_GROUP_SWITCHES = frozenset(["em", "it", "sl", "bf", "tt", "sc", "rm", "sf"])  # `{\\bf X}`


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
