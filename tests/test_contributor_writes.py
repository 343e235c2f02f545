"""What `papers new`, `import-daily` and `import hf` write into content/, and what they refuse:
never a second file for a paper already there (with errors or not), never through a
symbolic link, and a write that fails is an error naming the file, not a traceback."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import paperfile
from generator.cli import main
from generator.errors import PapersError
from tests.conftest import Project

ABSTRACT = "An abstract long enough for the check, about a method and what it finds. " * 4
DAY = "2025-03-17"


def papers(project: Project, *args: str | Path) -> int:
    return main(["--root", str(project.root), *map(str, args)])


def hf_day(project: Project, *items: tuple[str, str], day: str = DAY) -> Path:
    """A Hugging Face response for `day` with these (arXiv id, title) items, outside content/."""
    data = [
        {"paper": {"id": arxiv, "title": title, "summary": f"{title}: {ABSTRACT}"}} for arxiv, title in items
    ]
    path = project.root.parent / "responses" / f"{day}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def daily_dump(project: Project, *titles: str) -> Path:
    """A daily-page dump of DAY with these titles, each with an abstract of its own."""
    pairs = "".join(f"{title}\n\n{title}: {ABSTRACT}\n\n" for title in titles)
    return project.write("../dump.txt", f"Mar 17, 2025\n\n{pairs}")


# Each command, writing the paper "X Dir" (2503.00001 for `import hf`) on DAY: its arguments,
# and the file it writes.
Command = Callable[[Project], tuple[list[str | Path], str]]


def new_blank(project: Project) -> tuple[list[str | Path], str]:
    return ["new", "--title", "X Dir", "--date", DAY], f"content/2025/{DAY}/x-dir.md"


def import_daily(project: Project) -> tuple[list[str | Path], str]:
    return ["import-daily", daily_dump(project, "X Dir")], f"content/2025/{DAY}/x-dir.md"


def import_hf(project: Project) -> tuple[list[str | Path], str]:
    return ["import", "hf", hf_day(project, ("2503.00001", "X Dir"))], f"content/2025/{DAY}/2503.00001.md"


COMMANDS = [pytest.param(command, id=command.__name__) for command in (new_blank, import_daily, import_hf)]


def markdown_files(project: Project) -> set[str]:
    return {path.relative_to(project.root).as_posix() for path in (project.root / "content").rglob("*.md")}


# ---------------------------------------------------------------- papers already there, with errors


def test_import_hf_skips_a_paper_whose_file_has_errors(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft with an unknown tag is not published, but it is the paper: no second file."""
    project.paper("2025-03-16", "2503.07677", 'arxiv: "2503.07677"\ntags: [not-a-tag]', ABSTRACT)
    assert papers(project, "import", "hf", hf_day(project, ("2503.07677", "Another Title"))) == 0
    out = capsys.readouterr().out
    assert "(already in content/2025/2025-03-16/2503.07677.md)" in out
    assert markdown_files(project) == {"content/2025/2025-03-16/2503.07677.md"}


def test_import_daily_skips_a_title_already_in_a_blank_draft(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    """`papers new --title` leaves a placeholder abstract, which the check refuses."""
    assert papers(project, "new", "--title", "Sparse Attention Laws", "--date", "2025-03-10") == 0
    capsys.readouterr()
    assert papers(project, "import-daily", daily_dump(project, "Sparse attention laws")) == 0
    assert "(already in content/2025/2025-03-10/sparse-attention-laws.md)" in capsys.readouterr().out
    assert markdown_files(project) == {"content/2025/2025-03-10/sparse-attention-laws.md"}


# ---------------------------------------------------------------- symbolic links


@pytest.mark.parametrize("linked", ["content/2025", f"content/2025/{DAY}"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_linked_year_or_day_folder_is_refused_and_nothing_is_written(
    project: Project, tmp_path: Path, command: Command, linked: str, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = project.root / linked
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(elsewhere, target_is_directory=True)
    args, _ = command(project)
    assert papers(project, *args) == 1
    err = capsys.readouterr().err
    assert f"{linked}: error: symbolic links are not allowed in content/" in err
    assert "hint: replace the link by the folder itself" in err
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_linked_content_folder_is_refused_by_writers_and_the_check(
    project: Project, tmp_path: Path, command: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writes went through it, outside the repository, and the check read its papers."""
    elsewhere = tmp_path / "elsewhere"
    (project.root / "content").rename(elsewhere)
    (project.root / "content").symlink_to(elsewhere, target_is_directory=True)
    args, _ = command(project)
    assert papers(project, *args) == 1
    assert "content: error: symbolic links are not allowed in content/" in capsys.readouterr().err
    assert [path.name for path in elsewhere.iterdir()] == ["tags.yaml"]
    assert papers(project, "check") == 1
    assert "content/: error: content/ is a symbolic link" in capsys.readouterr().err


def test_an_import_with_one_linked_day_writes_none_of_its_days(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project.root / "content/2025").mkdir()
    (project.root / "content/2025/2025-03-18").symlink_to(elsewhere, target_is_directory=True)
    hf_day(project, ("2503.00001", "Plain Day"))
    hf_day(project, ("2503.00002", "Linked Day"), day="2025-03-18")
    assert papers(project, "import", "hf", project.root.parent / "responses") == 1
    assert "content/2025/2025-03-18: error: symbolic links" in capsys.readouterr().err
    assert markdown_files(project) == set() and list(elsewhere.iterdir()) == []


def test_a_linked_paper_file_is_refused_and_what_it_points_to_kept(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere.md"
    target.write_text(f"---\ntitle: Kept\n---\n\n{ABSTRACT}\n", encoding="utf-8")
    link = project.root / f"content/2025/{DAY}/2503.00001.md"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    assert papers(project, "import", "hf", hf_day(project, ("2503.00001", "X Dir")), "--force") == 1
    err = capsys.readouterr().err
    assert f"content/2025/{DAY}/2503.00001.md: error: symbolic links are not allowed in content/" in err
    assert "replace the link by the file itself" in err
    assert link.is_symlink() and "title: Kept" in target.read_text(encoding="utf-8")


# ---------------------------------------------------------------- writes that fail


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_where_the_paper_file_goes_is_an_error_not_a_traceback(
    project: Project, command: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    args, written = command(project)
    (project.root / written).mkdir(parents=True)
    assert papers(project, *args) == 1
    err = capsys.readouterr().err
    assert f"{written}: error: a folder stands where the paper file goes: nothing was written" in err
    assert "hint: rename or remove the folder" in err
    assert (project.root / written).is_dir()


@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_where_the_day_folder_goes_is_an_error_not_a_traceback(
    project: Project, command: Command, capsys: pytest.CaptureFixture[str]
) -> None:
    in_the_way = project.write(f"content/2025/{DAY}", "hi\n")
    args, _ = command(project)
    assert papers(project, *args) == 1
    err = capsys.readouterr().err
    assert f"content/2025/{DAY}: error: a file stands where the paper's folder goes" in err
    assert in_the_way.read_text(encoding="utf-8") == "hi\n"


def failing_writes(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Every temporary file a write makes fails, as on a full or read-only disk."""

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(code, os.strerror(code), "/somewhere/.paper.md.tmp")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_is_an_error_naming_the_file_with_a_hint(
    project: Project, command: Command, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args, written = command(project)
    failing_writes(monkeypatch, errno.ENOSPC)
    assert papers(project, *args) == 1
    err = capsys.readouterr().err
    assert f"{written}: error: cannot write the file: No space left on device" in err
    assert "hint: free some disk space, then run the command again" in err
    assert markdown_files(project) == set()


def test_a_failed_write_leaves_an_existing_file_as_it_was_and_stops_the_import(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = project.paper(DAY, "2503.00001", 'arxiv: "2503.00001"', ABSTRACT, title="Old Title")
    before = existing.read_bytes()
    failing_writes(monkeypatch, errno.EROFS)
    response = hf_day(project, ("2503.00001", "New Title"), ("2503.00002", "Second"))
    assert papers(project, "import", "hf", response, "--force") == 1
    captured = capsys.readouterr()
    assert f"content/2025/{DAY}/2503.00001.md: error: cannot write the file: Read-only file system" in (
        captured.err
    )
    assert "the disk is read-only" in captured.err
    assert "imported: nothing; then a file could not be written, and the import stopped" in captured.out
    assert existing.read_bytes() == before
    assert markdown_files(project) == {f"content/2025/{DAY}/2503.00001.md"}


def test_a_folder_that_cannot_be_made_is_named(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert papers(project, "new", "--title", "X Dir", "--date", DAY) == 1
    err = capsys.readouterr().err
    assert f"error: cannot make the folder content/2025/{DAY}: Permission denied" in err
    assert "hint: check that you may write to the folder (its permissions)" in err


def test_write_paper_refuses_a_link_met_after_the_import_began(project: Project, tmp_path: Path) -> None:
    """A name chosen while importing (`slug-2.md`) is checked where it is written too."""
    (project.root / f"content/2025/{DAY}").mkdir(parents=True)
    link = project.root / f"content/2025/{DAY}/x-dir-2.md"
    link.symlink_to(tmp_path / "nowhere.md")
    with pytest.raises(PapersError, match="symbolic links are not allowed"):
        paperfile.write_paper(project.root, link, "text\n")
    assert link.is_symlink() and not (tmp_path / "nowhere.md").exists()


# ---------------------------------------------------------------- what `papers new --title` is told


def test_a_title_without_letters_or_digits_names_the_option(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert papers(project, "new", "--title", "!!!", "--date", DAY) == 1
    err = capsys.readouterr().err
    assert err.startswith("--title: error: the title shows no text: it needs a letter or a digit, and `!!!`")
    assert "paper-" not in err and markdown_files(project) == set()
