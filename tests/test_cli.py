"""The `papers` command as a process: what it prints and how it ends, whatever it reads."""

from __future__ import annotations

import functools
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.validate import load_vocabulary
from tests.conftest import Project


def papers(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project.root), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def check_with_tag_line(project: Project, line: str) -> subprocess.CompletedProcess[str]:
    """`papers check` once `line` is added to the project's tags.yaml."""
    with (project.root / "content/tags.yaml").open("a", encoding="utf-8") as vocabulary:
        vocabulary.write(line)
    return papers(project, "check")


def test_a_reader_that_stops_early_is_no_error(project: Project) -> None:
    """`papers tags | head -1`: the pipe closes before everything is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(project.root), "tags"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command writes: it meets a closed pipe
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""
    process.stderr.close()


def test_terminal_controls_in_a_file_are_printed_as_escapes(project: Project) -> None:
    """A YAML key quoted in a message could clear the terminal, retitle it or hide the line."""
    project.write(
        "content/2025/2025-03-17/controls.md",
        '---\ntitle: Controls\n"\\e[2J\\e]0;pwned\\a\\rtitle\\u202e": x\n---\n\n' + "An abstract. " * 20,
    )
    for style in ("text", "github"):
        result = papers(project, "check", "--format", style)
        shown = result.stdout + result.stderr
        assert result.returncode == 1
        assert "unknown field `\\x1b[2J\\x1b]0;pwned\\x07\\rtitle\\u202e`" in shown
        assert not any(character in shown for character in "\x1b\x07\r\u202e")


@pytest.mark.parametrize("after", [0.8, 1.6])
def test_stopping_the_dev_server_during_its_first_build_leaves_nothing_behind(
    project: Project, tmp_path: Path, after: float
) -> None:
    """Ctrl-C during the first build left the whole working folder in the temp folder."""
    for number in range(300):  # a first build of a second or two: the signal lands in it
        project.paper(f"2025-03-{1 + number % 28:02d}", f"paper-{number}", body="Some words here. " * 30)
    temp = tmp_path / "temp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(project.root), "serve", "--port", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)
    assert list(temp.iterdir()) == []


def test_a_command_run_inside_a_project_finds_it(sample_project: Project) -> None:
    """From inside `content/2025/`, as git from inside a repository: the project above."""
    inside = sample_project.root / "content/2025"
    run = functools.partial(subprocess.run, cwd=inside, capture_output=True, text=True, timeout=120)
    checked = run([sys.executable, "-m", "generator", "check"])
    assert checked.returncode == 0 and "checked " in checked.stdout and " 0 files" not in checked.stdout
    built = run([sys.executable, "-m", "generator", "build", "--no-search"])
    assert built.returncode == 0, built.stderr
    assert (sample_project.root / "public/index.html").is_file() and not (inside / "public").exists()


@pytest.mark.parametrize(
    "command", [["check"], ["build", "--no-search"], ["tags"], ["new", "--title", "A Title"]]
)
def test_a_command_run_outside_a_project_says_so(tmp_path: Path, command: list[str]) -> None:
    """From inside `content/`, say: `check` would have found nothing wrong in no files."""
    elsewhere = tmp_path / "content"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "generator", *command],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "this folder is not a Daily Papers project: it has no `content/` folder" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_tags_reports_the_errors_its_counts_leave_out(project: Project) -> None:
    project.paper("2025-03-17", "a-good-paper", "tags: [llm]")
    project.paper("2025-03-17", "a-broken-paper", "tags: [llm]\nvenue: Nowhere")
    result = papers(project, "tags")
    assert result.returncode == 1
    assert "a-broken-paper.md:" in result.stderr and "unknown field `venue`" in result.stderr
    assert "leave out the papers with the errors above" in result.stderr
    assert any(line.split()[:2] == ["llm", "1"] for line in result.stdout.splitlines())


def test_tags_counts_one_tag_in_use_in_the_singular(project: Project) -> None:
    project.paper("2025-03-17", "a-paper", "tags: [llm]")
    result = papers(project, "tags")
    assert result.returncode == 0, result.stderr
    assert "1 tag in use, 3 unused: diffusion, reinforcement-learning, robotics" in result.stdout


def test_a_broken_vocabulary_is_reported_alone(project: Project) -> None:
    """Every tag the unreadable `tags.yaml` lost would have been an error of its own."""
    for number in range(5):
        project.paper("2025-03-17", f"paper-{number}", "tags: [llm]")
    result = check_with_tag_line(project, "broken:\n  name: [unclosed\n")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("content/tags.yaml:"), result.stderr


def test_a_folder_in_place_of_the_settings_or_the_vocabulary_is_an_error(project: Project) -> None:
    """Both were passed over: the defaults stood in for the settings, and every tag was
    reported as not in the vocabulary."""
    for number in range(3):
        project.paper("2025-03-17", f"paper-{number}", "tags: [llm]")
    vocabulary = project.root / "content" / "tags.yaml"
    vocabulary.unlink()
    vocabulary.mkdir()
    result = papers(project, "check")
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert result.returncode == 1
    assert errors == ["content/tags.yaml: error: this is a folder, not the tag vocabulary"], result.stderr
    vocabulary.rmdir()
    (project.root / "site.yaml").unlink()
    (project.root / "site.yaml").mkdir()
    result = papers(project, "check")
    assert result.returncode == 1
    assert "site.yaml: error: this is a folder, not the site's settings file" in result.stderr


def test_new_refuses_a_title_its_own_scaffold_already_has(project: Project) -> None:
    first = papers(project, "new", "--title", "Exact Same Title", "--date", "2025-04-05")
    assert first.returncode == 0, first.stderr
    again = papers(project, "new", "--title", "EXACT same title!", "--date", "2025-04-06")
    assert again.returncode == 1
    assert (
        "content/2025/2025-04-05/exact-same-title.md: error: a paper with this title is already in this file"
        in (again.stderr)
    )
    assert [path.name for path in (project.root / "content/2025").rglob("*.md")] == ["exact-same-title.md"]


@pytest.mark.parametrize(
    ("relative", "first"),
    [
        ("content/2024/2025-03-18/x.md", "is outside the content layout"),
        ("content/2025/2025-03-18/Bad_Name.md", "is not a valid slug"),
    ],
)
def test_a_misplaced_or_misnamed_file_is_checked_all_the_same(
    project: Project, relative: str, first: str
) -> None:
    """All problems at once: its other errors are not held back until it is moved or renamed."""
    project.write(relative, "---\ntitle: A paper\nvenue: Nowhere\n---\n\n" + "An abstract. " * 20 + "\n")
    result = papers(project, "check")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 2 and first in errors[0], result.stderr
    assert errors[1].startswith(f"{relative}:3: error: unknown field `venue`")


def test_a_check_whose_reader_stops_early_still_fails(project: Project) -> None:
    """`papers check --format github | head -1` under pipefail: the errors are still there."""
    project.paper("2025-03-17", "a-bad-paper", "venue: Nowhere")
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "--root", str(project.root), "check", "--format", "github"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    assert process.wait(timeout=60) == 1
    err = process.stderr.read()
    assert b"a-bad-paper.md:3: error: unknown field `venue`" in err and b"Traceback" not in err
    process.stderr.close()


def test_a_closed_output_is_no_failure(project: Project) -> None:
    """`papers check >&-`: nothing can be shown, and the content is fine."""
    project.paper("2025-03-17", "a-good-paper")
    command = [sys.executable, "-m", "generator", "--root", str(project.root), "check"]
    result = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
        close_fds=True,
        preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 0, result.stderr


def test_a_terminal_that_is_not_utf8_gets_escapes_not_a_crash(project: Project) -> None:
    project.paper("2025-03-17", "a-bad-paper", "zürich✓: 1")
    environment = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": "ascii"}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project.root), "check", "--format", "github"],
        capture_output=True,
        env=environment,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert b"Traceback" not in result.stderr and b"unknown field `z\\xfcrich\\u2713`" in result.stdout


def test_a_project_folder_whose_name_is_not_utf8_builds(tmp_path: Path) -> None:
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/lat\xfc1"))
    project = Project(root)
    project.paper("2025-03-17", "a-good-paper")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", os.fsencode(root), "build", "--no-search"],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (root / "public/index.html").is_file()


def test_a_build_that_finds_nothing_changed_loads_no_renderer(project: Project) -> None:
    """The command people run most: it stats the inputs and says so, without importing the
    templates, Markdown, TeX or the importers (a third of a second on a slow machine)."""
    project.paper("2025-03-17", "a-good-paper", body="We use $x^2$. " * 20)
    assert papers(project, "build", "--no-search").returncode == 0
    script = (
        "import sys; from generator.cli import main; "
        f"code = main(['--root', {str(project.root)!r}, 'build', '--no-search']); "
        "heavy = ['jinja2', 'markdown_it', 'latex2mathml', 'generator.render', 'generator.importers.hf']; "
        "print(code, [name for name in heavy if name in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.stdout.splitlines()[-1] == "0 []", result.stdout + result.stderr
    assert "is up to date" in result.stdout


def test_a_build_from_another_folder_of_the_project_reuses_the_cache(project: Project) -> None:
    """From the project, from inside `content/`, or given its full path: one project, one
    cache. Paths as typed made each a stranger to the others' cache: a full build each."""
    for number in range(3):
        project.paper("2025-03-17", f"paper-{number}")
    paper = project.paper("2025-03-16", "an-older-paper")

    def build_from(folder: Path, *root: str) -> str:
        command = [sys.executable, "-m", "generator", *root, "build", "--no-search"]
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "(" in build_from(project.root, "--root", ".")
    for folder, root in [
        (project.root / "content/2025", ()),
        (project.root.parent, ("--root", str(project.root))),
    ]:
        paper.write_text(paper.read_text(encoding="utf-8") + "One more sentence.\n", encoding="utf-8")
        rendered = int(re.search(r"\((\d+) rendered\)", build_from(folder, *root))[1])  # type: ignore[index]
        assert rendered < 10, rendered  # its page, its day's, its week's... not all 20


def test_check_reads_the_settings_a_build_reads(project: Project) -> None:
    """A pull request that breaks site.yaml fails its check, not only its build."""
    project.paper("2025-03-17", "a-paper")
    project.write("site.yaml", "title: Daily Papers\ntitel: Typo\n")
    result = papers(project, "check")
    assert result.returncode == 1
    assert (
        "site.yaml:2: error: unknown setting `titel`" in result.stderr
        and "did you mean `title`?" in result.stderr
    )
    project.write("site.yaml", "title: Daily Papers  # the name\n")  # a warning in a paper, it stops a build
    assert papers(project, "build", "--no-search").returncode == 1
    result = papers(project, "check")
    assert result.returncode == 1 and "site.yaml:1: error: " in result.stderr


def test_an_unknown_field_of_a_tag_is_an_error(project: Project) -> None:
    project.paper("2025-03-17", "a-paper", "tags: [index]")
    result = check_with_tag_line(project, "index:\n  name: Index\n  descripton: Typo\n  extra: unknown key\n")
    assert result.returncode == 1
    assert "the tag `index` has an unknown field `descripton`" in result.stderr
    assert "did you mean `description`?" in result.stderr
    assert "the tag `index` has an unknown field `extra`" in result.stderr
    assert "a tag has a `name` and a `description`" in result.stderr
    assert "content/tags.yaml:" in result.stderr and "a-paper.md" not in result.stderr  # the tag is kept


@pytest.mark.parametrize(
    ("description", "message"),
    [("[one, two]", "must be text, not a list"), ("Yes", "must be text, not true/false"), ("2025", None)],
)
def test_a_tag_description_that_yaml_reads_as_no_text_is_an_error(
    project: Project, description: str, message: str | None
) -> None:
    """It was dropped silently: the tag's pages showed no description."""
    project.paper("2025-03-17", "a-paper", "tags: [index]")
    result = check_with_tag_line(project, f"index:\n  name: Index\n  description: {description}\n")
    if message is None:  # a number is its written form, as in a paper's fields
        assert result.returncode == 0, result.stderr
        vocabulary, _ = load_vocabulary("tags.yaml", f"index:\n  name: Index\n  description: {description}\n")
        assert vocabulary["index"].description == description
        return
    assert result.returncode == 1
    assert f"the description of the tag `index` {message}" in result.stderr
    assert 'wrap the value in double quotes: `description: "..."`' in result.stderr


def test_a_tag_that_is_no_slug_is_told_its_slug(project: Project) -> None:
    result = check_with_tag_line(project, "Audio_Gen: Audio generation\n")
    assert result.returncode == 1
    assert "the tag `Audio_Gen` is not lowercase kebab-case" in result.stderr
    assert "hint: write it as `audio-gen`" in result.stderr


def test_a_tag_slug_without_latin_letters_is_told_what_a_slug_is(project: Project) -> None:
    result = check_with_tag_line(project, "音声: Audio\n")
    assert "the tag `音声` is not lowercase kebab-case" in result.stderr
    assert (
        "a tag's slug is Latin letters, digits and dashes" in result.stderr and "paper-" not in result.stderr
    )


def test_a_tag_slug_too_long_for_a_folder_name_is_an_error(project: Project) -> None:
    """Check said nothing and the build failed on writing `tags/<slug>/`: every deploy with it."""
    slug = "-".join(["abcdefghij"] * 30)
    result = check_with_tag_line(project, f"{slug}: A long tag\n")
    assert result.returncode == 1
    assert f"the tag `{slug[:40]}...` is {len(slug)} characters; at most 100" in result.stderr


def test_a_vocabulary_that_is_not_fields_or_is_missing_is_told_as_such(project: Project) -> None:
    project.paper("2025-03-17", "a-paper", "tags: [llm]")
    vocabulary = project.root / "content/tags.yaml"
    vocabulary.write_text("- llm\n- agents\n", encoding="utf-8")
    result = papers(project, "check")
    assert "content/tags.yaml:1: error: the file must be `key: value` fields, not a list" in result.stderr
    assert "like `llm: Large language models`" in result.stderr  # not a paper's `title: My paper`
    vocabulary.unlink()
    result = papers(project, "check")
    assert "the tag `llm` is not in the vocabulary" in result.stderr
    assert "content/tags.yaml lists no tags: is it there?" in result.stderr


def test_github_annotations_come_with_the_whole_list_by_file(project: Project) -> None:
    """GitHub shows ten error annotations a step, and a log shows each by its message alone:
    the eleventh and later were lines without a file."""
    for number in range(12):
        project.paper("2025-03-17", f"paper-number-{number}", "tags: [nope]")
    result = papers(project, "check", "--format", "github")
    assert result.returncode == 1
    assert sum(line.startswith("::error file=") for line in result.stdout.splitlines()) == 12
    assert "content/2025/2025-03-17/paper-number-11.md:3: error: the tag `nope`" in result.stderr
    assert (
        "12 errors: the pull request shows the first 10 on their lines; the log lists them all"
        in result.stderr
    )


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_port_that_cannot_be_is_a_usage_error_before_anything_starts(project: Project, port: str) -> None:
    """`--port 70000` was a traceback from bind(), and left the server's temporary folder."""
    result = papers(project, "serve", "--port", port)
    assert result.returncode == 2
    assert f"`{port}` is not a port: give a number from 0 to 65535" in result.stderr


def test_an_empty_base_url_is_an_error_not_the_one_in_site_yaml(project: Project) -> None:
    """`--base-url "$PAGES_URL"` with the variable unset published localhost addresses."""
    result = papers(project, "build", "--no-search", "--base-url", "")
    assert result.returncode == 1
    assert "--base-url: error: base_url is empty" in result.stderr
    assert not (project.root / "public").exists()


@pytest.mark.parametrize("delay", ["inf", "nan", "-1", "soon"])
def test_a_delay_that_cannot_be_waited_is_a_usage_error_before_anything_is_fetched(
    project: Project, delay: str
) -> None:
    """`--delay inf` was an OverflowError from sleep() after the first day; -1 and nan were taken."""
    result = papers(project, "import", "hf", "--fetch", "--date", "2025-03-17", "--delay", delay)
    assert result.returncode == 2
    assert f"argument --delay: `{delay}` is not a delay: give a number of seconds, 0 or more" in result.stderr


def test_a_delay_of_seconds_is_taken() -> None:
    from generator.cli import make_parser

    assert make_parser().parse_args(["import", "hf", "--delay", "0.5"]).delay == 0.5
    assert make_parser().parse_args(["import", "hf", "--delay", "0"]).delay == 0


def test_building_into_a_file_is_a_usage_error_that_makes_nothing(project: Project) -> None:
    """`--out site.yaml` left a `.site.yaml.lock` beside it, exited 1 and said site.yaml was not made."""
    before = sorted(path.name for path in project.root.iterdir())
    result = papers(project, "build", "--no-search", "--out", str(project.root / "site.yaml"))
    assert result.returncode == 2
    assert "site.yaml: error: the output path is a file, not a folder" in result.stderr
    assert "pick a new or empty folder for --out" in result.stderr
    assert "the build stopped" not in result.stderr
    assert sorted(path.name for path in project.root.iterdir()) == before


@pytest.mark.parametrize(
    ("front", "said"),
    [
        ("title: Null", 'to write `Null`, put it in quotes: `title: "Null"`'),
        ("title: x\nauthors: [~, Ada]", 'to write `~`, put it in quotes: `"~"`'),
    ],
)
def test_a_value_yaml_reads_as_nothing_is_told_to_be_quoted(project: Project, front: str, said: str) -> None:
    project.write("content/2025/2025-03-17/null-word.md", f"---\n{front}\n---\n\n" + "An abstract. " * 20)
    result = papers(project, "check")
    assert result.returncode == 1
    assert "YAML reads" in result.stderr and said in result.stderr
    assert "write the paper's title after `title: `" not in result.stderr
