"""What templates show of a paper: its text rendered once, and its citation formats.

A `PaperView` is computed once per paper per build and shared by every page that lists it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup

from generator.config import SiteConfig
from generator.dollars import formula_end
from generator.markup import excerpt, render_body_and_text, render_inline, render_inline_and_text
from generator.model import Paper
from generator.texcommands import disarmed

HEADLINE_LIMIT = 110  # characters of a schema.org headline that search engines read
LISTED = ("_title", "excerpt", "tldr_html")  # what lists show of a paper (cached properties)
Listed = dict[str, Any]  # a view's LISTED values, by name


@dataclass
class PaperView:
    paper: Paper
    _filled: Listed | None = field(default=None, init=False, repr=False, compare=False)

    def listed(self, compute: bool = False) -> Listed:
        """What lists show of the paper, as far as rendered (all of it with `compute`); the
        values it was filled with when they were all of it (the build cache then keeps them)."""
        if self._filled is not None and len(self._filled) == len(LISTED):
            return self._filled
        if compute:
            return {name: getattr(self, name) for name in LISTED}
        return {name: self.__dict__[name] for name in LISTED if name in self.__dict__}

    def fill(self, listed: Listed) -> None:
        """Take what lists show from elsewhere (another process, an earlier build)."""
        self.__dict__.update(listed)
        self._filled = listed

    @cached_property
    def _title(self) -> tuple[str, str]:
        return render_inline_and_text(self.paper.title)

    @property
    def title_html(self) -> Markup:
        return Markup(self._title[0])

    @property
    def title_text(self) -> str:
        """The words the title shows (as an inline parse reads them, like `title_html`)."""
        return self._title[1]

    @cached_property
    def _body(self) -> tuple[str, str]:
        return render_body_and_text(self.paper.body)

    @property
    def body_html(self) -> Markup:
        return Markup(self._body[0])

    @property
    def text(self) -> str:
        return self._body[1]

    @cached_property
    def excerpt(self) -> str:
        return excerpt(self.text, 280)

    @cached_property
    def tldr_html(self) -> Markup | None:
        return Markup(render_inline(self.paper.tldr)) if self.paper.tldr else None

    @cached_property
    def _tldr_text(self) -> str:
        """The TL;DR's words as its line shows them: read inline, as it is rendered, so a
        leading `+ 3.1 BLEU` or `1) faster` is not read as a list item and lost."""
        return render_inline_and_text(self.paper.tldr or "")[1]

    @cached_property
    def description(self) -> str:
        return excerpt(self._tldr_text if self.paper.tldr else self.text, 200)

    def bibtex(self, config: SiteConfig) -> str:
        """The paper's BibTeX; one without an arXiv id points at its page here."""
        if self.paper.arxiv:
            return bibtex(self.paper)
        listed = f"{config.title}, {self.paper.day.isoformat()}"
        return bibtex(self.paper, config.absolute(self.paper.url), listed)

    @cached_property
    def bibtex_title(self) -> str:
        """The title as BibTeX carries it, for an entry the reading list writes (saved.js)."""
        return _bibtex_value(self.paper.title)

    @property
    def bibtex_authors(self) -> list[str]:
        """The first 50 authors as BibTeX carries them (`Erd\\H{o}s`), for the reading list."""
        return [_bibtex_value(author) for author in self.paper.authors[:50]]

    @property
    def citation_arxiv(self) -> str:
        """arXiv's own style, up to its id: `A, B, and C. Title. arXiv:ID, YEAR.`"""
        paper = self.paper
        authors = f"{sentence(author_list(paper.names, 50))} " if paper.authors else ""
        year = f", {paper.year}" if paper.year else ""
        return f"{authors}{sentence(self.title_text)} arXiv:{paper.arxiv}{year}."

    @property
    def citation_text(self) -> str:
        """A plain reference's authors, year (when known) and title; the page adds where to find it."""
        paper = self.paper
        year = f" ({paper.year})" if paper.year else ""
        if paper.authors:
            return f"{sentence(author_list(paper.names, 3) + year)} {sentence(self.title_text)}"
        return f"{self.title_text}{year}." if year else sentence(self.title_text)

    @cached_property
    def _keywords(self) -> list[tuple[str, str]]:
        """Each keyword's HTML and plain text, from one parse, as a title's."""
        return [render_inline_and_text(keyword) for keyword in self.paper.keywords]

    @property
    def keywords_html(self) -> Markup:
        """Keywords as the abstract writes them, TeX included (`PixArt-$\\alpha$`), comma-separated."""
        return Markup(", ").join(Markup(html) for html, _ in self._keywords)

    @property
    def keywords_text(self) -> tuple[str, ...]:
        """The keywords as plain text, for meta tags: `PixArt-α`."""
        return tuple(text for _, text in self._keywords)

    @property
    def headline(self) -> str:
        """The title as schema.org's headline: cut at a word past HEADLINE_LIMIT, "…" counted."""
        title = self.title_text
        return title if len(title) <= HEADLINE_LIMIT else excerpt(title, HEADLINE_LIMIT - 1)

    def json_ld(self, config: SiteConfig) -> Markup:
        """schema.org ScholarlyArticle, safe to put inside <script>."""
        paper = self.paper
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ScholarlyArticle",
            "headline": self.headline,
            "name": self.title_text,
            "description": self.description,
            "url": config.absolute(paper.url),
        }
        if paper.year:
            data["datePublished"] = str(paper.year)
        if paper.authors:
            data["author"] = [{"@type": "Person", "name": name} for name in paper.names]
        if paper.arxiv:
            data["sameAs"] = paper.arxiv_abs_url
            data["identifier"] = f"arXiv:{paper.arxiv}"
        if paper.keywords:
            data["keywords"] = ", ".join(self.keywords_text)
        return Markup(script_json(data))


def script_json(data: object) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def author_list(authors: tuple[str, ...] | list[str], limit: int) -> str:
    """`A`, `A and B`, `A, B, and C`, or past `limit` names `A et al.`"""
    if len(authors) > limit:
        return f"{authors[0]} et al."
    if len(authors) > 2:
        return f"{', '.join(authors[:-1])}, and {authors[-1]}"
    return " and ".join(authors)


def sentence(text: str) -> str:
    """`text` ending in a full stop, unless it ends in one already (or a ? or !)."""
    return text if text[-1:] in ".?!" else f"{text}."


def _bibtex_value(text: str) -> str:
    """Braces must balance in BibTeX, which counts `\\{` too: when they do not, each one, escaped
    or not, becomes a group of its own that LaTeX prints as the brace (`{\\textbraceleft}`).
    A command that would act in a citing document is printed instead (the checker refuses them:
    a guard for a miss), and TeX's specials are escaped (`_tex_escaped`). The reading list's
    entries get their title and authors from here (`bibtex_title`, `bibtex_authors`); saved.js's
    `bibValue` balances braces and escapes the same way."""
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            break
    if depth != 0:
        text = _BRACE_RE.sub(lambda match: _BRACE_GROUPS[match[1]], text)
    return _tex_escaped(" ".join(disarmed(text).split()))


_BRACE_RE = re.compile(r"\\?([{}])")
_BRACE_GROUPS = {"{": "{\\textbraceleft}", "}": "{\\textbraceright}"}


def _tex_escaped(text: str) -> str:
    """`text` with the specials escaped that plain text holds and TeX reads otherwise: `%`
    would comment out the rest of the line, `#` and `&` are errors, and so are `_` and `^`
    outside math (`$x_1$` stays). A `$` is read as the page reads it (`dollars.py`): one that
    opens no formula there (`$5 Million to $10 Million`) is a dollar sign, `\\$`. Escapes
    stay as written: `\\%` is one already, while `\\\\%` is a line break and a bare `%`.
    The `&` of an environment stays too: it aligns columns."""
    parts, pos = [], 0
    while (found := _TEXT_SPECIALS_RE.search(text, pos)) is not None:
        parts.append(text[pos : found.start()])
        pos = found.end()
        if found[0] == "$":
            end = formula_end(text, found.start())
            if end is not None and _balanced(text, found.start(), end):  # `\\emph{$a}$`: text
                parts.append(_MATH_SPECIALS_RE.sub(_escape_in_math, text[found.start() : end + 1]))
                pos = end + 1
                continue
        if found["math"]:
            parts.append(_MATH_SPECIALS_RE.sub(_escape_in_math, found[0]))
        else:
            parts.append(_TEXT_ESCAPES.get(found[0]) or _escaped_special(found[0]))
    return "".join(parts) + text[pos:]


def _balanced(text: str, start: int, end: int) -> bool:
    """Whether the braces of `text[start:end]` pair up (escaped ones aside): a formula the
    page shows does not cross the end of a TeX group (`\\emph{$\\alpha}$` is no formula)."""
    depth = 0
    for brace in _BRACES_RE.finditer(text, start, end):
        depth += {"{": 1, "}": -1}.get(brace[0], 0)
        if depth < 0:
            return False
    return depth == 0


_BRACES_RE = re.compile(r"\\.|[{}]")


def _escape_in_math(found: re.Match[str]) -> str:
    if found["aligned"]:
        return _ALIGNED_SPECIALS_RE.sub(lambda special: _escaped_special(special[0]), found[0])
    return _escaped_special(found[0])


def _escaped_special(special: str) -> str:
    """A bare special escaped; an escape (a backslash and the character after it) as it is."""
    return special if special[0] == "\\" else "\\" + special


# Math: `\begin{cases}...\end{cases}`, `\(...\)` and `\[...\]`, as TeX pairs them; a `$` is
# read as the page reads it (`_tex_escaped`).
_ENVIRONMENT = r"\\begin\{(?P<name>[A-Za-z]+\*?)\}(?:\\.|[^\\])*?\\end\{(?P=name)\}"
_MATH = rf"{_ENVIRONMENT}|\\\((?:\\.|[^\\])*?\\\)|\\\[(?:\\.|[^\\])*?\\\]"
_TEXT_SPECIALS_RE = re.compile(rf"(?P<math>{_MATH})|\\.|[%&#_^$]", re.DOTALL)
_TEXT_ESCAPES = {"^": "\\textasciicircum{}"}  # `\^` is an accent: it would sit on what follows
_MATH_SPECIALS_RE = re.compile(rf"(?P<aligned>{_ENVIRONMENT})|\\.|[%&#]", re.DOTALL)
_ALIGNED_SPECIALS_RE = re.compile(r"\\.|[%#]", re.DOTALL)


def bibtex(paper: Paper, url: str | None = None, note: str | None = None) -> str:
    """A @misc entry (arXiv's own style when the id is known); `url` and `note` say where
    else to find it."""
    key = (paper.arxiv_base or paper.slug).replace("/", ":")
    fields = [("title", "{" + _bibtex_value(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bibtex_value(a) for a in paper.authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.arxiv:
        fields += [("eprint", paper.arxiv_base or paper.arxiv), ("archivePrefix", "arXiv")]
        fields.append(("url", f"https://arxiv.org/abs/{paper.arxiv_base}"))
    elif url:
        fields.append(("url", url))
    if note:
        fields.append(("note", _bibtex_value(note)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"
