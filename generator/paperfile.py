"""Writing paper files: the one place that turns fields and an abstract into a `.md` file.

Used by the importers and `papers new`, so every generated file looks the same and
passes `papers check`. Writes are atomic and never replace a file unless asked.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from generator.load import CONTENT_DIR


class Outcome(Enum):
    WRITTEN = "written"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # a different file exists and --force was not given
    REPLACED = "replaced"


def paper_path(root: Path, day: dt.date, slug: str) -> Path:
    """Where a paper of `day` with `slug` lives: content/<YYYY>/<YYYY-MM-DD>/<slug>.md."""
    return root / CONTENT_DIR / f"{day.year:04d}" / day.isoformat() / f"{slug}.md"


def format_paper(fields: dict[str, Any], body: str) -> str:
    """Front matter (fields in the given order, empty ones left out) and the abstract."""
    kept = {key: value for key, value in fields.items() if value not in (None, "", [], {})}
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: same output, ~8x faster
    front = yaml.dump(kept, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return f"---\n{front}---\n\n{body.strip()}\n"


def write_text_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_paper(path: Path, text: str, force: bool = False) -> Outcome:
    """Create `path`; an existing file is replaced only with `force`, and only if it differs."""
    if path.exists():
        if path.read_text(encoding="utf-8", errors="replace") == text:
            return Outcome.UNCHANGED
        if not force:
            return Outcome.KEPT
        write_text_atomic(path, text)
        return Outcome.REPLACED
    write_text_atomic(path, text)
    return Outcome.WRITTEN
