"""Paper files edited in place: the fields taken change, every other line stays as written."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.frontmatter import parse_document
from generator.paperfile import with_fields

CURATED = (
    "---\n"
    "# a curator's note\n"
    "title: Old Title  # as first listed\n"
    "authors:\n"
    "  - Ada\n"
    "  - Bob\n"
    "tags: [llm]   # chosen by hand\n"
    "---\n"
    "\n"
    "Old abstract.\n"
)


def test_the_fields_taken_change_and_every_other_line_stays() -> None:
    edited = with_fields(
        CURATED, {"title": "New Title: Part 2", "authors": ["Ada", "Bob", "Cy"]}, "New abstract."
    )
    assert edited == (
        "---\n"
        "# a curator's note\n"
        "title: 'New Title: Part 2'\n"
        "authors:\n"
        "- Ada\n"
        "- Bob\n"
        "- Cy\n"
        "tags: [llm]   # chosen by hand\n"
        "---\n"
        "\n"
        "New abstract.\n"
    )


def test_a_new_field_goes_last_and_the_abstract_stays() -> None:
    edited = with_fields(CURATED, {"arxiv": "2501.10000"})
    assert edited == CURATED.replace("---\n\n", "arxiv: '2501.10000'\n---\n\n")


def test_windows_line_endings_stay() -> None:
    edited = with_fields(CURATED.replace("\n", "\r\n"), {"title": "New"})
    assert edited == CURATED.replace("title: Old Title  # as first listed", "title: New").replace(
        "\n", "\r\n"
    )


def test_front_matter_that_is_not_a_block_of_fields_is_left_to_the_caller() -> None:
    assert with_fields("---\n{title: x}\n---\n\nBody\n", {"title": "y"}) is None
    assert with_fields("no front matter\n", {"title": "y"}) is None
    assert with_fields("---\ntitle: [unclosed\n---\n\nBody\n", {"title": "y"}) is None


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(str.strip)


@given(
    st.dictionaries(
        st.sampled_from(["title", "tldr", "organization", "arxiv", "authors"]), _TEXT, max_size=3
    ),
    st.one_of(st.none(), _TEXT),
)
def test_an_edit_reads_as_the_file_with_those_fields_or_is_not_made(
    changed: dict[str, str], body: str | None
) -> None:
    edited = with_fields(CURATED, changed, body)
    if edited is None:
        return
    before, _ = parse_document("x.md", CURATED)
    after, _ = parse_document("x.md", edited)
    assert before is not None and after is not None
    assert after.front.values == {**before.front.values, **changed}
    assert after.body.strip() == (body if body is not None else before.body).strip()
    assert "# a curator's note\n" in edited and "tags: [llm]   # chosen by hand\n" in edited
