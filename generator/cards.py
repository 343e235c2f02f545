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
import hashlib
import os
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

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


def authors_line(paper: Paper) -> str:
    """`A, B, C` or `A, B, C, et al.`, within one line."""
    names = list(paper.names[:3])
    line = ", ".join(names) + (", et al." if len(paper.authors) > 3 else "")
    return wrap(line, AUTHORS_EMS, 1)[0] if line else ""


def title_lines(view: PaperView) -> list[str]:
    """The title as the card shows it: Unicode's mathematical letters and digits (𝒪, 𝐱),
    which formulas are written with and the cards' fonts mostly lack, as plain ones."""
    return wrap(_MATH_LETTERS_RE.sub(_plain_letter, view.title_text), TITLE_EMS, TITLE_LINES)


_MATH_LETTERS_RE = re.compile("[\U0001d400-\U0001d7ff]")


def _plain_letter(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match[0])


def render_card(renderer: Renderer, paper: Paper, view: PaperView) -> Page:
    """The card of one paper, reused while what it shows is unchanged."""
    assert renderer.cards is not None
    cards = renderer.cards
    lines = title_lines(view)
    authors = authors_line(paper)
    key = ("card", renderer.template_key(CARD_TEMPLATE), tuple(lines), authors, paper.day, cards.identity)

    def make() -> bytes:
        svg = renderer.env.get_template(CARD_TEMPLATE).render(
            paper=paper, title_lines=lines, authors=authors, width=CARD_WIDTH, height=CARD_HEIGHT
        )
        return cards.png(svg, paper.source)

    return renderer.made(paper.url + CARD_NAME, paper.day, key, make)
