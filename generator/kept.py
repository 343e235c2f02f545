"""Values kept in files between builds: a pickle behind a line that names the code that wrote it.

The line is read first and the pickle only when it names this code: after an upgrade, the
caches of a large site (hundreds of megabytes at 100,000 papers) are dropped unread rather
than loaded and then found to be stale. A file is written beside its place and renamed
into it, so a reader finds the old one or the new one. Kept values are a head start, never
a source of truth: one that cannot be written or read only costs the next build its head
start.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path
from typing import Any

from generator.forking import collector_paused

_MAGIC = b"daily-papers "


def save_kept(path: Path, version: str, value: object) -> None:
    """Write `value` for code of `version` to read back."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as file, collector_paused():  # pickling makes no cycles
            file.write(_MAGIC + version.encode() + b"\n")
            pickle.dump(value, file, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):  # it may not exist, nor its folder
            temporary.unlink()


def load_kept(path: Path, version: str) -> Any:
    """What `save_kept` wrote for code of `version`; None when there is none, when it is
    unreadable, or when other code wrote it."""
    try:
        with path.open("rb") as file, collector_paused():
            header = _MAGIC + version.encode() + b"\n"
            if file.readline(len(header)) != header:
                return None
            return pickle.load(file)
    except Exception:  # missing, truncated, or not a pickle: start afresh
        return None
