"""Which content files a branch touches, for `papers check --changed-since REF`.

A pull request is judged on the files it adds or edits, plus the rules that span the
site (a changed file that duplicates another, a vocabulary change that breaks other papers);
problems that were already on the base branch are not the contributor's to fix.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from generator.errors import Problem, UsageError
from generator.load import CONTENT_DIR, VOCABULARY_NAME
from generator.validate import NOT_IN_VOCABULARY

VOCABULARY_LABEL = f"{CONTENT_DIR}/{VOCABULARY_NAME}"


_FETCH_HINT = "fetch the base branch first, e.g. `git fetch origin main`, and pass it as origin/main"


_SHALLOW_HINT = (
    "this clone is shallow, so git cannot find where the branches meet: fetch their history "
    "(`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
)


def _git(root: Path, *args: str, hint: str = _FETCH_HINT) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            encoding="utf-8",  # git writes paths as they are, whatever the locale says
            errors="surrogateescape",
            check=False,
        )
    except FileNotFoundError:
        raise UsageError.single(
            "git", "git is not installed", "install git or check paths explicitly"
        ) from None
    if result.returncode != 0:
        raise UsageError.single(
            "git",
            f"`git {' '.join(args)}` failed: {result.stderr.strip()}",
            hint,
        )
    return result.stdout


def changed_files(root: Path, ref: str) -> set[str]:
    """Paths (relative to `root`, with `/`) changed since `ref`'s merge base, untracked ones too."""
    hint = "run it in a git clone of the project, or check without --changed-since"
    top = Path(_git(root, "rev-parse", "--show-toplevel", hint=hint).strip())
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    shallow = _git(root, "rev-parse", "--is-shallow-repository").strip() == "true"
    hint = _SHALLOW_HINT if shallow else _FETCH_HINT
    base = _git(root, "merge-base", ref, "HEAD", hint=hint).strip()
    # -z: names as they are; git quotes others (`"caf\303\251.md"`), which then matched no file
    names = _git(root, "diff", "-z", "--name-only", "--no-renames", base, "--", ".").split("\0")
    names += _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--full-name", ".").split("\0")
    strip = f"{prefix}/" if prefix != "." else ""
    return {name.removeprefix(strip) for name in names if name}


def problems_for_changes(problems: Iterable[Problem], changed: set[str]) -> list[Problem]:
    """The problems a change is responsible for."""
    vocabulary_changed = VOCABULARY_LABEL in changed
    kept = []
    for problem in problems:
        # A duplicate is reported on both files; the changed one's report is the one to fix.
        if problem.path in changed or (vocabulary_changed and NOT_IN_VOCABULARY in problem.message):
            kept.append(problem)
    return kept
