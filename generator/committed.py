"""Caches that came from the repository are refused: `.cache/` holds pickles and compiled
templates, which run code when read, and the social cards pages publish.

The folder is git-ignored, so a file git tracks there was force-added by a commit: a pull
request that adds one would run its code on the machine of whoever builds it, or replace
a paper's share image. Nothing in `.cache/` is read while git tracks anything there; the
workflows also delete `.cache/papers` before they build.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.errors import PapersError

CACHE_ROOT = ".cache"


def committed_caches(root: Path) -> list[str]:
    """The files under `root/.cache/` that git tracks; none when `root` is no repository (or
    git is missing: then nothing came from a pull request's checkout either)."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--full-name", "--", CACHE_ROOT],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if listed.returncode != 0:
        return []
    return sorted(name for name in listed.stdout.decode("utf-8", "replace").split("\0") if name)


def refuse_committed_caches(root: Path) -> None:
    found = committed_caches(root)
    if found:
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        raise PapersError.single(
            found[0],
            f"the repository holds files in {CACHE_ROOT}/ ({found[0]}{more}), the generator's own "
            "cache: a cache file can run code when it is read, so none is read while any is committed",
            f"remove them from the repository (`git rm -r --cached {CACHE_ROOT}`) and delete the folder",
        )
