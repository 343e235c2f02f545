"""Values kept in files between builds: a pickle behind a line that names the code that wrote it.

The line is read first and the pickle only when it names this code: after an upgrade, the
caches of a large site (hundreds of megabytes at 100,000 papers) are dropped unread rather
than loaded and then found to be stale. A file is written beside its place and renamed
into it, so a reader finds the old one or the new one. Records may follow the pickle
(`append_kept`): what changed since, so a small change need not write the whole value
again. Kept values are a head start, never a source of truth: one that cannot be written
or read only costs the next build its head start.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path
from typing import Any

from generator.forking import collector_paused

_MAGIC = b"daily-papers "
_LENGTH = 8  # bytes of a record's length, little-endian, before the record


def save_kept(path: Path, version: str, value: object) -> None:
    """Write `value` for code of `version` to read back."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as file, collector_paused():  # pickling makes no cycles
            file.write(_MAGIC + version.encode() + b"\n")
            pickle.dump(value, file, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException as error:  # Ctrl-C too: no temporary file is left behind
        with contextlib.suppress(OSError):  # it may not exist, nor its folder
            temporary.unlink()
        if not isinstance(error, OSError):
            raise


def load_kept(path: Path, version: str) -> Any:
    """What `save_kept` wrote for code of `version`; None when there is none, when it is
    unreadable, when other code wrote it, or when records were appended (see `read_kept`)."""
    kept = read_kept(path, version)
    return kept[0] if kept is not None and not kept[1] else None


def append_kept(path: Path, version: str, record: bytes) -> bool:
    """Add `record` after what `path` keeps for code of `version`; False, and nothing
    written, when it keeps nothing of that version. A record cut short (the build was
    killed) makes the whole file unreadable (`read_kept`), never wrong."""
    header = _MAGIC + version.encode() + b"\n"
    try:
        with path.open("r+b") as file:
            if file.readline(len(header)) != header:
                return False
            file.seek(0, os.SEEK_END)
            file.write(len(record).to_bytes(_LENGTH, "little") + record)
    except OSError:
        return False
    return True


def read_kept(path: Path, version: str) -> tuple[Any, list[bytes], int] | None:
    """What `save_kept` wrote for code of `version`, the records appended since, and the
    bytes of the first; None when there is none, or any part of it is unreadable."""
    try:
        with path.open("rb") as file, collector_paused():
            header = _MAGIC + version.encode() + b"\n"
            if file.readline(len(header)) != header:
                return None
            value = pickle.load(file)
            first = file.tell()
            records = []
            while length := file.read(_LENGTH):
                size = int.from_bytes(length, "little")
                record = file.read(size)
                if len(length) < _LENGTH or len(record) < size:
                    return None  # cut short
                records.append(record)
            return value, records, first
    except Exception:  # missing, truncated, or not a pickle: start afresh
        return None
