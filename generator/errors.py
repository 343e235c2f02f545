"""Problems found in content or configuration, collected and reported together.

Every stage appends to a list of `Problem`s instead of raising on the first one, so a
contributor sees everything that is wrong with a pull request in a single run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file: where, what, and how to fix it."""

    path: str
    line: int | None
    message: str
    hint: str | None = None
    severity: Severity = "error"

    def location(self) -> str:
        path = shown(self.path, lines=False)
        return f"{path}:{self.line}" if self.line else path

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {shown(self.message, lines=False)}"  # one line each
        return f"{text}\n    hint: {shown(self.hint)}" if self.hint else text


# Control and bidirectional characters: a message quotes what a file holds (a YAML key, a
# file name), and these would move the cursor, clear or retitle the terminal, or reorder
# the line in a CI log. They are shown as escapes.
_UNSHOWN_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSHOWN_OR_LINES_RE = re.compile(f"{_UNSHOWN_RE.pattern[:-1]}\\n]")


def joined(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`: names in a message."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def shown(text: str, lines: bool = True) -> str:
    """`text` safe to print: control and bidirectional characters as escapes (`\\x1b`), and
    line breaks too unless `lines`."""
    pattern = _UNSHOWN_RE if lines else _UNSHOWN_OR_LINES_RE
    return pattern.sub(lambda match: match[0].encode("unicode_escape").decode("ascii"), text)


class PapersError(Exception):
    """The one error type the generator raises for bad input; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = in_reading_order(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[PapersError], tuple[list[Problem]]]:
        """Pickled by its problems: raised in a forked worker, it is raised again in the build."""
        return (type(self), (self.problems,))

    @classmethod
    def single(cls, path: str, message: str, hint: str | None = None, line: int | None = None) -> PapersError:
        return cls([Problem(path, line, message, hint)])


class UsageError(PapersError):
    """A command that cannot do what it was asked (a git ref that does not exist, say), as
    opposed to problems in the content: `papers` exits with 2, not 1, so CI can tell them apart."""


def in_reading_order(problems: Iterable[Problem]) -> list[Problem]:
    """By file, then line (what concerns a whole file, which has no line, first)."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.message, p.severity, p.hint or ""))


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest of `choices` to a misspelt `word`, for hints like "did you mean `tags`?"."""
    options = sorted(set(choices))
    folded = {c.casefold(): c for c in options}
    if word.casefold() in folded:
        return folded[word.casefold()]
    for candidate in options:  # "tag" -> "tags", "author" -> "authors"
        if candidate.rstrip("s") == word.casefold().rstrip("s"):
            return candidate
    close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None
