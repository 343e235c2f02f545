"""Split a paper file into YAML front matter and body, and read the YAML safely.

Pure functions over text: no file access. The YAML is composed into nodes and built
into Python values by hand, which gives three things `yaml.safe_load` does not:
the line of every key and list item (for error messages), duplicate keys as errors,
anchors and aliases refused (no "billion laughs"), and bounded nesting.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from generator.errors import Problem, Severity

FENCE = "---"
_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
MAX_NODES = 200_000  # enough for thousands of authors, far below an alias bomb
MAX_DEPTH = 20

KeyPath = tuple[str | int, ...]
NULL_WORDS = frozenset({"null", "Null", "NULL", "~"})  # a plain value YAML reads as nothing
# libyaml's parser when PyYAML was built with it (about ten times faster), else pure Python.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class FrontMatter:
    """The parsed front matter: values, and the file line of every key and list item."""

    values: dict[str, Any]
    lines: dict[KeyPath, int] = field(default_factory=dict)
    start_line: int = 1
    raw: dict[KeyPath, str] = field(default_factory=dict)  # scalars as written, e.g. `2503.10000`

    def line_of(self, *path: str | int) -> int:
        """The line of the deepest known part of `path`, else the opening fence."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.start_line

    def explain_empty(self, path: KeyPath, message: str, hint: str) -> tuple[str, str]:
        """`message` and `hint` for a value at `path` that is empty; when a word YAML reads as
        nothing was written there (`title: Null`, `authors: [~, Ada]`), that is what they say."""
        word = self.raw.get(path)
        if word not in NULL_WORDS:
            return message, hint
        quoted = f'{path[-1]}: "{word}"' if isinstance(path[-1], str) else f'"{word}"'
        return (
            f"{message}: YAML reads `{word}` as no value",
            f"to write `{word}`, put it in quotes: `{quoted}`",
        )


@dataclass
class Document:
    """A paper file split apart: front matter and the Markdown body below it."""

    front: FrontMatter
    body: str
    body_line: int


def normalize_newlines(text: str) -> str:
    """Accept files saved with a BOM or Windows/old-Mac line endings."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def parse_document(path: str, text: str) -> tuple[Document | None, list[Problem]]:
    """Split `text` into front matter and body; problems carry `path` and file lines."""
    text = normalize_newlines(text)
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        fence = next((number for number, line in enumerate(lines) if line.rstrip() == FENCE), None)
        hint = (
            f"the `---` on line {fence + 1} must be the file's very first line: remove what is above it"
            if fence is not None and not "".join(lines[:fence]).strip()
            else "begin the file with a line `---`, then the fields (`title: ...`), then another `---` "
            "line, then the abstract"
        )
        return None, [Problem(path, 1, "the file does not start with front matter", hint)]
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in (FENCE, "...")), None)
    if closing is None:
        return None, [
            Problem(
                path,
                1,
                "the front matter is never closed",
                "add a line `---` after the last field, before the abstract",
            )
        ]
    yaml_text = "\n".join(lines[1:closing])
    front, problems = parse_yaml_mapping(
        path, yaml_text, first_line=2, subject="the front matter", prose=PROSE_FIELDS
    )
    body = "\n".join(lines[closing + 1 :])
    if front is None:
        return None, problems
    front.start_line = 1
    return Document(front, body, body_line=closing + 2), problems


def parse_yaml_mapping(
    path: str,
    yaml_text: str,
    first_line: int = 1,
    subject: str = "the file",
    prose: Collection[str] = (),
    example: str = "title: My paper",
) -> tuple[FrontMatter | None, list[Problem]]:
    """Read a YAML mapping; `first_line` is the file line where `yaml_text` starts, and
    messages call it `subject` ("the front matter" of a paper) and show `example` of a field.
    A value of the `prose` fields that YAML reads short of what is written (a ` #` comment, a
    misplaced `-`) is an error; elsewhere (`base_url: ...  # where it is served`) a warning."""
    invisible = _invisible_characters(path, yaml_text, first_line, subject)
    if invisible:
        return None, invisible
    loader = _Loader(yaml_text)
    try:
        refused = _refused_structure(yaml_text) if _may_be_refused(yaml_text) else None
        if refused is not None:
            return None, [Problem(path, first_line + refused[0], refused[1], refused[2])]
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        last = yaml_text.count("\n")
        mark = error.problem_mark
        context = error.context or ""
        unclosed = "flow" in context or "quoted" in context or (mark is not None and mark.line > last)
        if mark is None or (unclosed and error.context_mark is not None):
            mark = error.context_mark  # an unclosed `[` or quote is noticed later: point at it
        line = first_line + min(mark.line, last) if mark else None
        what = (error.problem or "invalid YAML").strip()
        lines = yaml_text.split("\n")
        at = lines[min(mark.line, last)] if mark is not None else ""
        hint = _quoting_hint(at) if _QUOTING_ERRORS_RE.search(what) else _YAML_HINT
        if "flow sequence" in context or "flow mapping" in context:
            bracket = "]" if "sequence" in context else "}"
            example = "tags: [llm, agents]" if bracket == "]" else "links: {code: https://github.com/o/r}"
            hint = (
                f"close it with `{bracket}` on the same line, e.g. `{example}`; quote items with `: ` or `,`"
            )
        elif "escape" in what:
            hint = _UNICODE_HINT if "Unicode" in what else _escape_hint(at)
        elif mark is not None and "\t" in lines[min(mark.line, last)]:
            hint = "indent with spaces: YAML does not allow tabs there"
        elif "quoted" in context:
            hint = "this quote is never closed: end the value with the same quote mark, on this line"
        elif mark is not None and "mapping values" in what and _indented_more(lines, min(mark.line, last)):
            hint = _INDENT_HINT
        elif "expected key" in what and at.lstrip().startswith("- "):  # an item out of line
            hint = "put this item's `-` exactly under the `-` of the items above"
        return None, [Problem(path, line, f"{subject} is not valid YAML: {what}", hint)]
    except yaml.YAMLError as error:
        return None, [Problem(path, first_line, f"{subject} is not valid YAML: {error}")]
    finally:
        loader.dispose()
    if node is None:
        return FrontMatter({}, {}, first_line), []
    builder = _Builder(path, first_line, loader, yaml_text, prose)
    try:
        values = builder.build(node, (), 0)
    except _Stop as stop:
        return None, [stop.problem]
    if not isinstance(values, dict):
        return None, [
            Problem(
                path,
                first_line,
                f"{subject} must be `key: value` fields, not {_shape(values)}",
                f"write one field per line, like `{example}`",
            )
        ]
    return FrontMatter(values, builder.lines, first_line, builder.raw), builder.problems


def _shape(value: Any) -> str:
    return "a list" if isinstance(value, list) else "one value alone"


# The paper fields of prose: a value cut short there loses the contributor's words.
PROSE_FIELDS = frozenset({"title", "authors", "tldr", "keywords", "organization", "submitted_by"})
_COMMENT_AFTER_RE = re.compile(r"([ \t]+)#(\s?)")
_INDENT_HINT = (
    "check the indentation of this line: fields start at the left edge, and only the ones "
    "inside another (`code:` under `links:`) are indented, by two spaces each"
)


def _indented_more(lines: list[str], number: int) -> bool:
    """Whether line `number` is indented more than the field line before it: `key: value`
    then an indented `key: value` is what YAML calls "mapping values are not allowed"."""
    indent = len(lines[number]) - len(lines[number].lstrip(" "))
    for before in reversed(lines[:number]):
        if before.strip() and not before.lstrip().startswith("#"):
            return indent > len(before) - len(before.lstrip(" ")) and not before.rstrip().endswith(":")
    return indent > 0


_FIELD_LINE_RE = re.compile(r"(\s*(?:- +)?(?:[A-Za-z_][\w-]*: +)?)(.*?)\s*")
_QUOTING_ERRORS_RE = re.compile(r"mapping values are not allowed|expected key|cannot start any token")
_CURLY_QUOTES = "“”„‟‘’‚‛«»"


def _quoting_hint(line: str) -> str:
    """How to quote the value on `line`: the line as it should be when the value was written
    bare, or the rule of the quotes it was written in."""
    match = _FIELD_LINE_RE.fullmatch(line)
    if match is None or not match[2]:
        return _YAML_HINT
    start, value = match[1], match[2]
    if value[0] in "[{" or " #" in value:  # a list, or a comment: quoting the whole would be wrong
        return _YAML_HINT
    if value[0] == '"':
        return 'a `"` inside a double-quoted value is written `\\"`; or wrap the value in single quotes'
    if value[0] == "'":
        return "a `'` inside a single-quoted value is written twice: `'It''s'`"
    if value[0] in _CURLY_QUOTES:  # pasted from a PDF or a word processor
        if value[-1] not in _CURLY_QUOTES:
            return (
                "the curly quote `" + value[0] + "` is text to YAML: wrap the value in straight double quotes"
            )
        value = value[1:-1]
        start = f"the curly quotes are text to YAML; write straight ones: `{start.strip()} "
    else:
        start = f"wrap the value in double quotes: `{start.strip()} "
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    backslashes = " (in double quotes a backslash is written twice)" if "\\" in value else ""
    return f'{start}"{quoted}"`{backslashes}'


_YAML_HINT = (
    "check the quoting on that line: a value with `: ` or starting with a quote, `[`, `{`, "
    "`*`, `&`, `!`, `%`, `@` or a backtick needs to be wrapped in double quotes"
)


_ESCAPE_HINT = (
    "inside double quotes a backslash starts an escape: for TeX like Fr\\'echet, "
    "remove the quotes or write each backslash twice"
)


def _escape_hint(line: str) -> str:
    """The double-quoted value on `line` with its TeX's backslashes written twice; without
    the quotes too, when the value needs none (no `: `, no ` #`, no special first character)."""
    match = _FIELD_LINE_RE.fullmatch(line)
    value = match[2] if match is not None else ""
    if match is None or len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return _ESCAPE_HINT
    inner, key = value[1:-1], match[1].strip()
    doubled = _LONE_BACKSLASH_RE.sub(r"\\\\", inner)
    twice = f'`{key} "{doubled}"`'
    start = "inside double quotes a backslash starts an escape:"
    if ": " in inner or " #" in inner or not inner or inner[0] in _NEEDS_QUOTES or '\\"' in inner:
        return f"{start} for TeX, write each backslash twice: {twice}"
    return f"{start} remove the quotes, `{key} {inner}`, or write each backslash twice: {twice}"


_LONE_BACKSLASH_RE = re.compile(r'\\(?!")')  # each backslash of TeX, not the escape of a quote
_NEEDS_QUOTES = "\"'[]{}*&!%@`|>#,?-"


_UNICODE_HINT = (
    "`\\u` in double quotes must be followed by the code of a character (surrogates such as "
    "`\\ud800` are not characters): type the character itself, or remove the quotes for TeX"
)

# Characters YAML refuses or reads as line breaks that no one sees.
_INVISIBLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _invisible_characters(path: str, yaml_text: str, first_line: int, subject: str) -> list[Problem]:
    """A problem for each line with control characters or invisible line breaks (U+2028):
    YAML would report something else, on another line."""
    problems = []
    for line, character in first_on_each_line(_INVISIBLE_RE, yaml_text):
        unnamed = "a control character" if character < "\ufffe" else "a noncharacter"
        name = unicodedata.name(character, unnamed).lower()
        message = f"{subject} contains an invisible character, U+{ord(character):04X} ({name})"
        problems.append(Problem(path, first_line + line, message, invisible_hint(character)))
    return problems


def first_on_each_line(pattern: re.Pattern[str], text: str) -> Iterator[tuple[int, str]]:
    """(line from 0, character) of the first match of `pattern` on each line that has one
    (counting lines on from the last match: a text full of matches stays linear)."""
    line, counted, reported = 0, 0, -1
    for found in pattern.finditer(text):
        line += text.count("\n", counted, found.start())
        counted = found.start()
        if line != reported:
            reported = line
            yield line, found.group()


def invisible_hint(
    character: str, otherwise: str = "delete it: retype the line if you cannot see where it is"
) -> str:
    """How to fix an invisible character; U+0080-U+009F are most often Windows-1252
    punctuation (curly quotes, dashes) pasted from a PDF, read as Latin-1."""
    try:
        meant = bytes([ord(character)]).decode("cp1252") if 0x80 <= ord(character) <= 0x9F else ""
    except UnicodeDecodeError:
        meant = ""
    if meant:
        return f"it is probably `{meant}` mangled on the way from a PDF: type `{meant}` instead"
    return otherwise


_ANCHOR_HINT = "to start a value with `&` or `*`, wrap it in double quotes; else write each value out in full"
_TOO_LARGE = "the front matter is too large or too deeply nested"
_ALIAS_HINT = "YAML anchors and aliases (`&name`, `*name`) are not needed in a paper: write the values out"


def _may_be_refused(yaml_text: str) -> bool:
    """Whether `_refused_structure` could find anything. An anchor needs `&`, an alias `*`,
    and every collection starts at an indicator: `[` or `{`; in block style a `-`, `?` or `:`
    before a blank (`- item`, `key: value`, not `2025-03-17` or `https:`); inside `[` or `{`
    any `:`. Text with no more of those than MAX_DEPTH allows cannot nest too deep. Nearly
    every paper's front matter passes, and is parsed once instead of twice (a tenth of
    reading a paper)."""
    if "&" in yaml_text or "*" in yaml_text:
        return True
    flow = yaml_text.count("[") + yaml_text.count("{")
    colons = yaml_text.count(":") if flow else 0
    return flow + colons + len(_BLOCK_INDICATOR_RE.findall(yaml_text)) > MAX_DEPTH + 1


# What starts a block collection: a `-`, `?` or `:` before a blank (YAML reads other line
# breaks as blanks too, but the checker refuses them before parsing).
_BLOCK_INDICATOR_RE = re.compile(r"[-?:](?=[ \t\n]|\Z)")


def _refused_structure(yaml_text: str) -> tuple[int, str, str] | None:
    """The line (from 0), message and hint of the first anchor or alias, or of nesting deeper than
    MAX_DEPTH, read from parser events.

    Composing nodes recurses once per level (in C with libyaml, where thousands of `[` overflow
    the stack and crash the process), and expands aliases ("billion laughs"), so both are
    refused before anything is composed.
    """
    depth = 0
    for event in yaml.parse(yaml_text, Loader=_Loader):
        line = int(event.start_mark.line) if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            return line, "YAML anchors and aliases (`&name`, `*name`) are not allowed", _ANCHOR_HINT
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH + 1:  # the top-level mapping is one level
                return line, _TOO_LARGE, _ALIAS_HINT
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


class _Builder:
    """Turns YAML nodes into plain values, recording lines and refusing anything unsafe."""

    def __init__(
        self, path: str, first_line: int, loader: yaml.SafeLoader, text: str, prose: Collection[str] = ()
    ) -> None:
        self.path = path
        self.prose = prose
        self.first_line = first_line
        self.loader = loader
        self.text_lines = text.split("\n")
        self.lines: dict[KeyPath, int] = {}
        self.problems: list[Problem] = []
        self.raw: dict[KeyPath, str] = {}
        self.nodes = 0

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    @staticmethod
    def tag_name(node: yaml.Node) -> str:
        return node.tag.replace("tag:yaml.org,2002:", "!!", 1)

    def stop(self, node: yaml.Node, message: str, hint: str | None = None) -> _Stop:
        return _Stop(Problem(self.path, self.line(node), message, hint))

    def build(self, node: yaml.Node, key_path: KeyPath, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise self.stop(node, _TOO_LARGE, _ALIAS_HINT)
        if key_path:
            self.lines.setdefault(key_path, self.line(node))
        if isinstance(node, yaml.ScalarNode):
            self.raw[key_path] = node.value
            if not node.style and node.tag == _STR_TAG:  # plain: "" in libyaml
                prose = bool(key_path) and key_path[0] in self.prose
                self.problems += self.plain_text_surprises(node, "error" if prose else "warning")
            return self.scalar(node, key_path)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            return [self.build(item, (*key_path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            return self.mapping(node, key_path, depth)
        raise self.stop(
            node,
            f"the YAML tag `{self.tag_name(node)}` is not allowed",
            "remove the `!` tag before the value",
        )

    def plain_text_surprises(self, node: yaml.ScalarNode, severity: Severity = "warning") -> list[Problem]:
        """What YAML reads differently from what an unquoted value seems to say: ` #` starts a
        comment (`title: Learning #hashtags` is "Learning"), and a line that continues a value
        is joined to it (`- Ada` then a misaligned `- Bob` is the one author "Ada - Bob")."""
        start, end = node.start_mark, node.end_mark
        line = self.text_lines[end.line] if end.line < len(self.text_lines) else ""
        if comment := _COMMENT_AFTER_RE.match(line, end.column):  # not a slice: a line may hold thousands
            # `title: A title  # a note` is a comment as YAML style writes one; `Learning #hashtags` is not
            deliberate = len(comment[1]) > 1 or comment[2] != ""
            return [
                Problem(
                    self.path,
                    self.first_line + end.line,
                    f"the text after ` #` is a YAML comment, so the value is only `{node.value}`",
                    "to keep the `#` and what follows, wrap the whole value in double quotes",
                    "warning" if deliberate else severity,
                )
            ]
        for number in range(start.line + 1, min(end.line, len(self.text_lines) - 1) + 1):
            if self.text_lines[number].lstrip().startswith("- "):
                return [
                    Problem(
                        self.path,
                        self.first_line + number,
                        f"this line is read as the end of the value above: `{node.value}`",
                        "if it is an item of its own, put its `-` exactly under the `-` of the items above",
                        severity,
                    )
                ]
        return []

    def scalar(self, node: yaml.ScalarNode, key_path: KeyPath = ()) -> Any:
        if node.tag not in _SAFE_SCALAR_TAGS:
            raise self.stop(
                node,
                f"the YAML tag `{self.tag_name(node)}` is not allowed",
                "remove the `!` tag before the value; plain text, numbers and dates are fine",
            )
        if node.tag == _STR_TAG:  # what the loader would construct, without its bookkeeping
            return node.value
        try:
            value = self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as error:
            reason = "the number has too many digits" if "int_max_str_digits" in str(error) else error
            field = f"`{'.'.join(map(str, key_path))}`: " if key_path else ""
            date = node.tag == "tag:yaml.org,2002:timestamp"
            hint = "write a date that exists, like 2025-03-17" if date else None
            raise self.stop(node, f"{field}this value cannot be read: {reason}", hint) from None
        if isinstance(value, dt.datetime):
            return value.date() if value.time() == dt.time() and value.tzinfo is None else value
        return value

    def mapping(self, node: yaml.MappingNode, key_path: KeyPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise self.stop(key_node, "a field name must be plain text", "write `name: value`")
            self.scalar(key_node)  # its tag is checked; it is named as written (`yes`, not `True`)
            key = key_node.value
            if key in result:
                first = self.lines.get((*key_path, key))
                self.problems.append(
                    Problem(
                        self.path,
                        self.line(key_node),
                        f"the field `{key}` is given twice" + (f" (first on line {first})" if first else ""),
                        "keep one of them: YAML would silently use the last one",
                    )
                )
                continue
            self.lines[(*key_path, key)] = self.line(key_node)
            result[key] = self.build(value_node, (*key_path, key), depth + 1)
        return result
