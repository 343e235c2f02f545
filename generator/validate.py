"""Front matter -> `Paper`: every field checked, every problem collected with its line.

Also the rules that need the whole site (duplicates) and the vocabulary file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from generator.dollars import formula_end, may_open
from generator.errors import Problem, did_you_mean, joined, shown
from generator.frontmatter import (
    Document,
    FrontMatter,
    first_on_each_line,
    invisible_hint,
    parse_yaml_mapping,
)
from generator.load import SourceFile, another_file_named
from generator.model import (
    INVISIBLE_LETTERS,
    LINK_KINDS,
    MAX_SLUG,
    SLUG_RE,
    Paper,
    Tag,
    arxiv_base,
    arxiv_slug,
    decode_references,
    latin_slug,
    tex_symbols,
)
from generator.texcommands import acting_commands

REQUIRED = ("title",)
OPTIONAL = (
    "authors",
    "arxiv",
    "tags",
    "links",
    "tldr",
    "keywords",
    "organization",
    "submitted_by",
    "upvotes",
    "date",
)
KNOWN_FIELDS = REQUIRED + OPTIONAL
MAX_TITLE = 500
MAX_TEXT = 2_000
MAX_AUTHORS = 5_000
MAX_LIST = 200
MIN_ABSTRACT = 200
MAX_ABSTRACT = 10_000  # characters; arXiv allows 1,920
PLACEHOLDER_ABSTRACT = "Replace this line with the abstract."  # what `papers new --title` writes
_PLACEHOLDER_RE = re.compile(
    r"replace\s+this\s+line\s+with\s+the\s+abstract", re.IGNORECASE
)  # edited a little
PLACEHOLDER_AUTHORS = ("First Author", "Second Author")  # and, commented out, these
PLACEHOLDER_LINK = "https://github.com/owner/repo"
PLACEHOLDER_TAG = "pick from content/tags.yaml"
_PLACEHOLDER = "{} is still the example that `papers new` wrote"
# Unicode's non-characters (U+FDD0-FDEF, and the last two code points of every plane): for a
# program's own use, never text, and parse errors in HTML.
_BMP_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff"
_ASTRAL_NONCHARACTERS = "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
)


def class_or_noncharacter_re(characters: str) -> re.Pattern[str]:
    """One character of the class `characters` (BMP ranges), or a non-character. The
    astral non-characters are matched as any astral character confirmed by a look-behind:
    a class that lists them has `re` test every character against each of them, ten times
    slower (0.8 s instead of 0.1 s over the abstracts of 10,000 papers)."""
    return re.compile(
        f"[{characters}{_BMP_NONCHARACTERS}\U00010000-\U0010ffff]"
        f"(?<=[^\U00010000-\U0010ffff]|[{_ASTRAL_NONCHARACTERS}])"
    )


# Control characters (C0 but tab and newline, DEL, C1), invisible line breaks and non-characters:
# never meant in one line of text.
CONTROL_RE = class_or_noncharacter_re("\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029")
# Characters XML 1.0 forbids (the Atom feed carries every abstract), and the C1 controls,
# invisible and never meant in text; tab and newline are fine.
_BODY_CONTROL_RE = class_or_noncharacter_re("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f")
# What Markdown shows nothing of: `[label]: url` lines define links, `](url)` is a link's
# target, and a TeX command shows at most its symbol. Text without a letter or digit once
# they are gone is no title or abstract (`\emph{}`, `[](https://x.org)`, `~`).
_DEFINITION_RE = re.compile(r"^ {0,3}\[[^\]]*\]:.*$", re.MULTILINE)
_LINK_TARGET_RE = re.compile(r"\]\([^)]*\)")


def shows_text(markdown: str) -> bool:
    """Whether Markdown with TeX shows a letter or a digit (a TeX symbol such as `\\alpha`
    shows one; `&nbsp;` and `&#8203;` show none)."""
    first = markdown.lstrip()[:1]
    if first.isalnum() and first not in INVISIBLE_LETTERS:  # nearly every title and abstract
        return True
    text = tex_symbols(_LINK_TARGET_RE.sub("", _DEFINITION_RE.sub("", markdown)))
    if "&" in text:
        text = decode_references(text)
    return any(char.isalnum() and char not in INVISIBLE_LETTERS for char in text)


# Bidi embeddings, overrides and isolates reorder what follows them: a title or an author could
# display differently from what a reviewer reads ("Trojan Source"). RTL text needs none of them.
BIDI_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def has_visible(text: str) -> bool:
    """Whether `text` shows anything: not only spaces, format and control characters."""
    return any(unicodedata.category(char)[0] not in "ZC" and char not in INVISIBLE_LETTERS for char in text)


# Today is already tomorrow in some time zones; a day past that is a slip (2205 for 2025),
# and would become the site's latest day, on the home page and atop the feeds.
ONE_DAY_AHEAD = dt.timedelta(days=1)

_UNSET: Any = object()  # `_Fields.text` reads the field itself


class _Fields:
    """Reads typed fields out of front matter, recording a problem for each bad one."""

    def __init__(self, source: SourceFile, front: FrontMatter) -> None:
        self.source = source
        self.front = front
        self.problems: list[Problem] = []

    def problem(self, key_path: tuple[str | int, ...], message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.source.label, self.front.line_of(*key_path), message, hint))

    def warn(self, key_path: tuple[str | int, ...], message: str, hint: str | None = None) -> None:
        line = self.front.line_of(*key_path)
        self.problems.append(Problem(self.source.label, line, message, hint, "warning"))

    def text(
        self,
        key: str,
        limit: int = MAX_TEXT,
        value: Any = _UNSET,
        path: tuple[str | int, ...] = (),
        markdown: bool = False,
    ) -> str | None:
        """One line of text; numbers are accepted as their written form. `value`: an item of
        the field (a list's, a mapping's) at `path`, where nothing written is a problem.
        `markdown`: pages render the field as Markdown (see `text_problem`)."""
        path = path or (key,)
        if value is _UNSET:
            value = self.front.values.get(key)
            if value is None:
                return None
        if value is None:
            self.problem(
                path,
                *self.front.explain_empty(
                    path, f"`{_name(path)}` is empty", "write a value or remove the empty line"
                ),
            )
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            written = self.front.raw.get(path)  # `Yes` in `authors: [Yes, No]`: the item, quoted
            hint = _quote_hint(path[-1] if isinstance(path[-1], str) else key)  # `project:` under `links:`
            if isinstance(path[-1], int):  # a list or a mapping inside `authors: [Ada, [x]]`
                hint = (
                    f'wrap the item in double quotes: `"{written}"`'
                    if written is not None
                    else "write each item as one text on its own line, `- ...`, without `[ ]` or `{ }` inside it"
                )
            self.problem(path, f"`{_name(path)}` must be text, not {_kind(value)}", hint)
            return None
        text = self.front.raw.get(path, str(value)) if not isinstance(value, str) else value
        problem = text_problem(text.strip(), f"`{_name(path)}`", limit, markdown)
        if problem is not None:
            self.problem(path, *problem)
            return None
        return text.strip()

    def text_list(self, key: str, limit: int = MAX_LIST, markdown: bool = False) -> tuple[str, ...]:
        value = self.front.values.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            self.problem(
                (key,),
                f"`{key}` must be a list, not a single text",
                f"write one item per line below `{key}:`, each starting with `- `",
            )
            return ()
        if not isinstance(value, list):
            self.problem((key,), f"`{key}` must be a list, not {_kind(value)}")
            return ()
        if len(value) > limit:
            self.problem((key,), f"`{key}` has {len(value)} items; the limit is {limit}")
            return ()
        items = [self.text(key, MAX_TEXT, item, (key, i), markdown) for i, item in enumerate(value)]
        return tuple(item for item in items if item is not None)


def text_problem(text: str, name: str, limit: int, markdown: bool = False) -> tuple[str, str | None] | None:
    """What is wrong with one line of text, called `name` in the message, if anything. In
    `markdown` (a title, a TL;DR), characters count as the page shows them: `&#x202E;` is the
    bidi override it stands for."""
    problem = _line_problem(text, name, limit)
    shows = decode_references(text) if markdown and problem is None else text
    if shows != text and (problem := _line_problem(shows, name, limit)) is not None:
        return f"{problem[0]} (written as a character reference, `&...;`)", "remove that `&...;` reference"
    return problem


def _line_problem(text: str, name: str, limit: int) -> tuple[str, str | None] | None:
    if not text:
        return f"{name} is empty", "write a value or remove the line"
    if "\n" in text:
        return (
            f"{name} must be one line",
            "write it on one line: a `|` or `>` block, or `\\n` inside double quotes, makes line breaks",
        )
    if control := CONTROL_RE.search(text):
        return (
            f"{name} must be one line without control characters; it holds U+{ord(control[0]):04X}",
            "remove it: inside double quotes, YAML reads escapes such as `\\t`, `\\x1b`, `\\N` or `\\L` as one",
        )
    if BIDI_RE.search(text):
        return (
            f"{name} contains invisible bidirectional control characters",
            "remove them: right-to-left text displays correctly without them",
        )
    if not has_visible(text):
        return f"{name} has no visible characters", "write a value or remove the line"
    if len(text) > limit:
        return f"{name} is {len(text)} characters; the limit is {limit}", "shorten it"
    return None


def _name(path: tuple[str | int, ...]) -> str:
    key = str(path[0])
    return key if len(path) == 1 else f"{key}[{path[1]}]" if isinstance(path[1], int) else f"{key}.{path[1]}"


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, (int, float)):
        return "a number"
    return "empty" if value is None else "text" if isinstance(value, str) else "something else"


def _quote_hint(key: str) -> str:
    return f'wrap the value in double quotes: `{key}: "..."`'


def validate_paper(
    source: SourceFile, document: Document, vocabulary: dict[str, Tag], today: dt.date | None = None
) -> tuple[Paper | None, list[Problem]]:
    """Check one paper's fields. The Paper comes whenever its title can be read, errors or
    not: one with errors is not published, but two files can still be found to be one paper."""
    fields = _Fields(source, document.front)
    values = document.front.values
    for key in values:
        if key not in KNOWN_FIELDS:
            guess = did_you_mean(key, KNOWN_FIELDS)
            fields.problem(
                (key,),
                f"unknown field `{key}`",
                f"did you mean `{guess}`?" if guess else f"known fields: {', '.join(KNOWN_FIELDS)}",
            )
    title = fields.text("title", MAX_TITLE, markdown=True)
    if title is not None and not shows_text(title):
        fields.problem(
            ("title",), "the title shows no text: no letter or digit, only markup or symbols", _TITLE_HINT
        )
        title = None
    if "title" not in values:
        fields.problem((), "the required field `title` is missing", "add a line `title: The paper's title`")
    elif values["title"] is None:
        fields.problem(
            ("title",),
            *document.front.explain_empty(
                ("title",), "`title` is empty", "write the paper's title after `title: `"
            ),
        )
    authors = fields.text_list("authors", MAX_AUTHORS)
    for index, author in enumerate(authors):
        if author in PLACEHOLDER_AUTHORS:
            fields.problem(
                ("authors", index), _PLACEHOLDER.format(f"`{author}`"), "write the paper's authors"
            )
    for path, text in [(("title",), title or ""), *((("authors", i), a) for i, a in enumerate(authors))]:
        if acting := acting_commands(text):
            it, its = ("it", "it stands") if len(acting) == 1 else ("them", "they stand")
            fields.problem(
                path,
                f"{_listed([f'`{command}`' for command in acting])} {'is' if it == 'it' else 'are'} "
                f"not TeX of text or formulas: TeX would act on {it} in the documents of readers who "
                "cite the paper (its BibTeX carries the title and authors as written)",
                f"remove {it}, or write out what {its} for: titles and names keep to text and formulas",
            )
    arxiv = _arxiv(fields, source)
    # `feed.xml.md`, `a.b.md`: not an id (a name that is no slug at all, `a..md`, is said so)
    if "." in source.slug and "arxiv" not in values and SLUG_RE.match(source.slug):
        looks_like_id = arxiv_base(source.slug) is not None
        fields.problem(
            (),
            f"only an arXiv id puts a dot in a file name, and `{source.slug}.md` has no `arxiv` field",
            f'add `arxiv: "{source.slug}"` if that is its id'
            if looks_like_id
            else f"rename the file to `{source.slug.replace('.', '-')}.md`",
        )
    tags = _tags(fields, vocabulary)
    links = _links(fields)
    upvotes = _upvotes(fields)
    _date(fields, source)
    body = document.body.strip("\n")
    body_line = document.body_line + len(document.body) - len(document.body.lstrip("\n"))  # its first
    if not body.strip():
        fields.problems.append(
            Problem(
                source.label,
                document.body_line,
                "the abstract is empty",
                "write the paper's abstract below the closing `---` line",
            )
        )
    elif not shows_text(body):
        fields.problems.append(
            Problem(
                source.label,
                document.body_line,
                "the abstract shows no text: no letter or digit, only markup or symbols",
                "write the abstract as plain text (a line `[label]: url` only defines a link)",
            )
        )
    elif placeholder := _PLACEHOLDER_RE.search(body):
        fields.problems.append(
            Problem(
                source.label,
                body_line + body[: placeholder.start()].count("\n"),
                "the abstract is still the placeholder line that `papers new` wrote",
                "replace that line with the paper's abstract",
            )
        )
    elif len(body) > MAX_ABSTRACT:  # Markdown and TeX cost time by length: a page is no place for a paper
        fields.problems.append(
            Problem(
                source.label,
                body_line + body[:MAX_ABSTRACT].count("\n"),  # where it crosses the limit
                f"the abstract is {len(body):,} characters; the limit is {MAX_ABSTRACT:,}",
                "keep to the abstract as arXiv shows it (at most 1,920 characters there)",
            )
        )
    fields.problems += _body_controls(source.label, document)
    tldr, keywords = fields.text("tldr", markdown=True), fields.text_list("keywords", markdown=True)
    organization, submitted_by = fields.text("organization", 300), fields.text("submitted_by", 300)
    if today and source.day > today + ONE_DAY_AHEAD:
        fields.problems.append(
            Problem(
                source.label,
                document.front.lines.get(("date",)),  # the folder's day, unless a `date:` line says it
                f"the paper is dated {source.day.isoformat()}, {_time_ahead(source.day, today)} from today",
                "a paper goes in the folder of the day it was listed: check the folder's year, month and day",
            )
        )
    paper_warnings(fields, title, authors, body, source.day, today, body_line)
    _unclosed_formulas_in_lines(fields, title, tldr)
    if title is None:
        return None, fields.problems
    paper = Paper(
        slug=source.slug,
        day=source.day,
        title=title,
        body=body,
        source=source.label,
        authors=authors,
        arxiv=arxiv,
        tags=tags,
        links=links,
        tldr=tldr,
        keywords=keywords,
        organization=organization,
        submitted_by=submitted_by,
        upvotes=upvotes,
    )
    return paper, fields.problems


_TITLE_HINT = "write the paper's title as on arXiv"


def _body_controls(label: str, document: Document) -> list[Problem]:
    """A problem for each line of the abstract with control characters or bidi controls."""
    return [
        Problem(
            label,
            document.body_line + line,
            f"the abstract contains the control character U+{ord(character):04X}",
            invisible_hint(
                character, "remove it: it is invisible, and feed readers refuse a feed that contains it"
            ),
        )
        for line, character in first_on_each_line(_BODY_CONTROL_RE, document.body)
    ] + [
        Problem(
            label,
            document.body_line + line,
            f"the abstract contains the bidirectional control character U+{ord(character):04X}",
            "remove it: it reorders the text around it, and right-to-left text displays correctly without it",
        )
        for line, character in first_on_each_line(  # as shown: `&#x202E;` is one too
            BIDI_RE, decode_references(document.body) if "&" in document.body else document.body
        )
    ]


def _arxiv(fields: _Fields, source: SourceFile) -> str | None:
    arxiv = fields.text("arxiv", 64)
    if arxiv is None:
        return None
    arxiv = arxiv.removeprefix("arXiv:").removeprefix("arxiv:")
    if arxiv_base(arxiv) is None:
        fields.problem(
            ("arxiv",),
            f"`{arxiv}` is not an arXiv id",
            'write the id as on arxiv.org, like "2503.12345", "2503.12345v2" or "hep-th/9901001", '
            "in double quotes",
        )
        return None
    expected = arxiv_slug(arxiv)
    if source.slug != expected:
        fields.problem(
            ("arxiv",),
            f"a paper with arXiv id {arxiv} must be in a file named `{expected}.md`, not `{source.slug}.md`",
            f"`{expected}.md` is there already: keep one of the two files"
            if another_file_named(source.path, f"{expected}.md")
            else f"rename the file to {expected}.md (the URL of a paper is its arXiv id)",
        )
    return arxiv


_SPACES_RE = re.compile(r"\s+")
NOT_IN_VOCABULARY = "is not in the vocabulary"  # how an unknown tag is reported (see content.read_site)


def _tags(fields: _Fields, vocabulary: dict[str, Tag]) -> tuple[str, ...]:
    tags = fields.text_list("tags", 20)
    good: list[str] = []
    for index, tag in enumerate(tags):
        if tag in vocabulary:
            if tag in good:
                fields.problem(("tags", index), f"the tag `{tag}` is listed twice", "remove one")
            good.append(tag)
            continue
        if tag == PLACEHOLDER_TAG:
            fields.problem(
                ("tags", index),
                _PLACEHOLDER.format("the tag list"),
                "write the slugs of its tags from content/tags.yaml, e.g. `tags: [llm, agents]`",
            )
            continue
        guess = did_you_mean(tag, vocabulary) or did_you_mean(_SPACES_RE.sub("-", tag.strip()), vocabulary)
        hint = f"did you mean `{guess}`? " if guess else ""
        hidden = sorted(
            {
                f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip()
                for c in tag
                if c != " " and not has_visible(c)
            }
        )
        if hidden:
            said = f" (it holds {', '.join(hidden)}, which does not show)"
        elif " " in tag.strip():
            said = " (a tag is one slug: words joined by dashes, like `computer-vision`)"
        else:
            said = ""
        fields.problem(
            ("tags", index),
            f"the tag `{tag}` {NOT_IN_VOCABULARY}{said}",
            hint
            + (
                "tags must be listed in content/tags.yaml; add it there if it is really new"
                if vocabulary
                else "content/tags.yaml lists no tags: is it there? It holds one `slug: Name` line per tag"
            ),
        )
    return tuple(dict.fromkeys(good))


def _links(fields: _Fields) -> tuple[tuple[str, str], ...]:
    value = fields.front.values.get("links")
    if value is None:
        return ()
    if not isinstance(value, dict):
        fields.problem(
            ("links",),
            f"`links` must be a mapping of kind to URL, not {_kind(value)}",
            "write e.g. `links:` then an indented line `code: https://github.com/owner/repo`",
        )
        return ()
    links: list[tuple[str, str]] = []
    for kind, url in value.items():
        if kind not in LINK_KINDS:
            guess = did_you_mean(kind, LINK_KINDS)
            fields.problem(
                ("links", kind),
                f"unknown link kind `{kind}`",
                f"did you mean `{guess}`? " if guess else f"use one of: {', '.join(LINK_KINDS)}",
            )
            continue
        text = fields.text("links", MAX_TEXT, url, ("links", kind))
        if text is None:
            continue
        problem = check_url(text)
        if problem:
            hint = "write them as listed" if "percent-encoded" in problem else "give a full https:// address"
            fields.problem(("links", kind), f"links.{kind}: {problem}", hint)
            continue
        if text.rstrip("/") == PLACEHOLDER_LINK:
            fields.problem(
                ("links", kind), _PLACEHOLDER.format(f"links.{kind}"), "give the paper's own address"
            )
            continue
        links.append((kind, text))
    order = {kind: i for i, kind in enumerate(LINK_KINDS)}
    return tuple(sorted(links, key=lambda link: order[link[0]]))


def check_url(url: str) -> str | None:
    """Why `url` may not be published as a link, or None: only plain http(s) URLs pass."""
    if any(ch.isspace() for ch in url) or CONTROL_RE.search(url) or "\\" in url:
        return f"`{url}` contains spaces, backslashes or control characters"
    if not url.isascii() and any(unicodedata.category(ch) in _UNSEEN_CATEGORIES for ch in url):
        return f"`{shown(url)}` contains invisible characters (zero-width, direction marks) or non-characters"
    unsafe = sorted(set(url) & PERCENT_ENCODED)
    if unsafe:  # no valid `href` holds them (HTML's checkers refuse the page)
        listed = ", ".join(f"`{ch}` as %{ord(ch):02X}" for ch in unsafe)
        return f"`{url}` contains characters an address writes percent-encoded: {listed}"
    try:
        parts = urlsplit(url)
        user, _ = parts.username, parts.port  # reading a port past 65535 raises
    except ValueError:
        return f"`{url}` is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return f"`{url}` is not an http(s) URL"
    if not parts.hostname:
        return f"`{url}` has no host name"
    if user is not None:  # `https://github.com@evil.example/`: the host is what follows the `@`
        return f"`{url}` holds a user name before its host"
    return None


# Format characters (direction marks, zero-width spaces), private use, unassigned and surrogates.
_UNSEEN_CATEGORIES = frozenset(("Cf", "Co", "Cn", "Cs"))
# What the URL Standard allows in no part of an address but percent-encoded.
PERCENT_ENCODED = frozenset('"<>^`{|}')


def percent_encoded(url: str) -> str:
    """`url` with `PERCENT_ENCODED` characters encoded: the same address, as a valid `href`
    writes it (importers take links from sources that do not)."""
    return "".join(f"%{ord(ch):02X}" if ch in PERCENT_ENCODED else ch for ch in url)


def _upvotes(fields: _Fields) -> int | None:
    value = fields.front.values.get("upvotes")
    if value is None:
        return None
    written = fields.front.raw.get(("upvotes",), "")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        fields.problem(("upvotes",), "`upvotes` must be a whole number of 0 or more", "e.g. `upvotes: 42`")
    elif value >= MAX_UPVOTES:
        fields.problem(
            ("upvotes",),
            f"`upvotes` is {written}; it can be at most {MAX_UPVOTES - 1:,}",
            "e.g. `upvotes: 42`",
        )
    elif not _DECIMAL_RE.fullmatch(written):  # YAML 1.1 reads `010` as 8 and `1:20` as 80
        fields.problem(
            ("upvotes",),
            f"`upvotes: {written}` is read by YAML as {value}, not as written",
            f"write the count in plain digits, e.g. `upvotes: {written.lstrip('+0') or 0}`"
            if written.strip("+0123456789") == ""
            else "write the count in plain digits, e.g. `upvotes: 42`",
        )
    else:
        return value
    return None


MAX_UPVOTES = 10**9
_DECIMAL_RE = re.compile(r"0|[1-9][0-9]*")


def _date(fields: _Fields, source: SourceFile) -> None:
    value = fields.front.values.get("date")
    if value is None:
        return
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.date.fromisoformat(value.strip())
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        fields.problem(
            ("date",),
            f"`date` must be a day like {source.day.isoformat()} (year, month, day)",
            "write it as YYYY-MM-DD, or remove the line: the folder decides the day",
        )
        return
    if value != source.day:
        fields.problem(
            ("date",),
            f"`date: {value.isoformat()}` differs from the folder's day {source.day.isoformat()}",
            f"move the file to content/{value.year}/{value.isoformat()}/ or remove the `date` line "
            "(the folder decides the day)",
        )


def _time_ahead(day: dt.date, today: dt.date) -> str:
    days, years = (day - today).days, day.year - today.year
    return f"{days} days" if days < 400 or years < 2 else f"{years:,} years"


_NOT_A_NAME_RE = re.compile(r"(?i)(?:and\s+)?(?:et\.?\s*al\.?|others|et\s+autres|u\.\s*a\.|\.\.\.|…)")


def paper_warnings(
    fields: _Fields,
    title: str | None,
    authors: tuple[str, ...],
    body: str,
    day: dt.date,
    today: dt.date | None,
    body_line: int,
) -> None:
    """What a reviewer wants to look at twice; never blocks a merge."""
    if today and today < day <= today + ONE_DAY_AHEAD:
        fields.warn(
            ("date",),
            f"the paper is dated {day.isoformat()}, tomorrow",
            "right if its list is out where that day has begun; else move it to the day it was listed",
        )
    # Letters with case only: Chinese or Arabic have none, and are never in capitals. TeX's
    # command names (`\\alpha`, `\\emph`) are not the title's words.
    words = _TEX_NAME_RE.sub("", title) if title else ""
    capitals = sum(c.isupper() for c in words)
    if (
        capitals > 8
        and not any(c.islower() for c in words)
        and capitals >= 0.8 * sum(map(str.isalpha, words))  # not LLM、RLHF与DPO的对比研究
    ):
        fields.warn(("title",), "the title is in ALL CAPS", "write it in title case as on arXiv")
    length = len(body.strip())
    if length and length < MIN_ABSTRACT and not _PLACEHOLDER_RE.search(body):
        fields.problems.append(
            Problem(
                fields.source.label,
                body_line,  # the abstract's first line: `warn` names front-matter keys
                f"the abstract is only {length} character{'' if length == 1 else 's'}",
                "paste the whole abstract",
                "warning",
            )
        )
    for offset, message, hint in _pasting_slips(body):
        line = body_line + body.count("\n", 0, offset)
        fields.problems.append(Problem(fields.source.label, line, message, hint, "warning"))
    for index, author in enumerate(authors):
        if _NOT_A_NAME_RE.fullmatch(author.strip()):
            fields.warn(
                ("authors", index),
                f"`{author.strip()}` is not an author: citations would list it as one",
                "leave it out: the list shows as many authors as it holds, and citations shorten it themselves",
            )
        elif author.count(",") >= 2 or (len(authors) == 1 and " and " in author):
            fields.warn(
                ("authors", index),
                "several authors seem to be given as one name, joined with "
                + ("commas" if author.count(",") >= 2 else "`and`"),
                "list each author on its own line, starting with `- `",
            )


# A word a PDF broke at a line's end (`lan-` then `guage`): the line break reads as a space.
_SPLIT_WORD_RE = re.compile(r"([A-Za-z]{2,})-\n[ \t]*([a-z]{2,})")
# A line of a paragraph, wrapped as a PDF has it, that starts a block of its own: `# of
# parameters` a heading, `> 90% of runs` a quote (neither mark shows), a line of `=` an
# underline that makes the line above a heading; a lone `+ 3.1` a list item (see
# `_wrapped_marks`). (A quote's own lines and a list go on.)
_BLOCK_MARK_RE = re.compile(r" {0,3}(?P<mark>#{1,6}(?=[ \t]|$)|>|=+[ \t]*$|-+[ \t]*$)")
_WRAPPED_MARKS = {
    "#": ("a heading (the `#` does not show)", "to keep the `#`"),
    ">": ("a quote (the `>` does not show)", "to keep the `>`"),
    "=": ("an underline that makes the line above a heading", "to keep the `=`"),
    "-": ("an underline that makes the line above a heading", "to keep the `-`"),
}
_BACKTICKS_RE = re.compile(r"`+")
_TEX_NAME_RE = re.compile(r"\\[A-Za-z]+")
_MATH_MARKS_RE = re.compile(r"(\\*)(\$\$?|\\[()])")  # a mark, and the backslashes before it


def _without_code(text: str) -> str:
    """`text` with its code spans blanked (same offsets): a run of backticks opens one that the
    next run of the same length closes, as CommonMark reads them, in one pass."""
    runs: dict[int, int] = {}  # length -> where an open run of that length starts
    parts, done = [], 0  # the text up to `done`, spans blanked
    for run in _BACKTICKS_RE.finditer(text):
        length = len(run[0])
        if length in runs:
            start = runs.pop(length)
            parts += [text[done:start], " " * (run.end() - start)]
            done = run.end()
            runs.clear()  # what opened inside a span was text
        else:
            runs[length] = run.start()
    return "".join(parts) + text[done:]


# A `$` the parser may read otherwise than a scan: one in a link's address (`[a](https://x.org/$y)`),
# or inside a TeX group's braces (`\emph{$x}$`, whose formula must close there).
_DOLLAR_IN_ADDRESS_RE = re.compile(r"\]\([^)\s]*\$|<[^>\s]*\$|(?:://|www\.)\S*\$")
_ADDRESS_MARKS = ("](", "<", "://", "www.")


def _may_read_otherwise(text: str) -> bool:
    """Whether the parser may read a `$` of `text` otherwise than `_scan` (see above)."""
    if any(mark in text for mark in _ADDRESS_MARKS) and _DOLLAR_IN_ADDRESS_RE.search(text):
        return True
    if "{" not in text:
        return False
    depth, counted = 0, 0  # braces counted, not paired: a guess on the safe side
    at = text.find("$")
    while at >= 0:
        depth += text.count("{", counted, at) - text.count("}", counted, at)
        if depth > 0:
            return True
        counted, at = at, text.find("$", at + 1)
    return False


def _dollars_left_open(text: str, inline: bool = False, scanned: bool | None = None) -> list[int]:
    """The lines (from 0) of `text` with a `$` that could open a formula but that nothing
    closes, so the page shows it as written. Only the parser that makes the page can tell
    (`dollars_left_open`): a `$` in code or in a link's address is text, and one inside a
    TeX group closes there or not at all. It is asked only where a scan finds a `$` left
    open (`scanned`, when the caller scanned already) or one of those, which keeps the
    check cheap (the page's parse of an abstract costs a third of a millisecond)."""
    if "$" not in text:
        return []
    if scanned is None:
        scanned = _scan(_without_code(text))[0] is not None
    if not scanned and not _may_read_otherwise(text):
        return []
    from generator.markup import dollars_left_open  # the parser: a build that finds nothing
    # changed checks no paper, and loads none

    return dollars_left_open(text, inline)


def _scan(text: str) -> tuple[int | None, int | None]:
    """Where, as far as a scan can tell, the first `$` opens a formula that nothing closes,
    and where a `\\(` does. A `$` is read as the renderer reads it (`dollars.py`): one that
    opens no formula is left alone when it could not open one or is an amount (`$5`); an
    odd number of backslashes escapes a mark."""
    dollar: int | None = None
    opened: int | None = None
    pos = 0
    while (found := _MATH_MARKS_RE.search(text, pos)) is not None:
        pos, mark, at = found.end(), found[2], found.start(2)
        if len(found[1]) % 2:
            continue  # escaped
        if opened is not None:  # inside `\\(`: only its end counts
            if mark == "\\)":
                opened = None
        elif mark == "\\(":
            opened = at
        elif mark.startswith("$"):
            end = formula_end(text, at)
            if end is not None:
                pos = end + 1
            elif dollar is None and mark == "$" and may_open(text, at) and not text[at + 1].isdigit():
                dollar = at  # (`$$` left open is rare: display math is a formula of its own)
    return dollar, opened


def _unclosed_formulas_in_lines(fields: _Fields, title: str | None, tldr: str | None) -> None:
    """A title or TL;DR whose formula is never closed shows its TeX as written, as an
    abstract's paragraph does."""
    for key, text in (("title", title), ("tldr", tldr)):
        if not text or ("$" not in text and "\\(" not in text):
            continue
        dollar, paren = _scan(_without_code(text))
        if _dollars_left_open(text, inline=True, scanned=dollar is not None):
            mark = "$"
        elif paren is not None:
            mark = "\\("
        else:
            continue
        fields.warn((key,), f"{_never_closed(mark)} in `{key}`", _closing_hint(mark))


def _pasting_slips(body: str) -> Iterator[tuple[int, str, str]]:
    """What pasting an abstract from a PDF or TeX source leaves that renders badly: words
    split at line ends, and formulas never closed (their TeX is then shown as written)."""
    split = list(_SPLIT_WORD_RE.finditer(body)) if "-\n" in body else []
    if split:
        more = f"; {len(split) - 1} more like it" if len(split) > 1 else ""
        head, tail = split[0].groups()
        yield (
            split[0].start(),
            f"`{head}-` and `{tail}` are one word split across lines{more}",
            f"join each on one line (`{head}{tail}`, or `{head}-{tail}` if the dash belongs there): "
            "a line break reads as a space",
        )
    wrapped = [] if "```" in body or "~~~" in body else _wrapped_marks(body)
    if wrapped:
        offset, mark = wrapped[0]
        reads, escaped, shown = _wrapped_reading(mark)
        more = f"; {len(wrapped) - 1} more like it" if len(wrapped) > 1 else ""
        yield (
            offset,
            f"this line starts with `{mark}`, so Markdown reads it as {reads}, not as the sentence "
            f"the line above began{more}",
            f"join it to the line above (a line break reads as a space), or write `{escaped}` {shown}",
        )
    indented = next((start for start, _ in _paragraphs(body) if body.startswith(_CODE_INDENTS, start)), None)
    if indented is not None and not _LIST_ITEM_RE.search(body, 0, indented):  # not an item's paragraph
        yield (
            indented,
            "this paragraph starts indented by four spaces or a tab, so it shows as code, "
            "unformatted, and lists and link previews show nothing of it",
            "remove the spaces at the start of its lines",
        )
    if "$" not in body and "\\(" not in body:
        return
    paragraphs = [(start, end, *_scan(_without_code(body[start:end]))) for start, end in _paragraphs(body)]
    scanned = any(dollar is not None for _, _, dollar, _ in paragraphs)
    left_open = _dollars_left_open(body, scanned=scanned)  # read whole: a paragraph may be a list item's
    first, counted = 0, 0  # the line each paragraph starts on
    for start, end, _, paren in paragraphs:
        first += body.count("\n", counted, start)
        counted, last = start, first + body.count("\n", start, end)
        line = next((line for line in left_open if first <= line <= last), None)
        opening = (_line_start(body, line), "$") if line is not None else None
        if paren is not None and (opening is None or start + paren < opening[0]):
            opening = (start + paren, "\\(")
        if opening is not None:
            yield (opening[0], f"{_never_closed(opening[1])} in its paragraph", _closing_hint(opening[1]))


def _line_start(text: str, line: int) -> int:
    """Where line `line` (from 0) of `text` starts."""
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset


def _never_closed(mark: str) -> str:
    return f"a formula opened with `{mark}` is never closed"


def _closing_hint(mark: str) -> str:
    """How to close a formula opened with `mark` (`$` or `\\(`)."""
    if mark == "$":
        return "end it with `$` (a dollar sign of an amount is fine as it is: `$5`)"
    return "end it with `\\)`"


# A heading's line, or a list item's: a line of `---` or `===` under it is a rule or text.
_HEADING_OR_ITEM_RE = re.compile(r" {0,3}(?:#{1,6}(?:[ \t]|$)|[-*+][ \t]|\d{1,9}[.)][ \t])")
# A list item that can break into a paragraph: a bullet, or a number list starting at 1.
_ITEM_RE = re.compile(r" {0,3}(?P<mark>[-*+]|1[.)])[ \t]+\S")


def _wrapped_marks(body: str) -> list[tuple[int, str]]:
    """Where a line that goes on a paragraph's text starts a block (`_WRAPPED_MARKS`), and its
    mark; a quote's own lines go on. A list item counts when it stands alone after a line
    that does not introduce a list (`by\\n+ 3.1 BLEU`), not a list of several (`are\\n- a\\n- b`)
    nor one after a colon."""
    found: list[tuple[int, str]] = []
    lines = body.split("\n")
    offset, before = 0, ""
    for number, line in enumerate(lines):
        if before.strip() and not before.lstrip().startswith(">"):
            mark = _BLOCK_MARK_RE.match(line)
            if mark and not (mark["mark"][0] in "=-" and _HEADING_OR_ITEM_RE.match(before)):
                found.append((offset + mark.start("mark"), mark["mark"][0]))
            elif (
                (item := _ITEM_RE.match(line))
                and not _HEADING_OR_ITEM_RE.match(before)
                and not before.rstrip().endswith(":")
                and not (number + 1 < len(lines) and _HEADING_OR_ITEM_RE.match(lines[number + 1]))
            ):
                found.append((offset + item.start("mark"), item["mark"]))
        before, offset = line, offset + len(line) + 1
    return found


def _wrapped_reading(mark: str) -> tuple[str, str, str]:
    """How Markdown reads a line starting with `mark` (see `_wrapped_marks`), the mark
    escaped, and what the escape keeps."""
    if mark in _WRAPPED_MARKS:
        reads, shown = _WRAPPED_MARKS[mark]
        return reads, f"\\{mark}", shown
    escaped = f"1\\{mark[1]}" if mark[0] == "1" else f"\\{mark}"
    shows = "a number" if mark[0] == "1" else "a bullet"
    return f"a list item (the `{mark}` shows as {shows})", escaped, f"to keep the `{mark}`"


def _paragraphs(body: str) -> Iterator[tuple[int, int]]:
    """Where each paragraph of `body` starts and ends."""
    start = 0
    for gap in _PARAGRAPH_GAP_RE.finditer(body):
        yield start, gap.start()
        start = gap.end()
    yield start, len(body)


_PARAGRAPH_GAP_RE = re.compile(r"\n[ \t]*\n")
_CODE_INDENTS = ("    ", "\t", " \t", "  \t", "   \t")  # where Markdown's indented code starts
_LIST_ITEM_RE = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]", re.MULTILINE)


def check_duplicates(papers: Iterable[Paper]) -> list[Problem]:
    """Two files may not be the same paper: same arXiv id, same slug, or the same title. Each
    file gets one problem naming the others and everything they share."""
    rules: list[tuple[str, Any]] = [
        ("arXiv id", lambda p: p.arxiv_base),
        ("slug", lambda p: p.slug),
        ("title", lambda p: p.title_key),
    ]
    papers = list(papers)
    shared: dict[str, dict[str, list[str]]] = {}  # file -> other file -> what they share
    for what, key_of in rules:
        first: dict[Any, Paper] = {}
        repeated: dict[Any, list[Paper]] = {}  # rare: lists only for them (every build checks)
        for paper in papers:
            key = key_of(paper)
            if not key:
                continue
            if key in first:
                repeated.setdefault(key, [first[key]]).append(paper)
            else:
                first[key] = paper
        for group in repeated.values():
            for paper in group:
                for other in group:
                    if other is not paper:
                        shared.setdefault(paper.source, {}).setdefault(other.source, []).append(what)
    problems = []
    for source, others in shared.items():
        whats = list(dict.fromkeys(what for found in others.values() for what in found))
        problems.append(
            Problem(
                source,
                None,
                f"duplicate {joined(whats)}: the same paper is also in {_listed(list(others))}",
                "keep one file per paper, in the folder of the day it was first listed, and remove the other",
            )
        )
    return problems


def _listed(files: list[str], shown: int = 3) -> str:
    """A few files, and how many more: 300 copies of a paper are not 90,000 names."""
    more = len(files) - shown
    return ", ".join(files[:shown]) + (f" and {more} more" if more > 0 else "")


TAG_FIELDS = ("name", "description")


def load_vocabulary(label: str, text: str) -> tuple[dict[str, Tag], list[Problem]]:
    """`content/tags.yaml`: `slug: Name` or `slug: {name: ..., description: ...}`."""
    front, problems = parse_yaml_mapping(label, text, example="llm: Large language models")
    if front is None:
        return {}, problems
    vocabulary: dict[str, Tag] = {}
    for slug, value in front.values.items():
        line = front.line_of(slug)
        if len(slug) > MAX_SLUG:  # a folder name: the build could not write it
            problems.append(
                Problem(
                    label, line, f"the tag `{slug[:40]}...` is {len(slug)} characters; at most {MAX_SLUG}"
                )
            )
            continue
        if not SLUG_RE.match(slug) or "." in slug:
            problems.append(
                Problem(
                    label,
                    line,
                    f"the tag `{slug}` is not lowercase kebab-case",
                    f"write it as `{latin_slug(str(slug))}`: lowercase words joined by dashes"
                    if latin_slug(str(slug))
                    else "a tag's slug is Latin letters, digits and dashes (`audio-generation`); "
                    "its name, after the colon, may be in any script",
                )
            )
            continue
        name: Any = (value.strip() or slug) if isinstance(value, str) else None
        description = ""
        if isinstance(value, dict):
            name = value.get("name")
            description, wrong = _tag_description(front, slug, value.get("description"))
            if wrong is not None:
                problems.append(Problem(label, front.line_of(slug, "description"), *wrong))
        if not isinstance(name, str):
            problems.append(
                Problem(label, line, f"the tag `{slug}` needs a name", f"write `{slug}: Display name`")
            )
            continue
        for key in sorted(value.keys() - set(TAG_FIELDS)) if isinstance(value, dict) else ():
            guess = did_you_mean(str(key), TAG_FIELDS)
            problems.append(
                Problem(
                    label,
                    front.line_of(slug, key),
                    f"the tag `{slug}` has an unknown field `{key}`",
                    f"did you mean `{guess}`?" if guess else "a tag has a `name` and a `description`",
                )
            )  # an unknown field is no reason to drop the tag: its papers are fine
        before = len(problems)  # what pages, feeds and search show of a tag is text, as a paper's fields are
        for part, text, limit in (("name", name, MAX_TITLE), ("description", description, MAX_TEXT)):
            problem = text_problem(text.strip(), f"the {part} of the tag `{slug}`", limit)
            if problem is not None and (text.strip() or part == "name"):  # no description is fine
                problems.append(Problem(label, front.line_of(slug, part), *problem))
        if len(problems) == before:
            vocabulary[slug] = Tag(slug, name.strip(), description.strip())
    return vocabulary, problems


def _tag_description(front: FrontMatter, slug: str, value: Any) -> tuple[str, tuple[str, str] | None]:
    """A tag's description as text (a number as written: `2025`), or why it is none."""
    if value is None or isinstance(value, str):
        return value or "", None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return front.raw.get((slug, "description"), str(value)), None
    kind = f"must be text, not {_kind(value)}"  # `[a, b]`, or `Yes`, which YAML reads as true
    return "", (f"the description of the tag `{slug}` {kind}", _quote_hint("description"))
