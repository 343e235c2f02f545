"""`papers check --changed-since`: a pull request is told about its own files, and only those."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Project


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def pull_request(project: Project) -> Project:
    """Base: two good papers and one already-broken one. Branch: one good, one bad, one bad edit."""
    project.paper("2025-03-16", "good-on-main", "tags: [llm]")
    project.paper("2025-03-16", "edited-on-branch", "tags: [llm]")
    project.write("content/2025/2025-03-16/broken-on-main.md", "---\ntitle: Old\nupvotes: -1\n---\nOld " * 3)
    git(project.root, "init", "-q", "-b", "main")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "base")
    git(project.root, "checkout", "-q", "-b", "contribution")
    project.paper("2025-03-17", "a-good-new-paper", "tags: [diffusion]")
    project.write(
        "content/2025/2025-03-17/a-bad-new-paper.md",
        "---\ntitle: A bad new paper\ntag: [llm]\n---\n" + "Text. " * 50,
    )
    edited = project.root / "content/2025/2025-03-16/edited-on-branch.md"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("tags: [llm]", "tags: [lmm]"), encoding="utf-8"
    )
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "contribution")
    return project


def run_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(root), "check", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_annotations_name_exactly_the_bad_changed_files(pull_request: Project) -> None:
    result = run_check(pull_request.root, "--changed-since", "main", "--format", "github")
    assert result.returncode == 1
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::error file=content/2025/2025-03-16/edited-on-branch.md,line=3,title=papers check::"
        "the tag `lmm` is not in the vocabulary. Hint: did you mean `llm`? tags must be listed in "
        "content/tags.yaml; add it there if it is really new",
        "::error file=content/2025/2025-03-17/a-bad-new-paper.md,line=3,title=papers check::"
        "unknown field `tag`. Hint: did you mean `tags`?",
    ]
    assert "broken-on-main" not in result.stdout + result.stderr
    assert "a-good-new-paper" not in result.stdout + result.stderr


def test_a_duplicate_of_an_untouched_paper_is_reported_on_the_new_file(pull_request: Project) -> None:
    pull_request.paper("2025-03-17", "good-on-main-again", title="Good on main")
    result = run_check(pull_request.root, "--changed-since", "main")
    assert "content/2025/2025-03-17/good-on-main-again.md: error: duplicate title" in result.stderr
    assert "content/2025/2025-03-16/good-on-main.md: error" not in result.stderr  # untouched: not its to fix


def test_whole_site_check_still_sees_old_problems(pull_request: Project) -> None:
    result = run_check(pull_request.root)
    assert "broken-on-main.md:3: error: `upvotes` must be a whole number" in result.stderr


def test_unknown_ref_is_a_clear_error(pull_request: Project) -> None:
    result = run_check(pull_request.root, "--changed-since", "no-such-branch")
    assert result.returncode == 2  # not the content's problem: CI can tell it from errors in papers
    assert "git merge-base no-such-branch HEAD" in result.stderr
    assert "git fetch" in result.stderr


def test_outside_a_git_clone_the_hint_says_so(tmp_path: Path) -> None:
    project = Project(tmp_path / "site")
    result = run_check(project.root, "--changed-since", "main")
    assert result.returncode == 2
    assert "run it in a git clone of the project" in result.stderr


@pytest.mark.parametrize("committed", [True, False])
def test_a_changed_file_with_a_name_git_quotes_is_checked(pull_request: Project, committed: bool) -> None:
    """git quotes names with bytes past ASCII (`"caf\\303\\251.md"`) unless asked for them as they are."""
    pull_request.write(
        "content/2025/2025-03-17/café-paper.md", "---\ntitle: Café\nfoo: 1\n---\n" + "Text. " * 50
    )
    if committed:
        git(pull_request.root, "add", "-A")
        git(pull_request.root, "commit", "-q", "-m", "more")
    result = run_check(pull_request.root, "--changed-since", "main")
    assert "content/2025/2025-03-17/café-paper.md: error: the file name" in result.stderr
    assert result.returncode == 1


def test_a_shallow_clone_is_told_to_fetch_history(pull_request: Project, tmp_path: Path) -> None:
    """actions/checkout fetches one commit unless told otherwise: git then finds no merge base."""
    clone = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "-b",
            "contribution",
            f"file://{pull_request.root}",
            str(clone),
        ],
        check=True,
    )
    subprocess.run(
        ["git", "-C", str(clone), "fetch", "-q", "--depth", "1", "origin", "main:main"], check=True
    )
    result = run_check(clone, "--changed-since", "main")
    assert result.returncode == 2
    assert "this clone is shallow" in result.stderr and "fetch-depth: 0" in result.stderr
