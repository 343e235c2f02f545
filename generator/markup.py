"""Abstracts and titles: Markdown plus the TeX found in real abstracts, to safe HTML.

One markdown-it-py parser with raw HTML off. On top of CommonMark it understands
`$...$`, `$$...$$`, `\\(...\\)` and `\\[...\\]` (rendered to MathML on the server),
TeX accents and escapes (`Fr\\'echet`, `\\%`), a few text commands (`\\emph{}`,
`\\textbf{}`, `\\url{}`), `~` as a non-breaking space and `--`/`---` as dashes.
Unknown macros stay readable as written. Links are limited to http(s) and mailto.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar

from generator.dollars import WHITE_SPACE, formula_end, may_open
from generator.mathml import tex_to_mathml, tex_to_text
from generator.model import TEX_LETTERS
from generator.texcommands import ACCENTS, LETTERS, TEXT_ESCAPES, WRAPPERS

RenderRule = Callable[[RendererHTML, Sequence[Token], int, OptionsDict, EnvType], str]
BlockRule = Callable[[StateBlock, int, int, bool], bool]

# Old-style TeX groups: `{\\em adaptive}`, `{\\bf X}`; the tags of `WRAPPERS`.
GROUP_STYLES = {
    "em": "em",
    "it": "em",
    "sl": "em",
    "bf": "strong",
    "tt": "code",
    "sc": "span",
    "rm": "",
    "sf": "",
}
_GROUP_RE = re.compile(r"\{\\(em|it|sl|bf|tt|sc|rm|sf)(?![a-zA-Z])\s*")
# Display environments written in the text, outside dollars (MathJax renders them on arXiv).
_ENVIRONMENT_RE = re.compile(r"\\begin\{(equation|align|gather|multline|eqnarray|displaymath)(\*?)\}")
_COMMAND_RE = re.compile(r"\\([a-zA-Z]+)\s*")
# An accent over a letter, or over a letter with an accent of its own (`\\~{\\^e}`: ễ).
_ACCENT_RE = re.compile(
    r"""\\(['`^"~=.])\s*(\{(?:\\['`^"~=.]\s*)?\\?[a-zA-Z]\}|\\?[a-zA-Z])"""
    r"""|\\([uvHckrdb])(?:\{((?:\\['`^"~=.]\s*)?\\?[a-zA-Z])\}|\s+([a-zA-Z]))"""
)
# A TeX group of one letter (`{\\'e}`, `{\\"{o}}`, `{\\ss}`) or of nothing (`{}`).
_LETTER_GROUP_RE = re.compile(rf"\{{({_ACCENT_RE.pattern}|\\(?:{'|'.join(TEX_LETTERS)})(?![a-zA-Z])\s*)?\}}")
SAFE_SCHEMES = ("http", "https", "mailto")
MAX_GROUP = 5_000  # a TeX group's closing brace must be this close to its opening one
MAX_TEX_DEPTH = 20  # deeper nested TeX groups stay as written, like markdown-it's maxNesting
_DEPTH_KEY = "tex_depth"
_LEFT_OPEN_KEY = "dollars left open"  # where a `$` could open a formula but none closes
_BRACE_RE = re.compile(r"[{}]")
# Runs of spaces, tabs and newlines, as one space; a lone space already is one.
_SPACES = re.compile(r"[ \t\n]{2,}|[\t\n]")


def is_safe_link(url: str) -> bool:
    """Links from content may only go to http(s) pages or mail addresses, and not behind a
    user name (`https://github.com@evil.example/` goes to evil.example)."""
    try:
        parts = urlsplit(url.strip())
        user = parts.username if parts.scheme.lower() != "mailto" else None
    except ValueError:
        return False
    safe_scheme = parts.scheme.lower() in SAFE_SCHEMES and user is None
    return safe_scheme and not any(ch.isspace() or ord(ch) < 32 for ch in url)


def _accented(accent: re.Match[str]) -> str:
    """The letter an `_ACCENT_RE` match writes: `\\'e` é, `\\"{\\i}` ï."""
    mark = accent[1] or accent[3]
    base = (accent[2] or accent[4] or accent[5]).strip("{}")
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    inner = _ACCENT_RE.fullmatch(base) if base[:1] == "\\" else None
    return unicodedata.normalize("NFC", (_accented(inner) if inner else base) + ACCENTS[mark])


def _braced(src: str, start: int, limit: int) -> int | None:
    """The index of the `}` matching the `{` at `start`, or None."""
    close = _brace_pairs(src).get(start)
    return close if close is not None and close < min(limit, start + MAX_GROUP) else None


@functools.lru_cache(maxsize=16)
def _brace_pairs(src: str) -> dict[int, int]:
    """Every matched `{` of `src` with its `}`, in one pass: trying many groups stays linear."""
    pairs: dict[int, int] = {}
    opened: list[int] = []
    for match in _BRACE_RE.finditer(src):
        if match.group() == "{":
            opened.append(match.start())
        elif opened:
            pairs[opened.pop()] = match.start()
    return pairs


@functools.lru_cache(maxsize=16)
def _positions(src: str, needle: str) -> list[int]:
    """Where `needle` starts in `src`, overlapping ones included (a run of three quotes holds
    two pairs), as `str.find` would find them."""
    return [match.start() for match in re.finditer(f"(?={re.escape(needle)})", src)]


def _find(src: str, needle: str, start: int, limit: int) -> int:
    """`src.find(needle, start, limit)`, without rescanning `src` for every unclosed `\\(`."""
    positions = _positions(src, needle)
    index = bisect.bisect_left(positions, start)
    if index < len(positions) and positions[index] + len(needle) <= limit:
        return positions[index]
    return -1


def _tex_inline(state: StateInline, silent: bool) -> bool:
    """TeX at a backslash: math delimiters, accents, escapes and text commands."""
    src, pos = state.src, state.pos
    if src[pos] != "\\" or pos + 1 >= state.posMax:
        return False
    nxt = src[pos + 1]
    if nxt in "()[]":
        closer = "\\)" if nxt == "(" else "\\]"
        end = _find(src, closer, pos + 2, state.posMax) if nxt in "([" else -1
        if end < 0:  # never closed, or never opened: as written (Markdown's escape took the `\\`)
            if not silent:
                state.pending += src[pos : pos + 2]
            state.pos = pos + 2
            return True
        if not silent:
            token = state.push("math_inline" if nxt == "(" else "math_block_inline", "math", 0)
            token.content = src[pos + 2 : end]
            token.markup = "\\" + nxt
        state.pos = end + 2
        return True
    if nxt in TEXT_ESCAPES:  # `50\%`, and `10\,GB`: a space, not punctuation
        if not silent:
            state.pending += TEXT_ESCAPES[nxt]
        state.pos = pos + 2
        return True
    accent = _ACCENT_RE.match(src, pos, state.posMax)
    if accent:
        if not silent:
            state.pending += _accented(accent)
        state.pos = accent.end()
        return True
    environment = _ENVIRONMENT_RE.match(src, pos, state.posMax)
    if environment:
        end = _find(src, f"\\end{{{environment[1]}{environment[2]}}}", environment.end(), state.posMax)
        if end < 0:
            return False
        if not silent:
            content = src[environment.end() : end]
            token = state.push("math_block_inline", "math", 0)
            aligned = environment[1] in ("align", "eqnarray", "gather", "multline")
            token.content = f"\\begin{{aligned}}{content}\\end{{aligned}}" if aligned else content
            token.markup = environment[0]
        state.pos = end + len(f"\\end{{{environment[1]}{environment[2]}}}")
        return True
    command = _COMMAND_RE.match(src, pos, state.posMax)
    if not command:
        return False
    name = command.group(1)
    after = pos + 1 + len(name)
    if name in LETTERS:
        if not silent:
            state.pending += LETTERS[name]
        # A letter's name ends at the spaces after it (`\AA ngstr\"om`), as in TeX; a word's keeps them.
        state.pos = _skip_empty_group(src, command.end() if name in TEX_LETTERS else after, state.posMax)
        return True
    if (name in WRAPPERS or name in ("url", "href")) and state.env.get(_DEPTH_KEY, 0) < MAX_TEX_DEPTH:
        open_at = command.end()
        if open_at >= state.posMax or src[open_at] != "{":
            return False
        close_at = _braced(src, open_at, state.posMax)
        if close_at is None:
            return False
        if name in ("url", "href"):
            return _tex_link(state, silent, name, open_at, close_at)
        if not silent:
            _wrap(state, WRAPPERS[name], open_at + 1, close_at, small_caps=name == "textsc")
        state.pos = close_at + 1
        return True
    if name in GROUP_STYLES and state.env.get(_DEPTH_KEY, 0):  # `{\it a \bf b}`: a switch mid-group
        state.pos = _skip_empty_group(src, command.end(), state.posMax)
        return True
    if not silent:  # an unknown macro, e.g. a paper's own `\method`: keep it readable
        state.pending += "\\" + name
    state.pos = _skip_empty_group(src, after, state.posMax)
    return True


def _tex_group(state: StateInline, silent: bool) -> bool:
    """`{\\em adaptive}`, `{\\bf X}`: an old-style TeX group, styled as `\\emph{}` would be;
    `{\\'e}`, `{\\ss}`, `{}`: a group of one letter, or none, is that letter."""
    if state.src[state.pos] != "{":
        return False
    letter = _LETTER_GROUP_RE.match(state.src, state.pos, state.posMax)
    if letter is not None:
        if not silent:
            state.pending += _letter(letter[1] or "")
        state.pos = letter.end()
        return True
    match = _GROUP_RE.match(state.src, state.pos, state.posMax)
    if match is None or state.env.get(_DEPTH_KEY, 0) >= MAX_TEX_DEPTH:
        return False
    close_at = _braced(state.src, state.pos, state.posMax)
    if close_at is None:
        return False
    if not silent:
        style = match[1]
        _wrap(state, GROUP_STYLES[style], match.end(), close_at, small_caps=style == "sc")
    state.pos = close_at + 1
    return True


def _letter(command: str) -> str:
    """The letter a TeX command of one writes: `\\'e` é, `\\"{\\i}` ï, `\\ss` ß."""
    accent = _ACCENT_RE.fullmatch(command)
    return _accented(accent) if accent else TEX_LETTERS.get(command.strip()[1:], "")


def _skip_empty_group(src: str, pos: int, limit: int) -> int:
    return pos + 2 if src.startswith("{}", pos) and pos + 2 <= limit else pos


_CODE_ESCAPE_RE = re.compile(r"\\([%&$#_{}])")


def _wrap(state: StateInline, tag: str, start: int, end: int, small_caps: bool = False) -> None:
    """Parse src[start:end] as inline content inside `tag` (or inline, with no tag); an empty
    `\\textit{}` makes no element."""
    if tag and not state.src[start:end].strip():
        tag = ""
    if tag:
        opening = state.push(f"{tag}_open", tag, 1)
        if small_caps:
            opening.attrSet("class", "small-caps")
    old_max = state.posMax
    state.pos, state.posMax = start, end
    if tag == "code":  # `\\texttt{my\\_tool}`: as written but TeX's escapes (`my_tool`)
        state.pending += _CODE_ESCAPE_RE.sub(r"\1", state.src[start:end])
    else:
        depth = state.env.get(_DEPTH_KEY, 0)
        state.env[_DEPTH_KEY] = depth + 1
        try:
            state.md.inline.tokenize(state)
        finally:
            state.env[_DEPTH_KEY] = depth
    state.posMax = old_max
    if tag:
        state.push(f"{tag}_close", tag, -1)


def _tex_link(state: StateInline, silent: bool, name: str, open_at: int, close_at: int) -> bool:
    # `\url{https://github.com/a/my\_tool}`: TeX's escapes, as in links found in text
    url = _URL_ESCAPE_RE.sub("", state.src[open_at + 1 : close_at].strip())
    end = close_at
    label_span: tuple[int, int] | None = None
    if name == "href":
        if close_at + 1 >= state.posMax or state.src[close_at + 1] != "{":
            return False
        label_end = _braced(state.src, close_at + 1, state.posMax)
        if label_end is None:
            return False
        end = label_end
        if state.src[close_at + 2 : label_end].strip():  # `\href{url}{}` shows its address
            label_span = (close_at + 2, label_end)
    if not silent:
        inside = state.linkLevel > 0  # no link inside a link: its text only
        target = None if inside else _link_target(state.md, url)
        if target is not None:
            token = state.push("link_open", "a", 1)
            token.attrSet("href", state.md.normalizeLink(target))
        state.linkLevel += 1
        first = len(state.tokens)
        try:
            if label_span:
                _wrap(state, "", *label_span)
            else:
                state.pending += url
        finally:
            state.linkLevel -= 1
        if target is not None or inside:  # a Markdown link in the label (`\href{a}{[x](b)}`) keeps its text
            for token in state.tokens[first:]:  # emptied in place: delimiters point at positions
                if token.type in ("link_open", "link_close"):
                    token.type, token.tag, token.nesting, token.attrs = "text", "", 0, {}
        if target is not None:
            state.push("link_close", "a", -1)
        elif label_span and url and not inside:  # `\href{ftp://x.org/f}{data}`: the address is not lost
            state.pending += f" ({url})"
    state.pos = end + 1
    return True


def _link_target(md: MarkdownIt, url: str) -> str | None:
    """Where `\\href`/`\\url` may link: a safe address, or one without its scheme that a link
    found in text would be (`github.com/a/b` is `http://github.com/a/b`); else None."""
    if is_safe_link(url):
        return url
    found = md.linkify.match(url) if md.linkify is not None and "://" not in url else None
    if found and len(found) == 1 and found[0].index == 0 and found[0].last_index == len(url):
        return found[0].url if is_safe_link(found[0].url) else None
    return None


def _inline_math(state: StateInline, silent: bool) -> bool:
    """`$...$` and `$$...$$` inside text, as dollarmath's inline rule reads them with the
    options used here (no space inside the dollars, no digit against them), but for two
    things it read wrong: the character before a `$` at the start of a text was the text's
    last one (`src[-1]`: a title `$k$-means ... GPT-4` stayed text), and after a digit,
    TeX-like math is math (`dollars.py`, which the checker reads dollars with too). Its
    rule was handed a copy of the text for both, a copy per formula: a megabyte of `1$^ `
    took a minute."""
    src, start = state.src, state.pos
    if src[start] != "$":  # asked at every position the rules before it leave
        return False
    end = formula_end(src, start, state.posMax)
    if end is None:
        if not silent and _left_open(state, start):
            state.env.setdefault(_LEFT_OPEN_KEY, []).append((src, start))
        return False
    double = src[start + 1] == "$"
    content = src[start + 2 : end - 1] if double else src[start + 1 : end]
    if not silent:
        token = state.push("math_inline_double" if double else "math_inline", "math", 0)
        token.content = content
        token.markup = "$$" if double else "$"
    state.pos = end + 1
    return True


def _left_open(state: StateInline, start: int) -> bool:
    """Whether the `$` at `start`, which opens no formula, could have: the checker warns of
    it. Not an amount (`$5`), nor either `$` of a `$$` (display math stands alone, and is
    rarely left open), nor one in a link written without its scheme (`www.x.org/$a`)."""
    src = state.src
    after = src[start + 1 : start + 2]
    return (
        after != "$"
        and not after.isdigit()
        and src[start - 1 : start] != "$"
        and may_open(src, start, state.posMax)
        and not _in_bare_url(state)
    )


def _one_formula(rule: BlockRule) -> BlockRule:
    """dollarmath's display block, `$$...$$` from a line's start to a line's end, unless a
    `$$` comes between: `$$k$$-means runs in $$O(n)$$` is text with two formulas, not one
    formula of the words between them."""

    def block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        made, line = len(state.tokens), state.line
        if not rule(state, start, end, silent):
            return False
        if any("$$" in token.content for token in state.tokens[made:]):
            del state.tokens[made:]
            state.line = line
            return False
        return True

    return block


def _closed(src: str, start: int, limit: int) -> bool:
    """Whether TeX's opening quotes before `start` are closed before `limit`: by `''`, or by
    the `"` some abstracts close them with before any quotes open again. Looked up, not
    scanned: a paragraph of opening quotes alone must not cost a scan per quote."""
    if _find(src, "''", start, limit) >= 0:
        return True
    opened = _find(src, "``", start, limit)
    return _find(src, '"', start, limit if opened < 0 else opened) >= 0


def _closing_quotes(state: StateCore) -> None:
    """TeX's closing quotes (`''`, or `"`) after opening ones read by `_tex_punctuation` (a
    code span would have swallowed the sentence): in text only, not in code. The text rule
    reads `'` as text, so no inline rule sees them; a `5''` alone stays as written."""
    for token in state.tokens:
        if "``" not in token.content:  # no quotes opened: the common case, at C speed
            continue
        open_quote = False
        for child in token.children or ():
            if child.type != "text" or not (open_quote or "\u201c" in child.content):
                continue
            parts = _QUOTE_RE.split(child.content)
            for index in range(1, len(parts), 2):  # the quote marks, between the texts
                mark = parts[index]
                if mark == "\u201c":
                    open_quote = True
                elif open_quote:
                    parts[index], open_quote = "\u201d", False
            child.content = "".join(parts)


_QUOTE_RE = re.compile("(\u201c|''|\")")


def _formulas_with_their_words(state: StateCore) -> None:
    """`$\\alpha$-divergences`, `10$^{-3}$`: an inline formula and the word it is written
    against are kept on one line (a card broke after the α and began a line with
    "-divergences"). Only the HTML changes: the plain text does not see the span."""
    for token in state.tokens:
        children = token.children
        if not children or ("$" not in token.content and "\\(" not in token.content):
            continue  # no formula in its source: most paragraphs
        out: list[Token] = []
        index = 0
        while index < len(children):
            child = children[index]
            after = children[index + 1] if index + 1 < len(children) else None
            before = out[-1] if out else None
            glued_before = before is not None and before.type == "text" and before.content[-1:].strip()
            glued_after = after is not None and after.type == "text" and after.content[:1].strip()
            if child.type != "math_inline" or not (glued_before or glued_after):
                out.append(child)
                index += 1
                continue
            head = ""
            if glued_before and before is not None:  # "we use 10" + `$^{-3}$`: "10" joins it
                kept, space, head = before.content.rpartition(" ")
                if space:
                    before.content = kept + space
                else:
                    out.pop()
            out.append(Token("nowrap_open", "span", 1))
            if head:
                out.append(_text_token(head))
            out.append(child)
            rest = None
            if glued_after and after is not None:
                word, space, rest_text = after.content.partition(" ")
                out.append(_text_token(word))
                rest = _text_token(space + rest_text) if space else None
                index += 1
            out.append(Token("nowrap_close", "span", -1))
            if rest is not None:
                out.append(rest)
            index += 1
        token.children = out


def _text_token(content: str) -> Token:
    text = Token("text", "", 0)
    text.content = content
    return text


def _render_nowrap(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<span class="nowrap">' if tokens[idx].nesting == 1 else "</span>"


def _no_form_feeds(state: StateCore) -> None:
    """`&#12;` is a character HTML allows and XML refuses: in a feed it made the whole file
    unreadable. markdown-it decodes it (the checker refuses the character itself) in text
    and in a link's title, given inline or by a definition; here it becomes the space it shows as."""
    titles_hold_form_feed = "references" in state.env and any(
        "\x0c" in str(reference.get("title", "")) for reference in state.env["references"].values()
    )
    for token in state.tokens:
        if not titles_hold_form_feed and "&#" not in token.content and "\x0c" not in token.content:
            continue  # what its parts hold comes from its source
        for part in (token, *(token.children or ())):
            if "\x0c" in part.content:
                part.content = part.content.replace("\x0c", " ")
            title = part.attrs.get("title")
            if isinstance(title, str) and "\x0c" in title:
                part.attrs["title"] = title.replace("\x0c", " ")


def _tex_punctuation(state: StateInline, silent: bool) -> bool:
    """`~` between two words is a non-breaking space (`Fig.~3`) and `--`/`---` are dashes, as
    in TeX, but not inside a link written without its scheme (`www.cs.toronto.edu/~kriz`,
    `github.com/a/b--c`); a `~` after a space or a bracket means "about" (`by ~40%`,
    `(~1B tokens)`), as arXiv shows it. ``` `` ``` opens quotes (`_closing_quotes` closes them)."""
    src, pos = state.src, state.pos
    if src[pos] not in "`~-":
        return False
    if src.startswith("``", pos) and _closed(src, pos + 2, state.posMax):  # TeX's opening quotes
        if not silent:
            state.pending += "\u201c"
        state.pos += 2
        return True
    if not (src[pos] == "~" or src.startswith("--", pos)) or _in_bare_url(state):
        return False
    if src[pos] == "~":
        if not _tie(src, pos):
            return False
        if not silent:
            state.pending += "\u00a0"
        state.pos += 1
        return True
    em = src.startswith("---", pos)
    if not silent:
        state.pending += "—" if em else "–"
    state.pos += 3 if em else 2
    return True


def _tie(src: str, pos: int) -> bool:
    """Whether the `~` at `pos` ties what is before it to what follows (`Fig.~3`, `a~~b`), as
    TeX's do, and does not start a word as "about" does (`by ~40%`, `(~1B tokens)`)."""
    return (pos > 0 and src[pos - 1] not in _NOT_TIED) or "~" in (src[pos - 1 : pos], src[pos + 1 : pos + 2])


_NOT_TIED = frozenset("([{~") | WHITE_SPACE  # what a `~` of "about" follows


_BARE_URL_RE = re.compile(r"www\.|[\w-]+(?:\.[\w-]+)*\.[a-zA-Z][\w-]*/", re.ASCII)


def _in_bare_url(state: StateInline) -> bool:
    """Whether the word at `state.pos` is a link without a scheme: it starts like one, and
    linkify finds one in it (`github.com/a--b`, not `Llama.cpp/vLLM--based`). It looks back
    at most `_LONGEST_URL` characters: a long paragraph must not cost a scan per dash."""
    src, pos = state.src, state.pos
    begin = max(0, pos - _LONGEST_URL)
    before = max(src.rfind(" ", begin, pos), src.rfind("\n", begin, pos), src.rfind("(", begin, pos))
    if before < 0 and begin > 0:  # a word this long is no link
        return False
    if before + 1 >= pos or _BARE_URL_RE.match(src, before + 1, pos) is None:
        return False
    end = len(src) if (space := src.find(" ", pos, pos + _LONGEST_URL)) < 0 else space
    linkify = state.md.linkify
    return linkify is not None and bool(linkify.test(src[before + 1 : end]))


_LONGEST_URL = 300


# A backslash before punctuation, as TeX escapes it: `my\_repo` (percent-encoded in an href).
_URL_ESCAPE_RE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_HREF_ESCAPE_RE = re.compile(r"%5C(?=[!-/:-@\[-`{-~]|%[0-9A-F]{2})")


def _unescape_autolinks(state: StateCore) -> None:
    """A link found in text (`https://github.com/a/my\\_repo`, as arXiv abstracts write
    URLs) goes to `my_repo`: the backslash is TeX's, and browsers read it as `/`."""
    for block in state.tokens:
        children = block.children or []
        for token, text in itertools.pairwise(children):
            if token.type == "link_open" and token.markup == "linkify" and "\\" in text.content:
                text.content = _URL_ESCAPE_RE.sub("", text.content)
                token.attrSet("href", _HREF_ESCAPE_RE.sub("", str(token.attrGet("href"))))


def _autolinks_end_at_braces(state: StateCore) -> None:
    """A link found in text ends before a `{`: no valid address holds one, and abstracts
    copied from arXiv's listings keep what was `\\href{url}{url}` as `url{url}`, which made
    one broken link of both. The brace and what follows stay text."""
    linkify = state.md.linkify
    for block in state.tokens:
        children = block.children
        if not children or "{" not in block.content or linkify is None:
            continue
        out: list[Token] = []
        index = 0
        while index < len(children):
            token = children[index]
            found = children[index : index + 3]
            if (
                token.type == "link_open"
                and token.markup == "linkify"
                and len(found) == 3
                and found[2].type == "link_close"
                and "{" in found[1].content
            ):
                text = found[1].content
                matches = linkify.match(text[: text.index("{")]) or []
                href = state.md.normalizeLink(matches[0].url) if matches and matches[0].index == 0 else ""
                if href and state.md.validateLink(href):  # still an address: linked, the rest after it
                    found[1].content = text[: matches[0].last_index]
                    token.attrSet("href", href)
                    out += [*found, _text_token(text[matches[0].last_index :])]
                else:  # nothing left to link
                    out.append(_text_token(text))
                index += 3
                continue
            out.append(token)
            index += 1
        block.children = out


def _render_math(display: bool) -> RenderRule:
    def render(
        self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        mathml = tex_to_mathml(tokens[idx].content, display)
        if display and tokens[idx].block:  # focusable, so a wide formula can be scrolled by keyboard
            return f'<div class="math-display" tabindex="0">{mathml}</div>\n'
        return mathml

    return render


def _render_link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    token.attrSet("rel", "noopener noreferrer nofollow ugc")
    return self.renderToken(tokens, idx, options, env)


def _render_heading(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Headings inside an abstract start at <h3>: the page owns <h1> and <h2>."""
    token = tokens[idx]
    level = min(6, int(token.tag[1]) + 2)
    token.tag = f"h{level}"
    return self.renderToken(tokens, idx, options, env)


def _render_cell(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A table cell's alignment (`|:--|--:|`) as a class: the page's Content-Security-Policy
    refuses style attributes."""
    token = tokens[idx]
    style = token.attrs.pop("style", None)
    if isinstance(style, str) and style.startswith("text-align:"):
        token.attrSet("class", f"align-{style.removeprefix('text-align:')}")
    return self.renderToken(tokens, idx, options, env)


# What linkify-it's own pre-check looks for, loosened into a regex ten times faster: one of
# its schemes (`http:`, `https:`, `ftp:`, `mailto:`, `//`), `@`, `localhost`, `www.`, a dot
# before up to three digits and a dot (an IP), or a dot before two letters (a domain's
# top level). Abstracts are full of colons, `e.g.` and `3.5`: those texts skip its scan.
_MAY_LINK = re.compile(r"https?:|ftp:|mailto:|//|@|localhost|www\.|\.\d{1,3}\.|\.[^\W\d_]{2}", re.IGNORECASE)
# The same without IGNORECASE, for lowercased ASCII text: five times faster. (Outside ASCII,
# case-insensitive matching knows pairs such as the Kelvin sign and k that lower() does not.)
_MAY_LINK_LOWER = re.compile(_MAY_LINK.pattern)


def _may_link(text: str) -> bool:
    if text.isascii():
        return _MAY_LINK_LOWER.search(text.lower()) is not None
    return _MAY_LINK.search(text) is not None


@functools.cache
def parser() -> MarkdownIt:
    """The one configured parser (built on first use; configuration is not free)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["linkify", "strikethrough", "table"])  # GitHub's Markdown, as README files are
    md.disable(["image", "html_inline", "html_block"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    linkify = md.linkify
    assert linkify is not None
    # Both of linkify-it's entry points (the inline rule asks `pretest`, the core rule `test`
    # for every text token) first ask the cheap check: a text it rejects has no link.
    full_pretest, full_test = linkify.pretest, linkify.test
    # "://" is one of linkify-it's schemes ("//") after a delimiter (":"): its pre-check holds.
    linkify.pretest = lambda text: _may_link(text) and ("://" in text or full_pretest(text))
    linkify.test = lambda text: _may_link(text) and full_test(text)
    md.use(
        dollarmath_plugin,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=False,
        double_inline=True,
    )
    md.inline.ruler.at("math_inline", _inline_math)
    md.block.ruler.at(
        "math_block", _one_formula(math_block_dollar(allow_labels=False, allow_blank_lines=False))
    )
    md.inline.ruler.before("escape", "tex", _tex_inline)
    md.inline.ruler.before("escape", "tex_group", _tex_group)
    md.inline.ruler.before("escape", "tex_punctuation", _tex_punctuation)
    md.core.ruler.after("linkify", "unescape_autolinks", _unescape_autolinks)
    md.core.ruler.after("unescape_autolinks", "autolinks_end_at_braces", _autolinks_end_at_braces)
    md.core.ruler.push("no_form_feeds", _no_form_feeds)
    md.core.ruler.push("closing_quotes", _closing_quotes)
    md.core.ruler.push("formulas_with_their_words", _formulas_with_their_words)
    inline_math = _render_math(display=False)
    display_math = _render_math(display=True)
    md.add_render_rule("math_inline", inline_math)
    md.add_render_rule("math_inline_double", display_math)
    md.add_render_rule("math_block_inline", display_math)
    md.add_render_rule("math_block", display_math)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("nowrap_open", _render_nowrap)
    md.add_render_rule("nowrap_close", _render_nowrap)
    md.add_render_rule("th_open", _render_cell)
    md.add_render_rule("td_open", _render_cell)
    md.add_render_rule("heading_open", _render_heading)
    md.add_render_rule("heading_close", _render_heading)
    return md


# What makes Markdown other than plain paragraphs, for this parser: a character some rule
# starts at (`\\`, `` ` ``, `*`, `_`, `[`, `<`, `&`, `$`, `~`, `{`, a table's `|`), `--`, whitespace other
# than spaces and newlines (tabs indent; the parser reads NUL, CR and form feeds its own
# way, and strips the others at a paragraph's ends), a space at a line's start or end
# (indentation, hard breaks), and what a line may start a block with (a heading, a quote,
# a list item, a setext underline). Separate checks, each a scan at C speed: one regex of
# them all took half as long as the parser.
_MARKUP_CHARS_RE = re.compile(
    "[\\\\`*_\\[\\]<&$~{}|\x00"
    + "".join(chr(code) for code in range(0x3001) if chr(code).isspace() and chr(code) not in " \n")
    + "]"
)
_BLOCK_START_RE = re.compile(r"[ #>+=-]|\d{1,9}[.)]")
_LINE_BLOCK_START_RE = re.compile(r"\n(?:[ #>+=-]|\d{1,9}[.)])")


def _plain_paragraphs(markdown: str) -> list[str] | None:
    """The paragraphs of text that holds no Markdown, TeX nor link, as the parser would read
    them; None for any other. Most abstracts are such text: they skip the parser (the same
    HTML and text, checked by a property test)."""
    if (
        _MARKUP_CHARS_RE.search(markdown)
        or "--" in markdown
        or " \n" in markdown
        or markdown.endswith(" ")
        or _BLOCK_START_RE.match(markdown)
        or _LINE_BLOCK_START_RE.search(markdown)
        or _may_link(markdown)
    ):
        return None
    return [paragraph.strip("\n") for paragraph in markdown.split("\n\n") if paragraph.strip("\n")]


def _plain_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escapeHtml(paragraph)}</p>\n" for paragraph in paragraphs)


def _plain_text(paragraphs: list[str]) -> str:
    return "\n\n".join(_SPACES.sub(" ", paragraph) for paragraph in paragraphs)


def render_body(markdown: str) -> str:
    """An abstract as HTML."""
    return str(parser().render(markdown))


def render_inline(text: str) -> str:
    """A title or one-line field as inline HTML."""
    return str(parser().renderInline(text))


def render_inline_and_text(text: str) -> tuple[str, str]:
    """A title as inline HTML and as the plain text that HTML shows, from one parse. Its
    links are kept as their text: lists show a title inside the link to its paper."""
    if "\n" not in text and _plain_paragraphs(text) is not None:
        return escapeHtml(text), _SPACES.sub(" ", text)
    return _parsed_inline_and_text(text)


def _parsed_inline_and_text(text: str) -> tuple[str, str]:
    md = parser()
    tokens = md.parseInline(text)
    for token in tokens:
        if token.children:
            token.children = [child for child in token.children if child.type not in _LINK_TOKENS]
    return str(md.renderer.render(tokens, md.options, {})), tokens_text(tokens)


_LINK_TOKENS = frozenset(["link_open", "link_close"])


def to_text(markdown: str) -> str:
    """The reader-visible text, with TeX rules applied and formulas as plain text."""
    return tokens_text(parser().parse(markdown))


def dollars_left_open(markdown: str, inline: bool = False) -> list[int]:
    """The lines (from 0) of `markdown` with a `$` that could open a formula but that
    nothing closes, so the page shows it as written: what the checker warns of, read by
    the parser that makes the page (a `$` in code, in a link's address or in `\\url{}` is
    text, and one in `\\emph{...}` must close inside its braces)."""
    env: EnvType = {}
    md = parser()
    tokens = md.parseInline(markdown, env) if inline else md.parse(markdown, env)
    left_open: list[tuple[str, int]] = env.get(_LEFT_OPEN_KEY, [])
    first_lines: dict[str, int] = {}  # each inline text's first line, from its block
    for token in tokens:
        if token.type == "inline":
            first_lines.setdefault(token.content, token.map[0] if token.map else 0)
    return sorted({first_lines.get(src, 0) + src.count("\n", 0, start) for src, start in left_open})


def render_body_and_text(markdown: str) -> tuple[str, str]:
    """An abstract as HTML and as plain text, from one parse (the build's hottest path)."""
    paragraphs = _plain_paragraphs(markdown)
    if paragraphs is not None:
        return _plain_html(paragraphs), _plain_text(paragraphs)
    return _parsed_body_and_text(markdown)


def _parsed_body_and_text(markdown: str) -> tuple[str, str]:
    md = parser()
    tokens = md.parse(markdown)
    return str(md.renderer.render(tokens, md.options, {})), tokens_text(tokens)


def tokens_text(tokens: Sequence[Token]) -> str:
    parts: list[str] = []
    for block in tokens:
        if block.type in ("math_block", "math_block_eqno"):
            parts.append("\n\n" + tex_to_text(block.content, display=True) + "\n\n")  # a paragraph
        elif block.type in ("code_block", "fence"):  # an abstract pasted indented is still its text
            parts.append("\n\n" + block.content + "\n\n")
        if block.type in ("th_close", "td_close"):
            parts.append(" ")  # a table's row is a line of text
        elif block.type.endswith("_close") and block.block and block.type != "list_item_close":
            parts.append("\n\n")
        for token in block.children or ():
            if token.type in ("text", "code_inline"):
                parts.append(token.content)
            elif token.type == "math_inline":
                parts.append(_unbroken(tex_to_text(token.content)))
            elif token.type.startswith("math"):
                parts.append(tex_to_text(token.content, display=True))
            elif token.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    text = "".join(parts)
    paragraphs = (_SPACES.sub(" ", para).strip() for para in text.split("\n\n"))
    return "\n\n".join(para for para in paragraphs if para)


SHORT_FORMULA = 40  # characters of plain text: a formula up to this long is kept whole


def _unbroken(formula: str) -> str:
    """A short inline formula's plain text with no-break spaces, so that an excerpt is not
    cut inside it ("we use 𝒪(n…") and a line does not break in it; a long one may break."""
    return formula.replace(" ", "\u00a0") if len(formula) <= SHORT_FORMULA else formula


def excerpt(text: str, limit: int = 300) -> str:
    """The first `limit` characters of plain text, cut at a word boundary."""
    # Abstracts are long: when the head of the text already fills the excerpt, the rest is
    # never read (what is cut from the head's end is cut from the whole text's too).
    head = _SPACES.sub(" ", text[: 2 * limit + 2]).strip()
    text = head if len(head) > limit else _SPACES.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else _character_start(text, limit)].rstrip(" ,.;:") + "…"


def _character_start(text: str, pos: int) -> int:
    """`pos`, or where the character it falls inside begins as readers see one: a letter
    with its accents, an emoji with its skin tone and the ones joined to it (`👩‍💻`), a flag's
    two letters. A text without spaces (Chinese, Japanese) is cut by characters."""
    start = pos
    while 0 < pos < len(text) and (_continues(text[pos]) or text[pos - 1] == _JOINER):
        pos -= 1
    if 0 < pos < len(text) and text[pos] in _REGIONAL:  # inside a run of flags' letters
        run = pos
        while run > 0 and text[run - 1] in _REGIONAL:
            run -= 1
        pos -= (pos - run) % 2
    return pos or start  # a text of accents alone is cut where it was


def _continues(char: str) -> bool:
    """Whether `char` belongs to the character before it."""
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me")
        or char == _JOINER
        or "\ufe00" <= char <= "\ufe0f"  # variation selectors (text or emoji style)
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
        or "\U000e0020" <= char <= "\U000e007f"  # the tags of a subdivision's flag
    )


_JOINER = "\u200d"
_REGIONAL = frozenset(map(chr, range(0x1F1E6, 0x1F200)))  # a flag is two of these letters
