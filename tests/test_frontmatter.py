"""Front matter splitting and safe YAML: lines, duplicates, tags, alias bombs, any bytes."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.content import check_source, read_site
from generator.frontmatter import (
    MAX_DEPTH,
    _may_be_refused,
    _refused_structure,
    first_on_each_line,
    parse_document,
    parse_yaml_mapping,
)
from generator.load import SourceFile
from tests.conftest import Project


def test_splits_front_matter_and_body_with_lines() -> None:
    document, problems = parse_document("x.md", "---\ntitle: T\ntags:\n  - a\n  - b\n---\n\nBody\n")
    assert problems == []
    assert document is not None
    assert document.front.values == {"title": "T", "tags": ["a", "b"]}
    assert document.front.line_of("title") == 2
    assert document.front.line_of("tags", 1) == 5
    assert document.body == "\nBody\n"
    assert document.body_line == 7


@pytest.mark.parametrize(
    ("character", "name"),
    [("\ufffe", "a noncharacter"), ("\uffff", "a noncharacter"), ("\x1b", "a control character")],
)
def test_a_character_yaml_refuses_is_named_at_its_line(character: str, name: str) -> None:
    """Not PyYAML's `unacceptable character #xfffe` over two lines: which it is, and where."""
    _, problems = parse_document(
        "x.md", f"---\ntitle: A title\nauthors: [Ada {character}Lovelace]\n---\nBody\n"
    )
    (problem,) = problems
    assert problem.line == 3
    assert problem.message == (
        f"the front matter contains an invisible character, U+{ord(character):04X} ({name})"
    )
    assert problem.hint and "\n" not in problem.message


def test_accepts_bom_and_windows_line_endings() -> None:
    document, problems = parse_document("x.md", "\ufeff---\r\ntitle: T\r\n---\r\nBody\r\n")
    assert problems == []
    assert document is not None
    assert document.front.values["title"] == "T"
    assert document.body == "Body\n"


def test_keeps_numbers_as_written_for_ids() -> None:
    front, _ = parse_yaml_mapping("x.md", "arxiv: 2503.10000")
    assert front is not None
    assert front.values["arxiv"] == 2503.1
    assert front.raw[("arxiv",)] == "2503.10000"


def test_refuses_alias_bomb_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    front, problems = parse_yaml_mapping("bomb.md", bomb)
    assert front is None
    assert problems[0].message == "YAML anchors and aliases (`&name`, `*name`) are not allowed"
    assert problems[0].line == 1


def test_refuses_anchors_even_unused() -> None:
    front, problems = parse_yaml_mapping(
        "x.md", "title: x\nauthors: &k [A, B]\nkeywords: [C]\n", first_line=2
    )
    assert front is None
    assert [(p.line, p.message) for p in problems] == [
        (3, "YAML anchors and aliases (`&name`, `*name`) are not allowed")
    ]


def test_ampersands_and_stars_in_quoted_values_are_text() -> None:
    front, problems = parse_yaml_mapping("x.md", 'title: "R&D *at* scale"\norganization: A & B\n')
    assert problems == []
    assert front is not None and front.values == {"title": "R&D *at* scale", "organization": "A & B"}


def test_refuses_recursive_alias() -> None:
    front, problems = parse_yaml_mapping("loop.md", "a: &a [*a]\n")
    assert front is None
    assert problems


def test_refuses_python_tags() -> None:
    front, problems = parse_yaml_mapping("x.md", "title: !!python/object/apply:os.system ['echo']\n")
    assert front is None
    assert "!!python/object/apply:os.system" in problems[0].message


def test_nesting_too_deep_is_refused_in_block_and_flow_style() -> None:
    flow = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n"
    block = "".join(f"{'  ' * i}k{i}:\n" for i in range(MAX_DEPTH + 1)) + "  " * (MAX_DEPTH + 1) + "x: 1\n"
    compact = "a:\n" + "- " * (MAX_DEPTH + 1) + "x\n"
    for text in (flow, block, compact):
        front, problems = parse_yaml_mapping("deep.md", text)
        assert front is None, text
        assert "too" in problems[0].message


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="[]{}-?:!, \n\tab1\"'#|>", max_size=120))
def test_front_matter_skipped_by_the_quick_test_has_nothing_to_refuse(yaml_text: str) -> None:
    """The event scan is skipped only where it could not find an anchor, an alias or too deep a nesting."""
    import yaml

    if _may_be_refused(yaml_text):
        return
    with contextlib.suppress(yaml.YAMLError):  # not YAML at all: composing it fails the same way
        assert _refused_structure(yaml_text) is None


def test_the_quick_test_lets_typical_front_matter_through() -> None:
    typical = (
        'title: "Diffusion: A Survey"\ndate: 2025-03-17\narxiv: "2503.12345"\nauthors:\n- Ada Lovelace\n'
        "- Alan Turing\ntags: [diffusion, vision]\nlinks:\n  code: https://github.com/a/b\n"
    )
    assert not _may_be_refused(typical)
    assert _may_be_refused("title: R&D\n") and _may_be_refused("a: *b\n")


def test_dates_become_days() -> None:
    front, _ = parse_yaml_mapping("x.md", "date: 2025-03-17\n")
    assert front is not None
    assert front.values["date"] == dt.date(2025, 3, 17)


def _source(text: str) -> SourceFile:
    return SourceFile(Path("p.md"), "content/2025/2025-03-17/p.md", dt.date(2025, 3, 17), "p", text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_checking_any_text_never_raises(text: str) -> None:
    paper, problems = check_source(_source(text), {})
    assert paper is not None or problems


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["title", "authors", "arxiv", "tags", "links", "upvotes", "date", "tldr", "x"]),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
            lambda inner: (
                st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ),
    ),
    st.text(max_size=200),
)
def test_checking_any_front_matter_never_raises(values: dict[str, object], body: str) -> None:
    import yaml

    text = "---\n" + yaml.safe_dump(values, allow_unicode=True) + "---\n" + body
    paper, problems = check_source(_source(text), {})
    assert paper is not None or problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2_000))
def test_loading_any_bytes_gives_problems_not_exceptions(project: Project, data: bytes) -> None:
    project.write("content/2025/2025-03-17/fuzz.md", data)
    checked = read_site(project.root)
    assert len(checked.papers) + len(checked.problems) >= 1


def test_characters_are_reported_once_per_line_with_their_line() -> None:
    pattern = re.compile("[\x1b\x0c]")
    text = "a\x1b\x1b\x0c\nplain\n\x0cc\x1b\n" + "\x1b" * 10_000
    assert list(first_on_each_line(pattern, text)) == [(0, "\x1b"), (2, "\x0c"), (3, "\x1b")]


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        (
            "title: Learning #hashtags\n",
            1,
            "the text after ` #` is a YAML comment, so the value is only `Learning`",
        ),
        (
            "authors:\n  - Ada\n   - Bob\n  - Carol\n",
            3,
            "this line is read as the end of the value above: `Ada - Bob`",
        ),
    ],
)
def test_plain_values_yaml_reads_otherwise_are_warned_about(yaml_text: str, line: int, message: str) -> None:
    """Nothing a contributor writes is silently dropped: YAML's reading is kept, and said."""
    front, problems = parse_yaml_mapping("p.md", yaml_text)
    assert front is not None
    assert [(p.line, p.message, p.severity) for p in problems] == [(line, message, "warning")]
    # In a paper's prose fields the words cut off would be lost: there it is an error.
    document, problems = parse_document("p.md", f"---\n{yaml_text}---\n\nAn abstract.\n")
    assert document is not None
    assert [(p.line, p.message, p.severity) for p in problems] == [(line + 1, message, "error")]


def test_a_tab_before_a_hashtag_cuts_a_title_all_the_same() -> None:
    document, problems = parse_document("p.md", "---\ntitle: Learning\t#hashtags\n---\n\nA.\n")
    assert document is not None and [p.severity for p in problems] == ["error"]


@pytest.mark.parametrize("line", ["title: A title  # a note", "title: A title # a note"])
def test_a_comment_written_as_a_comment_after_a_title_is_only_a_warning(line: str) -> None:
    document, problems = parse_document("p.md", f"---\n{line}\n---\n\nA.\n")
    assert document is not None and [p.severity for p in problems] == ["warning"]


def test_a_comment_after_a_link_is_only_a_warning() -> None:
    document, problems = parse_document(
        "p.md", "---\nlinks:\n  code: https://github.com/o/r  # the repo\n---\n\nA.\n"
    )
    assert document is not None and [p.severity for p in problems] == ["warning"]


@pytest.mark.parametrize(
    "yaml_text",
    [
        'title: "Learning #hashtags"\n',
        "title: C# and F#, compared\n",
        "upvotes: 3  # at the source\n",
        "tldr: A long value\n  wrapped over two lines\n",
        "authors:\n  - Ada\n  - Bob\n",
        "title: A - B - C\n",
    ],
)
def test_values_read_as_written_are_not_warned_about(yaml_text: str) -> None:
    assert parse_yaml_mapping("p.md", yaml_text)[1] == []


@pytest.mark.parametrize(
    ("yaml_text", "line", "hint"),
    [
        ('title: "A: b\nauthors: [x]\n', 1, "this quote is never closed"),
        (
            "links:\n  code: https://a.org\n    project: https://b.org\n",
            3,
            "check the indentation of this line",
        ),
        ("title: x\n  authors: [a]\n", 2, "check the indentation of this line"),
        (
            "title: Attention: all you need\n",
            1,
            'wrap the value in double quotes: `title: "Attention: all you need"`',
        ),
    ],
)
def test_yaml_mistakes_point_at_their_line_with_their_own_hint(yaml_text: str, line: int, hint: str) -> None:
    front, problems = parse_yaml_mapping("p.md", yaml_text)
    assert front is None
    assert [(p.line, hint in (p.hint or "")) for p in problems] == [(line, True)]


def _noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=0x10FFFF), st.sampled_from(["\x00-\x08", "\x0b\x0c\x7f-\x9f"]))
def test_character_patterns_match_their_class_and_every_noncharacter(code: int, ranges: str) -> None:
    from generator.validate import class_or_noncharacter_re

    pattern = class_or_noncharacter_re(ranges)
    in_class = bool(re.fullmatch(f"[{ranges}]", chr(code)))
    assert bool(pattern.search(f"a{chr(code)}b")) == (in_class or _noncharacter(code))


def test_character_patterns_find_astral_noncharacters_beside_other_astral_text() -> None:
    from generator.validate import class_or_noncharacter_re

    text = "\U0001f600 ok \U0001fffe \U0010ffff \U0001d400"
    assert [m.group() for m in class_or_noncharacter_re("\x00").finditer(text)] == [
        "\U0001fffe",
        "\U0010ffff",
    ]


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        # the line as it should be, when the value was written bare
        ("title: BERT: Pre-training", '`title: "BERT: Pre-training"`'),
        (
            "title: Fr\\'echet Means: A Survey",
            '`title: "Fr\\\\\'echet Means: A Survey"` (in double quotes a backslash',
        ),
        ('title: A "quoted": word', '`title: "A \\"quoted\\": word"`'),
        (
            "title: \u201cBERT: Pre-training\u201d",
            'curly quotes are text to YAML; write straight ones: `title: "BERT: Pre-training"`',
        ),
        # the rule of the quotes it was written in
        ('title: "It\'s "Quoted": A Study"', 'a `"` inside a double-quoted value is written `\\"`'),
        ("title: 'Fr\\'echet: Means'", "a `'` inside a single-quoted value is written twice"),
        ("tags: [llm, agents", "close it with `]` on the same line"),
        # no line to spell out: a list, a comment, a curly quote inside the value
        ("keywords: [a, b]]", "check the quoting on that line"),
        ("title: A: b # c: d", "check the quoting on that line"),
        ("title: \u201cFoo\u201d: bar", "the curly quote `\u201c` is text to YAML"),
    ],
)
def test_a_yaml_error_says_how_to_write_that_line(line: str, hint: str) -> None:
    """Each hint leads somewhere: no hint sends a contributor to quotes they already wrote."""
    document, problems = parse_document("p.md", f"---\n{line}\n---\n\nAn abstract.\n")
    assert document is None and len(problems) == 1
    assert problems[0].line == 2 and hint in (problems[0].hint or ""), problems[0].hint


def test_an_item_out_of_line_is_told_to_line_up() -> None:
    document, problems = parse_document("p.md", "---\nauthors:\n  - Ada\n - Bob\n---\n\nA.\n")
    assert document is None and problems[0].line == 4
    assert problems[0].hint == "put this item's `-` exactly under the `-` of the items above"


def test_field_names_are_named_as_written_not_as_yaml_reads_them() -> None:
    """`yes`, `on` and `~` are true and null to YAML: named so, the two first were one field
    `True`, given twice, in a file that has no such field."""
    document, problems = parse_document("x.md", "---\ntitle: T\nyes: 1\non: 2\n~: 4\n0x10: 5\n---\n\nBody\n")
    assert problems == []
    assert document is not None
    assert list(document.front.values) == ["title", "yes", "on", "~", "0x10"]
    assert document.front.line_of("on") == 4


@pytest.mark.parametrize(
    ("front", "path", "quoted"),
    [
        ("title: Null", ("title",), 'title: "Null"'),
        ("title: ~", ("title",), 'title: "~"'),
        ("title: NULL", ("title",), 'title: "NULL"'),
        ("title: x\nauthors: [~, Ada]", ("authors", 0), '"~"'),
        ("title: x\nlinks:\n  code: null", ("links", "code"), 'code: "null"'),
    ],
)
def test_a_value_yaml_reads_as_nothing_is_explained_as_such(
    front: str, path: tuple[str | int, ...], quoted: str
) -> None:
    """`title: Null` was told to write a title after `title: `, though one was written."""
    document, _ = parse_document("x.md", f"---\n{front}\n---\n\nBody\n")
    assert document is not None
    word = quoted.rsplit('"', 2)[1]
    assert document.front.explain_empty(path, "`title` is empty", "write the title") == (
        f"`title` is empty: YAML reads `{word}` as no value",
        f"to write `{word}`, put it in quotes: `{quoted}`",
    )


@pytest.mark.parametrize("front", ["title:", 'title: ""', "title: Nullable"])
def test_a_value_left_out_keeps_the_message_it_is_given(front: str) -> None:
    document, _ = parse_document("x.md", f"---\n{front}\n---\n\nBody\n")
    assert document is not None
    assert document.front.explain_empty(("title",), "empty", "write it") == ("empty", "write it")
