"""Where a `$` opens a formula: the one reading of dollar signs that the renderer and the
checker share, so the checker never warns of a formula the page shows (`$10^{-3}$,`).

A formula is `$...$` or `$$...$$` inside text, as mdit-py-plugins' dollarmath reads it
with the options used here (no space inside the dollars, no digit against them), with
changes for how abstracts write: after a digit, TeX-like math is math (`2.5$\\times$`), so
is a lone symbol before a number (`$\\sim$10x`), and a `$` with an amount (`$5k per run
... $`) is not the start of one.
"""

from __future__ import annotations

import re

# `2.5$\times$`, `10$^{-3}$`, `50$\%$`, `1,000$+$`: math that starts with a command, a
# script or a relation after a number, as abstracts write "times" and powers. A `$` after a
# digit before anything else stays text (`5$ per hour`, `5$-10$`), as dollarmath has it.
_MATH_AFTER_NUMBER_RE = re.compile(r"\$(?:\\[a-zA-Z%]|[\^_{+=<>%])")
# A word of prose (`per`, `or`), not a variable (`x`), a unit (`ms`, `GHz`) nor a unit
# against its number (`5k`): what a formula after a `$` and a digit does not hold (`$5k
# per run`), as TeX would set it in italics. Read past commands with their first group
# (`\\mathrm{ms}`), old-style groups (`{\\rm th}`), scripts (`1^{st}`) and escapes (`\\,`).
_PROSE_WORD_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:[a-z]{3,}|or|is|in|on|at|to|of|by|an|as|if|it|we|be|so|no|up|do)(?![A-Za-z])"
)
_NOT_PROSE_RE = re.compile(
    r"\{\\[A-Za-z]+\s[^{}]*\}|\\[A-Za-z]+\*?\s*(?:\{[^{}]*\})?|\\.|[\^_](?:\{[^{}]*\}|\S)"
)
# `$\sim$10x`, `$>$90\%`, `$+$3.2`: a lone symbol in dollars before a number, as abstracts
# write "about", "over" and signs. Other dollar math followed by a digit stays text: `$5 and $10`.
_SYMBOL_BEFORE_NUMBER_RE = re.compile(r"\$(\\[a-zA-Z]+|[<>]=?|[+-]|\\[<>%])\$(?=[0-9.])")
# What markdown-it counts as white space (`isWhiteSpace`): the text rules must agree with it.
WHITE_SPACE = frozenset("\t\n\x0b\x0c\r \xa0\u1680\u202f\u205f\u3000") | frozenset(
    map(chr, range(0x2000, 0x200B))
)


def escaped(src: str, pos: int) -> bool:
    """Whether an odd number of backslashes comes right before `pos`."""
    before = pos
    while before and src[before - 1] == "\\":
        before -= 1
    return (pos - before) % 2 == 1


def may_open(src: str, start: int, limit: int | None = None) -> bool:
    """Whether the `$` at `start` can open a formula before `limit` (the end of the text,
    or of the TeX group it is in): not escaped, not before a space, and after a digit only
    before TeX-like math."""
    return (
        start + 1 < (len(src) if limit is None else limit)
        and src[start + 1] not in WHITE_SPACE
        and not (start and src[start - 1].isdigit() and not _MATH_AFTER_NUMBER_RE.match(src, start))
        and not escaped(src, start)
    )


def formula_end(src: str, start: int, limit: int | None = None) -> int | None:
    """The position of the last `$` of the formula that opens at `start` (a `$`) and closes
    before `limit` (the end of the text, or of the TeX group it is in: `\\emph{$x}$`
    opens none), or None when none does there."""
    limit = len(src) if limit is None else limit
    if (symbol := _SYMBOL_BEFORE_NUMBER_RE.match(src, start, limit)) and symbol.end() <= limit:
        return symbol.end() - 1
    if not may_open(src, start, limit):
        return None
    double = src[start + 1] == "$"
    pos = start + 2 if double else start + 1
    while True:  # to the closing dollar (or pair)
        end = src.find("$", pos, limit)
        if end < 0:
            return None
        if escaped(src, end) or (double and src[end + 1 : min(end + 2, limit)] != "$"):
            if end + 1 >= limit:
                return None
            pos = end + 1
            continue
        end += double
        break
    if src[end - 1] in WHITE_SPACE or src[end + 1 : min(end + 2, limit)].isdigit():
        return None
    content = src[start + 2 : end - 1] if double else src[start + 1 : end]
    if not content or (content[0].isdigit() and _PROSE_WORD_RE.search(_NOT_PROSE_RE.sub(" ", content))):
        return None  # `$5k per run ... 10$\times$`: an amount, then a formula
    return end
