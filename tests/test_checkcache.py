"""`papers check` again after an edit: only what changed is read, and the report is the one
a check from nothing gives."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

import pytest

import generator.checkcache
import generator.content
from generator.checkcache import CHECK_CACHE, read_site_checked
from generator.content import Checked, read_site
from generator.summary import CACHE_DIR
from tests.conftest import Project, record_calls

TODAY = dt.date(2025, 3, 18)


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are as old as any: none is kept out as changed too recently."""
    monkeypatch.setattr(generator.checkcache, "RACY_NS", 0)


def read_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files read from now on."""
    return record_calls(monkeypatch, generator.content, "read_file", lambda root, path, *_: path.name)


def report(checked: Checked) -> list[tuple[str, int | None, str, str | None, str]]:
    """What a check prints, and the papers it found."""
    return [(p.path, p.line, p.message, p.hint, p.severity) for p in checked.problems] + [
        (paper.source, None, paper.title, None, "paper") for paper in checked.papers
    ]


@pytest.mark.usefixtures("settled")
def test_checking_again_reads_only_the_edited_file(
    sample_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_site_checked(sample_project.root, TODAY)
    read = read_files(monkeypatch)
    checked = read_site_checked(sample_project.root, TODAY)
    assert read == []
    assert report(checked) == report(read_site(sample_project.root, today=TODAY))
    read.clear()
    edited = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("tags:", "upvotes: many\ntags:"))
    again = read_site_checked(sample_project.root, TODAY)
    assert read == ["an-older-paper.md"]
    assert any("upvotes" in problem.message for problem in again.errors)
    assert report(again) == report(read_site(sample_project.root, today=TODAY))


@pytest.mark.usefixtures("settled")
def test_after_random_edits_the_report_is_a_fresh_checks(sample_project: Project) -> None:
    root = sample_project.root
    files = sorted((root / "content").rglob("*.md"))
    edits = [
        lambda text: text.replace("title:", "title: [unclosed"),
        lambda text: text.replace("tags: [", "tags: [no-such-tag, "),
        lambda text: text + "\nOne more sentence with $x^2$.\n",
        lambda text: text.replace("---\n", "", 1),
        lambda text: text.replace("title: ", "title: Second paper of the day\nslug: "),
    ]
    chooser = random.Random(7)
    read_site_checked(root, TODAY)
    for step in range(12):
        path = chooser.choice(files)
        if step % 4 == 3:  # a file added
            path = root / f"content/2025/2025-03-1{step % 7}/added-{step}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("---\ntitle: Added\n---\n\nAn abstract of the added paper.\n", encoding="utf-8")
        elif step % 4 == 1 and path.exists():  # or one removed
            path.unlink()
        elif path.exists():
            text = path.read_text(encoding="utf-8")
            path.write_text(chooser.choice(edits)(text), encoding="utf-8")
        assert report(read_site_checked(root, TODAY)) == report(read_site(root, today=TODAY)), step


@pytest.mark.usefixtures("settled")
def test_a_check_on_another_day_reads_every_file(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A paper dated in the future is an error until its day comes."""
    project.paper("2025-03-25", "next-week")
    assert [problem.message for problem in read_site_checked(project.root, TODAY).errors] == [
        "the paper is dated 2025-03-25, 7 days from today"
    ]
    read = read_files(monkeypatch)
    assert read_site_checked(project.root, dt.date(2025, 3, 25)).errors == []
    assert read == ["next-week.md", "tags.yaml"]


def test_a_file_with_errors_is_read_again_as_its_hint_may_name_another(project: Project) -> None:
    project.paper("2025-03-17", "a-paper")
    odd = project.paper("2025-03-17", "a-paper").rename(project.root / "content/2025/2025-03-17/a-paper.MD")
    project.paper("2025-03-17", "a-paper")
    [error] = read_site_checked(project.root, TODAY).errors
    assert error.hint == "`a-paper.md` is there already: keep one of the two files"
    (project.root / "content/2025/2025-03-17/a-paper.md").unlink()
    [error] = read_site_checked(project.root, TODAY).errors
    assert error.path == "content/2025/2025-03-17/a-paper.MD" and odd.exists()
    assert error.hint == "rename it to `a-paper.md`"


@pytest.mark.usefixtures("settled")
def test_a_file_whose_permissions_changed_is_read_again(
    sample_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made unreadable, its modification time and size stay: its ctime does not."""
    read_site_checked(sample_project.root, TODAY)
    paper = sample_project.root / "content/2025/2025-03-16/an-older-paper.md"
    paper.chmod(0o600)
    read = read_files(monkeypatch)
    read_site_checked(sample_project.root, TODAY)
    assert read == ["an-older-paper.md"]


def test_a_file_changed_just_before_a_check_is_read_again(
    sample_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Changed again within one tick of a coarse clock, it could keep its stamp."""
    read_site_checked(sample_project.root, TODAY)
    read = read_files(monkeypatch)
    read_site_checked(sample_project.root, TODAY)
    assert len(read) == 5  # every file was written a moment ago


@pytest.mark.parametrize("kept", [b"", b"daily-papers \n", b"garbage" * 100])
def test_a_damaged_or_foreign_cache_means_reading_everything(
    sample_project: Project, monkeypatch: pytest.MonkeyPatch, kept: bytes
) -> None:
    path = sample_project.root / CACHE_DIR / CHECK_CACHE
    path.parent.mkdir(parents=True)
    path.write_bytes(kept)
    read = read_files(monkeypatch)
    checked = read_site_checked(sample_project.root, TODAY)
    assert len(read) == 5  # the four papers and tags.yaml
    assert report(checked) == report(read_site(sample_project.root, today=TODAY))


def test_papers_check_twice_through_the_command(sample_project: Project) -> None:
    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "generator", "--root", str(sample_project.root), "check"],
            capture_output=True,
            text=True,
            check=False,
        )

    first = check()
    assert (sample_project.root / CACHE_DIR / CHECK_CACHE).is_file()
    assert (first.returncode, first.stdout) == (check().returncode, check().stdout)
    assert first.stdout.endswith("checked 4 files (4 papers on 3 days): 0 errors, 1 warning in 1 file\n")
    paper = sample_project.root / "content/2025/2025-03-17/second-paper-of-the-day.md"
    paper.write_text(paper.read_text(encoding="utf-8").replace("title:", "title: ["), encoding="utf-8")
    broken = check()
    assert broken.returncode == 1
    assert "content/2025/2025-03-17/second-paper-of-the-day.md:2: error:" in broken.stdout + broken.stderr
