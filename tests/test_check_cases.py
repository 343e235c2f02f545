"""Table-driven bad inputs: every case is reported, with its line, in one run of `papers check`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from generator.content import read_site
from generator.errors import shown
from tests.conftest import REPO, Project

GOOD_BODY = "A real abstract. " * 15

# (file, contents, expected line, expected words in the message, expected words in the hint)
CASES: list[tuple[str, str | bytes, int | None, str, str]] = [
    (
        "content/2025/2025-03-17/malformed-yaml.md",
        f"---\ntitle: Fine\nauthors: [unclosed\n---\n{GOOD_BODY}",
        3,
        "not valid YAML",
        "close it with `]` on the same line",
    ),
    (
        "content/2025/2025-03-17/missing-title.md",
        f"---\nauthors: [Ada Lovelace]\n---\n{GOOD_BODY}",
        1,
        "required field `title` is missing",
        "title:",
    ),
    (
        "content/2025/2025-03-17/wrong-type-upvotes.md",
        f"---\ntitle: Upvotes as words\nupvotes: many\n---\n{GOOD_BODY}",
        3,
        "`upvotes` must be a whole number",
        "upvotes: 42",
    ),
    (
        "content/2025/2025-3-18/unpadded-day.md",
        f"---\ntitle: A day folder without zeros\n---\n{GOOD_BODY}",
        None,
        "the folder `2025-3-18` is not a date like 2025-03-17",
        "move it to content/2025/2025-03-18/unpadded-day.md",
    ),
    (
        "content/2025/03/18/folders-per-part.md",
        f"---\ntitle: A folder for the month and one for the day\n---\n{GOOD_BODY}",
        None,
        "it is 3 folders deep instead of 2",
        "move it to content/2025/2025-03-18/folders-per-part.md",
    ),
    (
        "content/0999/0999-12-31/before-the-first-year.md",
        f"---\ntitle: Too early\n---\n{GOOD_BODY}",
        None,
        "the day `0999-12-31` is not between the years 1000 and 9998",
        "check the year of the day folder",
    ),
    (
        "content/2025/2025-03-17/invisible-tag.md",
        f'---\ntitle: A tag with a zero width space\ntags: [llm, "llm\\u200b"]\n---\n{GOOD_BODY}',
        3,
        "is not in the vocabulary (it holds U+200B ZERO WIDTH SPACE, which does not show)",
        "did you mean `llm`?",
    ),
    (
        "content/2025/2025-03-17/placeholder-tag.md",
        f"---\ntitle: The scaffold's tags left as they were\ntags: [pick from content/tags.yaml]\n---\n{GOOD_BODY}",
        3,
        "the tag list is still the example that `papers new` wrote",
        "tags: [llm, agents]",
    ),
    (
        "content/2025/2025-03-17/spaced-tag.md",
        f"---\ntitle: A tag written with a space\ntags: [reinforcement learning]\n---\n{GOOD_BODY}",
        3,
        "the tag `reinforcement learning` is not in the vocabulary (a tag is one slug: words joined by dashes",
        "did you mean `reinforcement-learning`?",
    ),
    (
        "content/2025/2025-03-17/yes-no-authors.md",
        f"---\ntitle: Authors YAML reads as true and false\nauthors: [Ada Lovelace, No]\n---\n{GOOD_BODY}",
        3,
        "`authors[1]` must be text, not true/false",
        'wrap the item in double quotes: `"No"`',
    ),
    (
        "content/2025/2025-03-17/nested-authors.md",
        f"---\ntitle: An author written as a list\nauthors: [Ada Lovelace, [x]]\n---\n{GOOD_BODY}",
        3,
        "`authors[1]` must be text, not a list",
        "write each item as one text on its own line",  # not `authors: "..."`, itself an error
    ),
    (
        "content/2025/2025-03-17/escaped-control.md",
        f'---\ntitle: "Mid \\L separator, written as an escape"\n---\n{GOOD_BODY}',
        2,
        "`title` must be one line without control characters; it holds U+2028",
        "YAML reads escapes such as",  # the file shows `\L`, not the character
    ),
    (
        "content/2025/2025-03-17/tex-in-double-quotes.md",
        f'---\ntitle: "Fr\\\'echet Means: A Survey"\n---\n{GOOD_BODY}',
        2,
        "found unknown escape character",
        'write each backslash twice: `title: "Fr\\\\\'echet Means: A Survey"`',  # not "remove the quotes": `: `
    ),
    (
        "content/2025/2025-03-17/utf-16.md",
        f"---\ntitle: Saved by an editor as Unicode\n---\n{GOOD_BODY}".encode("utf-16"),
        None,
        "the file is saved as UTF-16",
        "save it with UTF-8 encoding",
    ),
    (
        "content/2025/2025-03-17/blank-first-line.md",
        f"\n---\ntitle: A blank line above the front matter\n---\n{GOOD_BODY}".encode(),  # as written
        1,
        "the file does not start with front matter",
        "the `---` on line 2 must be the file's very first line",
    ),
    (
        "content/2025/2025-03-17/utf-32.md",
        f"---\ntitle: Saved as UTF-32\n---\n{GOOD_BODY}".encode("utf-32"),
        None,
        "the file is saved as UTF-32",
        "save it with UTF-8 encoding",
    ),
    (
        "content/2025/2025-03-17/long-suffix.markdown",
        f"---\ntitle: Saved as .markdown\n---\n{GOOD_BODY}",
        None,
        "the file ends in `.markdown`, not `.md`",
        "rename it to `long-suffix.md`",
    ),
    (
        "content/2025/2025-03-17/emoji-title.md",
        f'---\ntitle: "\U0001f680\U0001f680"\n---\n{GOOD_BODY}',
        2,
        "the title shows no text: no letter or digit, only markup or symbols",
        "as on arXiv",
    ),
    (  # a Hangul filler is a letter by category, and shows nothing
        "content/2025/2025-03-17/filler-title.md",
        f'---\ntitle: "\\u3164"\n---\n{GOOD_BODY}',
        2,
        "`title` has no visible characters",
        "write a value",
    ),
    (
        "content/2025/2025-03-17/no-break-space-abstract.md",
        "---\ntitle: An abstract of a space written as a reference\n---\n\n&nbsp; &#8203;\n",
        4,
        "the abstract shows no text",
        "plain text",
    ),
    (
        "content/2025/2025-03-17/octal-upvotes.md",
        f"---\ntitle: Upvotes with a leading zero\nupvotes: 010\n---\n{GOOD_BODY}",
        3,
        "`upvotes: 010` is read by YAML as 8, not as written",
        "upvotes: 10",
    ),
    (
        "content/2025/2025-03-17/sexagesimal-upvotes.md",
        f"---\ntitle: Upvotes with a colon\nupvotes: 1:20\n---\n{GOOD_BODY}",
        3,
        "`upvotes: 1:20` is read by YAML as 80",
        "plain digits",
    ),
    (
        "content/2025/2025-03-17/huge-upvotes.md",
        f"---\ntitle: Upvotes beyond counting\nupvotes: {10**29}\n---\n{GOOD_BODY}",
        3,
        f"`upvotes` is {10**29}; it can be at most 999,999,999",
        "upvotes: 42",
    ),
    (
        "content/2025/2025-03-17/wrong-type-authors.md",
        f"---\ntitle: Authors as a mapping\nauthors:\n  first: Ada\n---\n{GOOD_BODY}",
        3,
        "`authors` must be a list, not a mapping",
        "",
    ),
    (
        "content/2025/2025-03-17/unknown-key.md",
        f"---\ntitle: A tag typo\ntag: [llm]\n---\n{GOOD_BODY}",
        3,
        "unknown field `tag`",
        "did you mean `tags`?",
    ),
    (
        "content/2025/2025-03-17/bad-arxiv.md",
        f'---\ntitle: Bad id\narxiv: "25031.2345"\n---\n{GOOD_BODY}',
        3,
        "`25031.2345` is not an arXiv id",
        "2503.12345",
    ),
    (
        "content/2025/2025-03-17/date-mismatch.md",
        f"---\ntitle: Wrong day\ndate: 2025-03-18\n---\n{GOOD_BODY}",
        3,
        "differs from the folder's day 2025-03-17",
        "content/2025/2025-03-18/",
    ),
    (
        "content/2025/2025-03-17/2503.12345.md",
        f'---\ntitle: First copy\narxiv: "2503.12345"\n---\n{GOOD_BODY}',
        None,
        "duplicate arXiv id",
        "one file per paper",
    ),
    (
        "content/2025/2025-03-16/2503.12345.md",
        f'---\ntitle: Second copy, another version\narxiv: "2503.12345v2"\n---\n{GOOD_BODY}',
        None,
        "duplicate arXiv id",
        "",
    ),
    (
        "content/2025/2025-03-16/same-slug.md",
        f"---\ntitle: Same slug one\n---\n{GOOD_BODY}",
        None,
        "duplicate slug",
        "",
    ),
    (
        "content/2025/2025-03-15/same-slug.md",
        f"---\ntitle: Same slug two\n---\n{GOOD_BODY}",
        None,
        "duplicate slug",
        "",
    ),
    (
        "content/2025/2025-03-15/title-one.md",
        f"---\ntitle: Attention Is All You Need\n---\n{GOOD_BODY}",
        None,
        "duplicate title",
        "",
    ),
    (
        "content/2025/2025-03-14/title-two.md",
        f'---\ntitle: "attention is all you need!"\n---\n{GOOD_BODY}',
        None,
        "duplicate title",
        "",
    ),
    (
        "content/2025/2025-03-17/not-utf8.md",
        b"---\ntitle: Caf\xe9 au lait\n---\nAbstract.\n",
        2,
        "not valid UTF-8",
        "UTF-8",
    ),
    (
        "content/2025/2025-03-17/empty-body.md",
        "---\ntitle: No abstract\n---\n\n   \n",
        4,
        "the abstract is empty",
        "below the closing",
    ),
    (
        "content/2025/stray-file.md",
        f"---\ntitle: Misplaced\n---\n{GOOD_BODY}",
        None,
        "outside the content layout",
        "content/<YYYY>/<YYYY-MM-DD>/<slug>.md",
    ),
    (
        "content/2025/2025-03-17/unknown-tag.md",
        f"---\ntitle: A tag typo in the value\ntags:\n  - llm\n  - difusion\n---\n{GOOD_BODY}",
        5,
        "the tag `difusion` is not in the vocabulary",
        "did you mean `diffusion`?",
    ),
    (
        "content/2025/2025-03-17/no-front-matter.md",
        GOOD_BODY,
        1,
        "does not start with front matter",
        "---",
    ),
    (
        "content/2025/2025-03-17/Bad_Name.md",
        f"---\ntitle: Bad file name\n---\n{GOOD_BODY}",
        None,
        "is not a valid slug",
        "rename it to `bad-name.md`: lowercase",
    ),
    (
        "content/2025/2025-03-17/empty-author.md",
        f"---\ntitle: An empty list item\nauthors:\n  - Ada Lovelace\n  -\n---\n{GOOD_BODY}",
        5,
        "`authors[1]` is empty",  # not "must be text, not a list": the item is read, not the field
        "remove the empty line",
    ),
    (
        "content/2025/2025-03-17/empty-link.md",
        f"---\ntitle: An empty link\nlinks:\n  code:\n---\n{GOOD_BODY}",
        4,
        "`links.code` is empty",
        "remove the empty line",
    ),
    (
        "content/2025/2025-03-17/evil\n.md",  # `$` in a pattern passes a final newline
        f"---\ntitle: A name ending in a newline\n---\n{GOOD_BODY}",
        None,
        "is not a valid slug",
        "rename it to `evil.md`",
    ),
    (
        "content/2025/2025-03-17/My Paper.MD",
        f"---\ntitle: Shouting extension\n---\n{GOOD_BODY}",
        None,
        "the file ends in `.MD`, not `.md`",
        "rename it to `my-paper.md`",  # a name that then passes, not `My Paper.md`
    ),
    (
        "content/2025-03-19/day-without-year.md",
        f"---\ntitle: Day folder without its year\n---\n{GOOD_BODY}",
        None,
        "outside the content layout",
        "move it to content/2025/2025-03-19/day-without-year.md",
    ),
    (
        "content/2024/2025-03-19/wrong-year.md",
        f"---\ntitle: Day folder in the wrong year\n---\n{GOOD_BODY}",
        None,
        "inside the year folder `2024`",
        "move it to content/2025/2025-03-19/wrong-year.md",
    ),
    (
        "content/2025/2025-03-17/slashed-date.md",
        f"---\ntitle: A date as some write it\ndate: 17/03/2025\n---\n{GOOD_BODY}",
        3,
        "`date` must be a day like 2025-03-17",
        "write it as YYYY-MM-DD, or remove the line",
    ),
    (
        "content/2025/2025-03-17/2503.54321.md",
        f"---\ntitle: Named after its id, which it does not give\n---\n{GOOD_BODY}",
        1,
        "only an arXiv id puts a dot in a file name",
        'add `arxiv: "2503.54321"`',
    ),
    (
        "content/2025/2025-03-17/javascript-link.md",
        f"---\ntitle: A bad link\nlinks:\n  code: javascript:alert(1)\n---\n{GOOD_BODY}",
        4,
        "is not an http(s) URL",
        "https://",
    ),
    (
        "content/2025/2025-03-17/port-link.md",
        f"---\ntitle: A link to a port that cannot be\nlinks:\n  video: https://example.com:99999/\n---\n{GOOD_BODY}",
        4,
        "`https://example.com:99999/` is not a valid URL",
        "https://",
    ),
    (
        "content/2025/2025-03-17/python-tag.md",
        f"---\ntitle: !!python/object:os.system echo\n---\n{GOOD_BODY}",
        2,
        "the YAML tag `!!python/object:os.system` is not allowed",
        "remove the `!` tag",
    ),
    (
        "content/2025/2025-03-17/duplicate-key.md",
        f"---\ntitle: Once\ntitle: Twice\n---\n{GOOD_BODY}",
        3,
        "the field `title` is given twice (first on line 2)",
        "keep one",
    ),
    (
        "content/2025/2025-13-40/impossible-day.md",
        f"---\ntitle: Not a day\n---\n{GOOD_BODY}",
        None,
        "not a real date",
        "",
    ),
]


@pytest.fixture
def broken_project(project: Project) -> Project:
    for relative, contents, *_ in CASES:
        project.write(relative, contents)
    return project


def test_every_bad_input_is_reported_in_one_run(
    broken_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--root", str(broken_project.root), "check"])
    captured = capsys.readouterr()
    assert code == 1
    for relative, _, line, message, hint in CASES:
        printed = shown(relative, lines=False)  # `evil\n.md` as an escape
        where = f"{printed}:{line}: error: " if line else f"{printed}: error: "
        matching = [block for block in captured.err.split("\n" + printed) if message in block]
        assert f"{where}" in captured.err, f"no error at {where}\n{captured.err}"
        assert matching, f"{relative}: expected {message!r}\n{captured.err}"
        assert hint in captured.err
    assert f"in {len(CASES)} files" in captured.out


@pytest.mark.parametrize(
    ("relative", "contents", "line", "message", "hint"), CASES, ids=[c[0].split("/")[-1] for c in CASES]
)
def test_each_case_alone_names_file_line_and_fix(
    project: Project,
    capsys: pytest.CaptureFixture[str],
    relative: str,
    contents: str | bytes,
    line: int | None,
    message: str,
    hint: str,
) -> None:
    project.write(relative, contents)
    if "duplicate" in message:  # needs its twin from the table
        for other, other_contents, _, other_message, _ in CASES:
            if other != relative and other_message == message:
                project.write(other, other_contents)
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    printed = shown(relative, lines=False)
    location = f"{printed}:{line}:" if line else f"{printed}:"
    assert f"{location} error: " in err
    assert message in err
    assert hint in err


def test_github_format_prints_annotations(
    broken_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--root", str(broken_project.root), "check", "--format", "github"])
    out = capsys.readouterr().out
    assert (
        "::error file=content/2025/2025-03-17/unknown-key.md,line=3,title=papers check::unknown field `tag`"
        in out
    )
    assert "did you mean `tags`?" in out


def test_check_with_paths_reports_only_those_files(
    broken_project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    target = broken_project.root / "content/2025/2025-03-17/unknown-key.md"
    assert main(["--root", str(broken_project.root), "check", str(target)]) == 1
    err = capsys.readouterr().err
    assert "unknown-key.md:3" in err
    assert "missing-title.md" not in err


def test_a_hidden_paper_file_is_a_warning_not_silence(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.paper("2025-03-17", "visible-paper", body=GOOD_BODY)
    project.write("content/2025/2025-03-17/.hidden-paper.md", f"---\ntitle: Hidden\n---\n{GOOD_BODY}")
    project.write("content/2025/2025-03-17/.paper.md.swp", "an editor's swap file")
    assert main(["--root", str(project.root), "check"]) == 0
    err = capsys.readouterr().err
    assert "content/2025/2025-03-17/.hidden-paper.md: warning: files whose name starts with a dot" in err
    assert "rename it to `hidden-paper.md`" in err
    assert "swp" not in err
    project.write("content/2025/2025-03-17/.md", f"---\ntitle: Its name left out\n---\n{GOOD_BODY}")
    assert main(["--root", str(project.root), "check"]) == 0
    assert "2025-03-17/.md: warning: files whose name starts with a dot" in capsys.readouterr().err


@pytest.mark.parametrize("path", ["content/top.md", "content/misc/x.md"])
def test_a_file_outside_the_layout_is_checked_whole(
    project: Project, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    """Its folders name no day: only the layout error was told, the others after a move."""
    project.write(path, f"---\ntitle: A Stray Paper\ndate: 2025-03-17\nfoo: bar\n---\n{GOOD_BODY}")
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert f"{path}: error: the file is outside the content layout" in err
    assert f"{path}:4: error: unknown field `foo`" in err
    assert "differs from the folder's day" not in err  # its date field stands in for its folder's


def test_check_refuses_paths_outside_content(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project.paper("2025-03-17", "a-paper", body=GOOD_BODY)
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("not a paper")
    assert (
        main(["--root", str(project.root), "check", str(elsewhere)]) == 2
    )  # wrong usage, not a problem of the content
    assert f"{elsewhere}: error: is not in this project's content/" in capsys.readouterr().err
    assert main(["--root", str(project.root), "check", "content"]) == 0


def test_check_of_a_folder_reports_a_link_in_it_wherever_it_points(
    project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project.paper("2025-03-17", "a-paper", body=GOOD_BODY)
    outside = tmp_path / "outside.md"
    outside.write_text(f"---\ntitle: Outside\n---\n{GOOD_BODY}")
    (project.root / "content/2025/2025-03-17/linked.md").symlink_to(outside)
    assert main(["--root", str(project.root), "check", str(project.root / "content/2025")]) == 1
    assert "linked.md: error: symbolic links are not allowed" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_named_pipe_in_content_is_refused_not_waited_for(project: Project) -> None:
    project.paper("2025-03-17", "a-paper", body=GOOD_BODY)
    os.mkfifo(project.root / "content/2025/2025-03-17/pipe-paper.md")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project.root), "check"],
        capture_output=True,
        text=True,
        timeout=60,  # reading the pipe would block forever
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 1
    assert "pipe-paper.md: error: this is not a regular file" in result.stderr


def test_a_duplicate_is_one_problem_per_file_naming_all_it_shares(project: Project) -> None:
    project.paper("2025-03-16", "2503.12345", 'arxiv: "2503.12345"', body=GOOD_BODY, title="The Same Paper")
    project.paper("2025-03-17", "2503.12345", 'arxiv: "2503.12345v2"', body=GOOD_BODY, title="The same paper")
    problems = [p for p in read_site(project.root).problems if p.message.startswith("duplicate")]
    assert [(p.path, p.message.split(":")[0]) for p in problems] == [
        ("content/2025/2025-03-16/2503.12345.md", "duplicate arXiv id, slug and title"),
        ("content/2025/2025-03-17/2503.12345.md", "duplicate arXiv id, slug and title"),
    ]


def test_a_rename_to_the_arxiv_id_that_is_taken_says_so(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.paper(
        "2025-03-17", "2006.11239", 'arxiv: "2006.11239"', body=GOOD_BODY, title="Denoising diffusion"
    )
    project.paper("2025-03-17", "ddpm", 'arxiv: "2006.11239v3"', body=GOOD_BODY, title="DDPM")
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert (
        "ddpm.md:3: error: a paper with arXiv id 2006.11239v3 must be in a file named `2006.11239.md`" in err
    )
    assert "hint: `2006.11239.md` is there already: keep one of the two files" in err


def test_a_rename_hint_never_names_a_file_that_is_there(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.paper("2025-03-17", "case-slug", body=GOOD_BODY)
    if (project.root / "content/2025/2025-03-17/CASE-SLUG.md").exists():
        pytest.skip("this file system does not tell names apart by case")
    project.paper("2025-03-17", "Case-Slug", body=GOOD_BODY.upper())
    project.paper("2025-03-17", "Other_Name", body=GOOD_BODY.lower())
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert "Case-Slug.md: error: the file name `Case-Slug.md` is not a valid slug" in err
    assert "hint: `case-slug.md` is there already: remove this file if it is the same paper" in err
    assert "hint: rename it to `other-name.md`" in err


def test_an_upper_case_suffix_beside_the_same_name_is_told_to_keep_one(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.paper("2025-03-17", "bar", body=GOOD_BODY)
    project.write("content/2025/2025-03-17/bar.MD", f"---\ntitle: Bar again\n---\n{GOOD_BODY}")
    if len(list((project.root / "content/2025/2025-03-17").iterdir())) < 2:
        pytest.skip("this file system does not tell names apart by case")
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert "bar.MD: error: the file ends in `.MD`, not `.md`" in err
    assert "hint: `bar.md` is there already: keep one of the two files" in err


def test_two_spellings_of_one_day_in_the_folders_still_name_it(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    project.write("content/2025/03/18/2025-3-18/x.md", f"---\ntitle: Deep\n---\n{GOOD_BODY}")
    assert main(["--root", str(project.root), "check"]) == 1
    assert "hint: move it to content/2025/2025-03-18/x.md" in capsys.readouterr().err


def test_a_name_that_is_no_slug_gets_one_hint_a_valid_name(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """`a..md` is no slug: one hint names a file that would pass, not also `a-.md` (no slug either)."""
    project.write("content/2025/2025-03-17/a..md", f"---\ntitle: A name with two dots\n---\n{GOOD_BODY}")
    assert main(["--root", str(project.root), "check"]) == 1
    err = capsys.readouterr().err
    assert "rename it to `a.md`" in err
    assert "a-.md" not in err and "only an arXiv id puts a dot" not in err
