"""A cache that came from the repository is never read: pickles and compiled templates run code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.kept import save_kept
from generator.summary import OUTPUT_DIR, fingerprint, summary_path
from tests.conftest import Project

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


class _Planted:
    """Unpickling this touches a file: the proof that a cache was read."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "-C", str(root), *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def planted(sample_project: Project, tmp_path: Path) -> tuple[Project, Path]:
    """A repository whose last commit force-added a build summary that runs code when read,
    where the next build of `public/` reads its summary first."""
    root, marker = sample_project.root, tmp_path / "ran"
    path = summary_path(root, (root / OUTPUT_DIR).absolute())
    save_kept(path, fingerprint(), _Planted(marker))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "add", "-f", str(path.relative_to(root)))
    git(root, "commit", "-q", "-m", "a pull request")
    return sample_project, marker


@pytest.mark.parametrize(
    "command", [["build", "--no-search"], ["build", "--no-cache", "--no-search"], ["check"]]
)
def test_a_committed_cache_is_refused_and_never_read(
    planted: tuple[Project, Path], command: list[str]
) -> None:
    project, marker = planted
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project.root), *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "error: the repository holds files in .cache/ (.cache/papers/build-" in result.stderr
    assert "hint: remove them from the repository (`git rm -r --cached .cache`)" in result.stderr
    assert not marker.exists() and not (project.root / OUTPUT_DIR).exists()


def test_an_untracked_cache_is_the_generator_s_own(planted: tuple[Project, Path]) -> None:
    """Once the file is out of the repository, building goes on as ever (the planted summary,
    now deleted with the folder, is not what a build finds)."""
    project, marker = planted
    git(project.root, "rm", "-q", "-r", "--cached", ".cache")
    shutil.rmtree(project.root / ".cache")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--root", str(project.root), "build", "--no-search"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists() and (project.root / OUTPUT_DIR / "index.html").is_file()
