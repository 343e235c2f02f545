"""Versions of the installed libraries, which what builds keep (caches, card images) depends on."""

from __future__ import annotations

import functools
import os
import re
import sys


def version(name: str) -> str | None:
    """The installed version of the distribution `name` (`markdown-it-py`), or None."""
    return _versions().get(_normalized(name))


@functools.cache
def _versions() -> dict[str, str]:
    """Distribution -> version, from the names of the metadata folders on the import path
    (`markdown_it_py-4.3.0.dist-info`), the first of each name as imports find them.
    `importlib.metadata` parses every metadata file: a tenth of a build with nothing to do."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            stem, dot, kind = entry.rpartition(".")
            if dot and kind in ("dist-info", "egg-info"):
                name, _, number = stem.partition("-")
                found.setdefault(_normalized(name), number)
    return found


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
