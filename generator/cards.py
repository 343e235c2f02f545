"""Social cards: an Open Graph image per paper, `layouts/card.svg` rendered to PNG by resvg.

Link previews (chat apps, social sites) show the card when someone shares a paper. A card
is a pure function of its SVG text, so PNGs are kept in `.cache/cards/` under a hash of
that text (and of the fonts and renderer): a build renders only the cards of new or
changed papers, even from a clean checkout when CI restores that folder.

The fonts are the system's, looked up in the usual places (DejaVu Sans, Liberation Sans,
Arial); with none of them, or without `layouts/card.svg`, or with `social_cards: false`,
pages simply have no card. The dev server never renders cards: previews do not need them.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import struct
import sys
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from generator import installed
from generator.errors import PapersError
from generator.model import Paper
from generator.views import PaperView

if TYPE_CHECKING:
    from generator.render import Page, Renderer

CARD_TEMPLATE = "card.svg"
CARD_NAME = "card.png"
CARD_WIDTH, CARD_HEIGHT = 600, 315  # the smallest size the big sites show as a large image
CARDS_CACHE = ".cache/cards"
TITLE_EMS, TITLE_LINES = 20.0, 4  # 528 pixels of 26-pixel bold text, as layouts/card.svg sets it
AUTHORS_EMS = 36.0  # 528 pixels of 15-pixel text

# (family, regular, bold) in the places Debian, Ubuntu, Fedora, Arch, macOS and Windows use.
FONT_CANDIDATES = (
    ("DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVu Sans", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("DejaVu Sans", "/usr/share/fonts/TTF/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (
        "Liberation Sans",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "LiberationSans-Bold.ttf",
    ),
    ("Arial", "/System/Library/Fonts/Supplemental/Arial.ttf", "Arial Bold.ttf"),
    ("Arial", "C:/Windows/Fonts/arial.ttf", "arialbd.ttf"),
)
# Fonts for the scripts the families above lack (Chinese, Japanese, Korean), used when present.
FALLBACK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
)

# Characters XML 1.0 does not allow: the checker refuses them in titles already, and a card
# drops them rather than fail on one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class CardFonts:
    family: str
    files: tuple[str, ...]


def find_fonts() -> CardFonts | None:
    """The first installed regular and bold pair of a known sans-serif family, and fallbacks."""
    fallbacks = tuple(path for path in FALLBACK_FONTS if os.path.isfile(path))
    for family, regular, bold in FONT_CANDIDATES:
        bold_path = os.path.join(os.path.dirname(regular), bold)
        if os.path.isfile(regular) and os.path.isfile(bold_path):
            return CardFonts(family, (regular, bold_path, *fallbacks))
    return None


class CardMaker:
    """SVG text to PNG bytes, through the content-addressed cache when there is one."""

    def __init__(self, fonts: CardFonts, cache: Path | None) -> None:
        self.fonts = fonts
        self.cache = cache
        identity = [str(installed.version("resvg-py")), fonts.family]
        for path in fonts.files:
            stat = os.stat(path)
            identity += [path, str(stat.st_size), str(stat.st_mtime_ns)]
        self.identity = "\0".join(identity)

    def png(self, svg: str, label: str) -> bytes:
        digest = hashlib.sha256(f"{self.identity}\0{svg}".encode()).hexdigest()
        stored = self.cache / digest[:2] / f"{digest}.png" if self.cache else None
        if stored is not None:
            with contextlib.suppress(OSError):
                kept = stored.read_bytes()
                if intact_png(kept):  # a cache restored by CI, a disk that failed: checked
                    return kept
        png = self._render(svg, label)
        if stored is not None:  # the cache only saves time: a folder that takes no file is no error
            temporary = stored.with_name(f".{stored.name}.{os.getpid()}")
            try:
                stored.parent.mkdir(parents=True, exist_ok=True)
                temporary.write_bytes(png)
                temporary.replace(stored)  # several build workers may store the same card
            except OSError:
                with contextlib.suppress(OSError):
                    temporary.unlink()
        return png

    def _render(self, svg: str, label: str) -> bytes:
        import resvg_py  # a compiled extension: loaded only by builds that make cards

        try:
            return bytes(
                resvg_py.svg_to_bytes(
                    svg_string=svg,
                    skip_system_fonts=True,  # loading every system font costs more than the card
                    font_files=list(self.fonts.files),
                    sans_serif_family=self.fonts.family,
                    font_family=self.fonts.family,
                )
            )
        except ValueError as error:
            raise PapersError.single(
                label, f"cannot render the social card: {error}", f"check layouts/{CARD_TEMPLATE}"
            ) from None


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def intact_png(data: bytes) -> bool:
    """Whether `data` is a whole PNG file: its signature, then chunks whose checksums hold,
    up to the closing IEND chunk and no further."""
    if not data.startswith(_PNG_SIGNATURE):
        return False
    position = len(_PNG_SIGNATURE)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        end = position + 8 + length
        if end + 4 > len(data):
            return False
        if zlib.crc32(data[position + 4 : end]) != int.from_bytes(data[end : end + 4], "big"):
            return False
        if data[position + 4 : position + 8] == b"IEND":
            return end + 4 == len(data)
        position = end + 4
    return False


def card_maker(root: Path, layouts: Path, enabled: bool) -> CardMaker | None:
    """The card maker for a build, or None when this site makes no cards."""
    if not enabled or not (layouts / CARD_TEMPLATE).is_file():
        return None
    fonts = find_fonts()
    return CardMaker(fonts, root / CARDS_CACHE) if fonts else None


def text_width(text: str) -> float:
    """How wide `text` may be, in ems of a bold sans-serif: an upper bound for the usual
    letters (W is widest), so lines stay on the card whatever the font."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 0.36
        elif char in "MW":
            width += 1.25
        elif char in "mw@%" or unicodedata.east_asian_width(char) in "WF":
            width += 1.0
        elif char.isupper():
            width += 0.8
        else:
            width += 0.66
    return width


_NARROW = set(" .,:;'|!ijlftrI()[]-")


def wrap(text: str, ems: float, lines: int) -> list[str]:
    """At most `lines` lines no wider than `ems`, the last one ending in … if the text is cut.

    Linear in the text: a word wider than a line is cut where its widths add up to the line.
    """
    result: list[str] = []
    current, width = "", 0.0
    space = text_width(" ")
    for word in _NOT_XML.sub("", text).split():
        if len(result) > lines:
            break  # enough to know the text is cut
        size = text_width(word)
        if current and width + space + size <= ems:
            current, width = f"{current} {word}", width + space + size
            continue
        if current:
            result.append(current)
        while size > ems:  # a word wider than a line: cut it where it fills one
            cut, used = _fitting(word, ems)
            result.append(word[:cut])
            word, size = word[cut:], size - used
        current, width = word, size
    if current:
        result.append(current)
    if len(result) > lines:
        last = result[lines - 1]
        while last and text_width(last + " …") > ems:
            last = last[:-1].rstrip()
        result = [*result[: lines - 1], f"{last} …" if last else "…"]
    return result


def _fitting(word: str, ems: float) -> tuple[int, float]:
    """How many characters of `word` fit in `ems` (at least one), and their width."""
    used = 0.0
    for index, char in enumerate(word):
        size = text_width(char)
        if used + size > ems and index:
            return index, used
        used += size
    return len(word), used


def authors_line(paper: Paper, drawable: frozenset[int] | None) -> str:
    """`A, B, C` or `A, B, C, et al.`, within one line; a name the fonts draw nothing of is
    left out (a lone `,` stood for two Chinese names)."""
    drawn = (" ".join(drawn_text(name, drawable).split()) for name in paper.names[:3])
    names = [name for name in drawn if any(character.isalnum() for character in name)]
    if not names:
        return ""
    line = ", ".join(names) + (", et al." if len(paper.authors) > len(names) else "")
    return wrap(line, AUTHORS_EMS, 1)[0]


def title_lines(view: PaperView, drawable: frozenset[int] | None) -> list[str]:
    """The title as the card shows it, in characters its fonts draw; a title they draw
    nothing of (Chinese, where the machine has no font for it) as its arXiv id, if any."""
    title = drawn_text(view.title_text, drawable)
    if not any(character.isalnum() for character in title) and view.paper.arxiv:
        title = f"arXiv:{view.paper.arxiv}"
    return wrap(title, TITLE_EMS, TITLE_LINES)


def drawn_text(text: str, drawable: frozenset[int] | None) -> str:
    """`text` in the characters `drawable` (None: any), since a missing glyph is drawn as an
    empty box: Unicode's mathematical letters and digits (𝒪, 𝐱), which formulas are written
    with, and fullwidth forms (Ｆ) as plain ones; another missing character as its
    compatibility form (NFKC) when the fonts have that, else left out (🚀), with the
    variation selectors and joiners that make it an emoji sequence."""
    text = _FOLDED_RE.sub(_plain_letter, text)
    drawn = [_drawn(character, drawable) for character in text]
    for index, character in enumerate(text):
        neighbours = drawn[index - 1 : index] + drawn[index + 1 : index + 2]
        if character == _JOINER and (len(neighbours) < 2 or "" in neighbours):
            drawn[index] = ""  # what joined emoji (👩‍🔬) joins nothing
    return "".join(drawn)


_FOLDED_RE = re.compile("[\U0001d400-\U0001d7ff\uff01-\uff5e\u3000]")
_JOINER = "\u200d"
_VARIATION_SELECTORS_RE = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")


def _plain_letter(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match[0])


def _drawn(character: str, drawable: frozenset[int] | None) -> str:
    """A character as drawn: itself, its compatibility form, a space, or nothing. A variation
    selector asks for a presentation (emoji or text) the card's fonts do not have."""
    if _VARIATION_SELECTORS_RE.match(character):
        return ""
    if drawable is None or ord(character) in drawable:
        return character
    if character.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", character)
    return folded if folded != character and all(ord(c) in drawable for c in folded) else ""


@functools.lru_cache(maxsize=4)
def font_characters(files: tuple[str, ...]) -> frozenset[int] | None:
    """The characters some font of `files` has a glyph for (resvg falls back from one to the
    next), or None when one cannot be read: then every character is taken as drawn."""
    characters: set[int] = set()
    try:
        for path in files:
            with open(path, "rb") as font:
                characters |= _mapped_characters(font)
    except (OSError, KeyError, struct.error):
        return None
    return frozenset(characters)


def _mapped_characters(font: BinaryIO) -> set[int]:
    """The characters of a font's Unicode character map (`cmap`), from its format 12 table
    (all of Unicode) or else its format 4 one (the BMP); a collection's (.ttc) first font's."""
    start = struct.unpack(">I", _read(font, 12, 4))[0] if _read(font, 0, 4) == b"ttcf" else 0
    (count,) = struct.unpack(">H", _read(font, start + 4, 2))
    records = _read(font, start + 12, 16 * count)
    tables = {tag: at for tag, _, at, _ in struct.iter_unpack(">4sIII", records)}
    cmap = tables[b"cmap"]
    (count,) = struct.unpack(">H", _read(font, cmap + 2, 2))
    subtables: dict[int, int] = {}
    for platform, encoding, at in struct.iter_unpack(">HHI", _read(font, cmap + 4, 8 * count)):
        if (platform, encoding) in _UNICODE_ENCODINGS:
            subtables.setdefault(struct.unpack(">H", _read(font, cmap + at, 2))[0], cmap + at)
    if 12 in subtables:
        return _format_12(font, subtables[12])
    return _format_4(font, subtables[4])


_UNICODE_ENCODINGS = frozenset([(0, 3), (0, 4), (0, 6), (3, 1), (3, 10)])


def _format_12(font: BinaryIO, at: int) -> set[int]:
    (count,) = struct.unpack(">I", _read(font, at + 12, 4))
    groups = struct.iter_unpack(">III", _read(font, at + 16, 12 * count))
    return {code for first, last, _ in groups for code in range(first, min(last, sys.maxunicode) + 1)}


def _format_4(font: BinaryIO, at: int) -> set[int]:
    """Segments of codes, each mapped by a delta or through an array where 0 means no glyph."""
    (length,) = struct.unpack(">H", _read(font, at + 2, 2))
    table = _read(font, at, length)
    count = struct.unpack_from(">H", table, 6)[0] // 2
    offsets_at = 16 + 6 * count  # after the ends, a padding word, the starts and the deltas
    ends = struct.unpack_from(f">{count}H", table, 14)
    starts = struct.unpack_from(f">{count}H", table, 16 + 2 * count)
    deltas = struct.unpack_from(f">{count}h", table, 16 + 4 * count)
    offsets = struct.unpack_from(f">{count}H", table, offsets_at)
    characters = set()
    for index, (first, last, delta, offset) in enumerate(zip(starts, ends, deltas, offsets, strict=True)):
        for code in range(first, min(last, 0xFFFE) + 1):
            glyph = code
            if offset:  # an offset from where the segment's own offset is kept
                (glyph,) = struct.unpack_from(">H", table, offsets_at + offset + 2 * (index + code - first))
            if glyph and (glyph + delta) & 0xFFFF:
                characters.add(code)
    return characters


def _read(font: BinaryIO, at: int, size: int) -> bytes:
    font.seek(at)
    data = font.read(size)
    if len(data) < size:
        raise struct.error("the font ends early")
    return data


def render_card(renderer: Renderer, paper: Paper, view: PaperView) -> Page:
    """The card of one paper, reused while what it shows is unchanged."""
    assert renderer.cards is not None
    cards = renderer.cards
    drawable = font_characters(cards.fonts.files)
    lines = title_lines(view, drawable)
    authors = authors_line(paper, drawable)
    key = ("card", renderer.template_key(CARD_TEMPLATE), tuple(lines), authors, paper.day, cards.identity)

    def make() -> bytes:
        svg = renderer.env.get_template(CARD_TEMPLATE).render(
            paper=paper, title_lines=lines, authors=authors, width=CARD_WIDTH, height=CARD_HEIGHT
        )
        return cards.png(svg, paper.source)

    return renderer.made(paper.url + CARD_NAME, paper.day, key, make)
