"""Paper, Day, Tag and Site: grouping, ordering, slugs and URLs, each computed in one place."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html.entities
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

SLUG_RE = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*\Z")  # \Z: `$` would pass a final newline
MAX_SLUG = 100
LINK_KINDS = ("code", "project", "data", "pdf", "video")
# `YYMM.NNNNN` since 2015 (`YYMM.NNNN` from April 2007), `archive/YYMMNNN` before; an old id
# may name a subject class (`math.GT/0309136`), which is not part of the paper's id.
ARXIV_NEW_RE = re.compile(r"^(?P<base>[0-9]{2}(?:0[1-9]|1[0-2])\.[0-9]{4,5})(?P<version>v[1-9][0-9]*)?\Z")
ARXIV_OLD_RE = re.compile(
    r"^(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?/(?P<number>[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{3})"
    r"(?P<version>v[1-9][0-9]*)?\Z"
)


@functools.lru_cache(maxsize=200_000)
def arxiv_base(arxiv_id: str) -> str | None:
    """The arXiv id without its version, or None when `arxiv_id` is not a valid id."""
    new = ARXIV_NEW_RE.match(arxiv_id)
    if new:
        month, digits = int(arxiv_id[:4]), len(new["base"]) - 5
        return new["base"] if month >= 704 and digits == (4 if month < 1501 else 5) else None
    old = ARXIV_OLD_RE.match(arxiv_id)
    return f"{old['archive']}/{old['number']}" if old else None


def arxiv_year(arxiv_id: str) -> int | None:
    """The year a paper was first submitted to arXiv, which its id spells: `2503.12345` and
    `hep-th/9901001` begin with the year's last two digits (old ids ran from 1991 to 2007)."""
    base = arxiv_base(arxiv_id)
    if base is None:
        return None
    year = int(base.rpartition("/")[2][:2])
    return year + (1900 if year >= 91 else 2000)


def arxiv_slug(arxiv_id: str) -> str:
    """The file name (slug) a paper with this arXiv id must have: `hep-th/9901001` -> `hep-th-9901001`."""
    base = arxiv_base(arxiv_id) or arxiv_id
    return base.replace("/", "-").lower()


# A letter under a TeX accent (`Fr\'echet`, `G\"{o}del`, `\v{C}ech`, `Na\"{\i}ve`); a letter
# accent must end its name (`\delta`, `\bf`, `\cite` are other commands).
_TEX_ACCENT_RE = re.compile(
    r"\\([`'^\"~=.]|[uvHckrbd](?![a-zA-Z]))\s*(?:\{(?:\\(?=[ij]\b))?([^\W\d_])\}|(?:\\(?=[ij]\b))?([A-Za-z]))"
)  # the letter may carry an accent already: `\~{\^e}` is ễ once `\^e` is ê
# The combining mark each TeX accent puts on its letter.
TEX_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
# TeX's letters that are commands, in text and names alike. A command's name ends at the
# first non-letter and takes the spaces after it: `\AA ngstr\"om` is Ångström.
TEX_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
}
_TEX_LETTER_RE = re.compile(
    rf"\\({'|'.join(sorted(TEX_LETTERS, key=len, reverse=True))})(?![a-zA-Z])\s*(?:\{{\}})?"
)
_LETTER_BRACES_RE = re.compile(r"\{(\w?)\}")  # `Fr{é}chet`, `\LaTeX{}`: braces around a letter or none


# Latin letters that Unicode does not decompose into a letter and an accent, as slugs spell them.
_UNDECOMPOSED = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L"}
    | {"đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i", "ȷ": "j"}
)


def plain_letters(text: str) -> str:
    """TeX's accented and special letters as letters, without the braces around them:
    `Fr{\\'e}chet` is `Frechet`, `\\o{}degaard` `ødegaard`: what slugs and title keys compare."""
    if "\\" not in text:
        return text
    text = _TEX_ACCENT_RE.sub(lambda accented: accented[2] or accented[3], text)
    text = _TEX_LETTER_RE.sub(lambda letter: TEX_LETTERS[letter[1]], text)
    return _LETTER_BRACES_RE.sub(r"\1", text)


def shown_letters(text: str) -> str:
    """TeX's accented and special letters as the letters they show (`Erd\\H{o}s` is Erdős,
    `{\\o}` ø) and its escapes as their characters (`\\&`): a name as pages show it."""
    if "\\" not in text:  # the common case, first
        return text.replace("~", "\u00a0")  # `D.~E.~Knuth`: TeX's unbreakable space
    text = _TIE_RE.sub("\u00a0", text)
    for _ in range(3):  # accents over accents, innermost first: `Nguy\\~{\\^e}n` is Nguyễn
        text, count = _TEX_ACCENT_RE.subn(_accented, text)
        if not count:
            break
    text = _TEX_LETTER_RE.sub(lambda letter: TEX_LETTERS[letter[1]], text)
    # Braces around a letter go, but not a command's (`\\textit{x}` stays itself).
    text = _BRACED_LETTER_RE.sub(lambda found: found[1] if found[2] is None else found[2], text)
    return _TEX_ESCAPE_RE.sub(r"\1", text)


def _accented(accent: re.Match[str]) -> str:
    return unicodedata.normalize("NFC", (accent[2] or accent[3]) + TEX_ACCENTS[accent[1]])


_TEX_ESCAPE_RE = re.compile(r"\\([&%$#_])")
_TIE_RE = re.compile(r"(?<!\\)~")
_BRACED_LETTER_RE = re.compile(r"(\\[A-Za-z]+\s*\{[^{}]*\})|\{(\w?)\}")


_APOSTROPHE_RE = re.compile(r"(?<=[a-z0-9])'(?=[a-z])")


def slugify(text: str, max_length: int = 80) -> str:
    """A lowercase kebab-case ASCII slug from a title (see `latin_slug`); a title without
    Latin letters or digits (Chinese, Arabic) gets one of its own all the same."""
    slug = latin_slug(text, max_length)
    return slug or "paper-" + hashlib.sha256(unicodedata.normalize("NFC", text).encode()).hexdigest()[:8]


def latin_slug(text: str, max_length: int = 80) -> str:
    """The Latin words of `text` as a kebab-case slug, cut at a word boundary ("" without
    any); a letter with a TeX accent is the letter (`Fr\\'echet` and `Fr{\\'e}chet` ->
    `frechet`, not `fr-echet`)."""
    text = plain_letters(text).translate(_UNDECOMPOSED)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", _APOSTROPHE_RE.sub("", ascii_text.lower()))  # paper's, not paper-s
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")


# A character reference, as Markdown reads one: named (`&amp;`) or numeric (`&#233;`, `&#xE9;`).
_REFERENCE_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_references(text: str) -> str:
    """`text` with its character references decoded as Markdown decodes them: `Ne&#101;d` is
    `Need`. One that names no character Markdown shows (`&#1;`, `&nothing;`) stays as written."""
    return _REFERENCE_RE.sub(_decoded, text) if "&" in text else text


def _decoded(reference: re.Match[str]) -> str:
    name = reference[0][1:-1]
    if name[0] != "#":
        return html.entities.html5.get(name + ";", reference[0])
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    return chr(code) if _shown_code(code) else reference[0]


def _shown_code(code: int) -> bool:
    """markdown-it's test of a numeric reference: no surrogate, non-character, C0 control but
    tab, newline, form feed and carriage return, DEL or C1 control, nothing past Unicode."""
    return not (
        0xD800 <= code <= 0xDFFF
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
        or code <= 0x08
        or code == 0x0B
        or 0x0E <= code <= 0x1F
        or 0x7F <= code <= 0x9F
        or code > 0x10FFFF
    )


# The Hangul fillers: letters by their category, but shown as nothing (Unicode's
# Default_Ignorable, like the zero-width and format characters, which are not letters).
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


@functools.lru_cache(maxsize=200_000)
def normalize_title(title: str) -> str:
    """The key under which two titles count as the same paper: case, punctuation, accents,
    invisible characters (zero-width, soft hyphen), TeX and Markdown formatting (`_x_`, a
    link's address) ignored. A TeX symbol counts as the character it shows: `$\\alpha$-Flows`
    is `α-Flows`, not `$\\beta$-Flows`."""
    text = _LINK_ADDRESS_RE.sub("]", decode_references(title))
    if "$" in text or "\\(" in text:
        text = _FORMULA_RE.sub(_without_scripts, text)
    text = unicodedata.normalize("NFKD", tex_symbols(text))
    if not text.isascii():
        text = "".join(
            c
            for c in text
            if not unicodedata.combining(c) and unicodedata.category(c) != "Cf" and c not in INVISIBLE_LETTERS
        )
    return " ".join(_TITLE_WORD_RE.findall(text.casefold()))


_LINK_ADDRESS_RE = re.compile(r"\]\([^)]*\)")  # `[Attention](https://...)` shows `Attention`
_TITLE_WORD_RE = re.compile(r"[^\W_]+")  # `_` is Markdown's emphasis, though `\w` holds it
_FORMULA_RE = re.compile(r"\$[^$]*\$|\\\(.*?\\\)")
_SCRIPT_RE = re.compile(r"[\^_](?:\{([^{}]*)\}|(\S))")


def _without_scripts(formula: re.Match[str]) -> str:
    """A formula's scripts as the letters they raise or lower: `n^2`, `n^{2}` and `n²` are
    all `n2` once compatibility forms are decomposed (NFKD)."""
    return _SCRIPT_RE.sub(r"\1\2", formula[0])


_TEX_COMMAND_RE = re.compile(r"\\([a-zA-Z]+)|\\.")


def tex_symbols(text: str) -> str:
    """TeX commands replaced by what they show: `\\alpha` by `α`, formatting (`\\textbf`,
    `\\bf`) by nothing, escapes (`\\&`) by their character. Enough to compare texts, not to
    display them."""
    if "\\" not in text:
        return text
    return _TEX_COMMAND_RE.sub(_tex_symbol, plain_letters(text))  # `\'{e}`: the letter


def _tex_symbol(command: re.Match[str]) -> str:
    """`\\alpha` as `α`; formatting (`\\textbf`, `\\bf`) leaves nothing; an escape is the
    character it escapes, as pages show it (`A\\&B` is `A&B`, `Zero\\-shot` is `Zero-shot`)."""
    return _symbol(command[0]) if command[1] else command[0][1:]


@functools.lru_cache(maxsize=1024)
def _symbol(command: str) -> str:
    # Imported here: reading its table of symbols costs a build that finds nothing changed.
    from latex2mathml.symbols_parser import convert_symbol

    code = convert_symbol(command)  # hexadecimal code points, joined by "-" for a few symbols
    return "".join(chr(int(part, 16)) for part in code.split("-")) if code else ""


@dataclass(frozen=True)
class Paper:
    """One paper file, validated. `title` and `body` are the contributor's text, unchanged."""

    slug: str
    day: dt.date
    title: str
    body: str
    source: str  # the file, relative to the project root, e.g. content/2025/2025-03-17/x.md
    authors: tuple[str, ...] = ()
    arxiv: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()
    tldr: str | None = None
    keywords: tuple[str, ...] = ()
    organization: str | None = None
    submitted_by: str | None = None
    upvotes: int | None = None

    def __hash__(self) -> int:
        """The slug's: equal papers have equal slugs, and hashing every field, the whole
        abstract among them, for each dict a build keys by paper cost more than the lookups."""
        return hash(self.slug)

    @property
    def url(self) -> str:
        return paper_url(self.slug)

    @functools.cached_property
    def title_key(self) -> str:
        """`normalize_title(title)`, kept with the paper when the build cache pickles it:
        every build compares all titles for duplicates."""
        return normalize_title(self.title)

    @functools.cached_property
    def names(self) -> tuple[str, ...]:
        """The authors as pages show them: `Erd\\H{o}s` is Erdős. BibTeX keeps them as written."""
        return tuple(map(shown_letters, self.authors))

    @functools.cached_property
    def text_key(self) -> bytes:
        """A digest of the title and abstract, all that related papers read of a paper; kept
        with it in the build cache, as every build compares all of them."""
        return hashlib.sha256(f"{self.title}\0{self.body}".encode()).digest()

    @property
    def arxiv_base(self) -> str | None:
        return arxiv_base(self.arxiv) if self.arxiv else None

    @property
    def year(self) -> int | None:
        """The year the paper came out, as far as known: its arXiv id's. The day it was listed
        here may be years later (a classic paper discussed again), so it is not a guess for it."""
        return arxiv_year(self.arxiv) if self.arxiv else None

    @property
    def arxiv_abs_url(self) -> str | None:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    @property
    def arxiv_pdf_url(self) -> str | None:
        return f"https://arxiv.org/pdf/{self.arxiv}" if self.arxiv else None

    @property
    def pdf_url(self) -> str | None:
        return dict(self.links).get("pdf") or self.arxiv_pdf_url

    def sort_key(self) -> tuple[int, str, str]:
        """Within a day: most upvoted first, then by title, so the order never depends on the disk."""
        return (-(self.upvotes or 0), self.title.casefold(), self.slug)


def paper_url(slug: str) -> str:
    return f"papers/{slug}/"


def day_url(day: dt.date, page: int = 1) -> str:
    return f"days/{day.isoformat()}/" if page == 1 else f"days/{day.isoformat()}/page/{page}/"


def tag_url(tag: str, page: int = 1) -> str:
    return f"tags/{tag}/" if page == 1 else f"tags/{tag}/page/{page}/"


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    description: str = ""

    @property
    def url(self) -> str:
        return tag_url(self.slug)


@dataclass
class Day:
    date: dt.date
    papers: list[Paper] = field(default_factory=list)

    @property
    def url(self) -> str:
        return day_url(self.date)

    @property
    def order(self) -> str:
        """How the day's list is ordered (`Paper.sort_key`), as its page says it."""
        return "most upvoted first" if any(paper.upvotes for paper in self.papers) else "by title"


@dataclass
class Site:
    """All papers, grouped by day and tag, newest first. Built once, read by every page."""

    papers: list[Paper]
    vocabulary: dict[str, Tag]

    @cached_property
    def days(self) -> list[Day]:
        groups: dict[dt.date, list[Paper]] = defaultdict(list)
        for paper in self.papers:
            groups[paper.day].append(paper)
        return [Day(d, sorted(groups[d], key=Paper.sort_key)) for d in sorted(groups, reverse=True)]

    @cached_property
    def ordered_papers(self) -> list[Paper]:
        """Newest day first, each day in its listing order."""
        return [paper for day in self.days for paper in day.papers]

    @cached_property
    def tags(self) -> dict[str, list[Paper]]:
        """Every vocabulary tag in use, with its papers newest first."""
        used: dict[str, list[Paper]] = defaultdict(list)
        for paper in self.ordered_papers:
            for tag in paper.tags:
                used[tag].append(paper)
        return {slug: used[slug] for slug in sorted(used)}

    @cached_property
    def _day_index(self) -> dict[dt.date, int]:
        return {day.date: index for index, day in enumerate(self.days)}

    def day_neighbours(self, day: Day) -> tuple[Day | None, Day | None]:
        """(older, newer) days around `day`."""
        index = self._day_index[day.date]
        older = self.days[index + 1] if index + 1 < len(self.days) else None
        newer = self.days[index - 1] if index > 0 else None
        return older, newer

    @cached_property
    def months(self) -> dict[str, list[Day]]:
        """Month key ("2025-03") -> its days, newest first."""
        result: dict[str, list[Day]] = defaultdict(list)
        for day in self.days:
            result[month_key(day.date)].append(day)
        return dict(result)
