"""Writing paper files: the one place that turns fields and an abstract into a `.md` file.

Used by the importers and `papers new`, so every generated file looks the same and
passes `papers check`. Writes are atomic and never replace a file unless asked.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import tempfile
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from generator.errors import PapersError, Problem, errors_only
from generator.frontmatter import parse_document
from generator.load import CONTENT_DIR, label_for


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


def with_fields(text: str, changed: dict[str, Any], body: str | None = None) -> str | None:
    """`text`, a paper file, with the fields of `changed` written anew where they stand (or
    added at the end of the front matter) and, given `body`, its abstract replaced: every
    other line as it was, comments and layout included. None when that cannot be done
    exactly (its front matter is not a plain block of fields): the caller writes the file anew."""
    cut = fenced(text)
    if cut is None or cut.closing is None:
        return None
    lines, closing, newline = cut.lines, cut.closing, cut.newline
    root = yaml_node("".join(lines[1:closing]))
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        return None
    front = lines[1:closing]
    spans = {key.value: (key.start_mark.line, last_row(value)) for key, value in root.value}
    for key, value in sorted(changed.items(), key=lambda item: -spans.get(item[0], (len(front), 0))[0]):
        written = [line + newline for line in format_paper({key: value}, "").split("\n")[1:-4]]
        first, last = spans.get(key, (len(front), len(front) - 1))
        front[first : last + 1] = written
    head = [lines[0], *front, lines[closing]]
    rest = lines[closing + 1 :] if body is None else [newline, body.strip() + newline]
    edited = cut.bom + "".join(head + rest)
    return edited if _reads_as(edited, text, changed, body) else None


@dataclass(frozen=True)
class Fenced:
    """A paper file cut into lines, each with its own ending, around its front matter."""

    bom: str  # a byte-order mark before the first line, kept as it was
    lines: list[str]
    closing: int | None  # the line of the closing `---` (or `...`), if there is one

    @property
    def newline(self) -> str:
        return "\r\n" if self.lines[0].endswith("\r\n") else "\n"


def fenced(text: str) -> Fenced | None:
    """`text` cut into lines as YAML counts them (`\\n`, `\\r\\n` or `\\r`); None when its first
    line is not the opening `---`, as `parse_document` reads it."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text[len(bom) :])
    if not lines or lines[0].rstrip() != "---":
        return None
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    return Fenced(bom, lines, closing)


def yaml_node(text: str) -> yaml.Node | None:
    """The node tree of YAML `text`, whose marks say where each value is written; None when
    it is empty or not valid YAML."""
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def last_row(node: yaml.Node) -> int:
    """The last line of a value (a block ends at the start of the line after it)."""
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _reads_as(edited: str, text: str, changed: dict[str, Any], body: str | None) -> bool:
    """Whether `edited` reads as `text` with `changed` and `body`, and nothing else changed."""
    before, _ = parse_document("file", text)
    after, problems = parse_document("file", edited)
    if before is None or after is None or errors_only(problems):
        return False
    kept_body = before.body if body is None else body
    return (
        after.front.values == {**before.front.values, **changed} and after.body.strip() == kept_body.strip()
    )


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


def save_paper(root: Path, path: Path, text: str, force: bool = False) -> Outcome:
    """Create `path`; an existing file is replaced only with `force`, and only if it differs.
    Whatever stops it is a PapersError (see `write_paper`)."""
    refuse_obstacles(root, path)
    try:
        if path.exists():
            if path.read_text(encoding="utf-8", errors="replace") == text:
                return Outcome.UNCHANGED
            if not force:
                return Outcome.KEPT
            write_text_atomic(path, text)
            return Outcome.REPLACED
        write_text_atomic(path, text)
    except OSError as error:
        raise write_failed(root, path, error) from None
    return Outcome.WRITTEN


def write_paper(root: Path, path: Path, text: str) -> None:
    """`write_text_atomic` for a paper of the project at `root`: never through a symbolic
    link (it would write outside the project), and a failure is a PapersError that names
    the file and says why, the file as it was."""
    refuse_obstacles(root, path)
    try:
        write_text_atomic(path, text)
    except OSError as error:
        raise write_failed(root, path, error) from None


def refuse_obstacles(root: Path, path: Path) -> None:
    """Raise before writing `path` when a symbolic link is on its way from `content/` (the
    file would land wherever it points, and `papers check` refuses links there), a file
    stands where one of its folders goes, or a folder where the file goes."""
    place = root / CONTENT_DIR
    parts = path.relative_to(place).parts
    problem = _obstacle(root, place, is_file=False)  # `content/` itself, then each folder in it
    if problem is not None:
        raise PapersError([problem])
    for number, part in enumerate(parts, start=1):
        place = place / part
        problem = _obstacle(root, place, is_file=number == len(parts))
        if problem is not None:
            raise PapersError([problem])
        if not place.exists():
            return


def _obstacle(root: Path, place: Path, is_file: bool) -> Problem | None:
    label = label_for(root, place)
    if place.is_symlink():
        what = "file" if is_file else "folder"
        return Problem(
            label,
            None,
            "symbolic links are not allowed in content/: nothing was written through this one",
            f"replace the link by the {what} itself (move what it points to here), then run the command again",
        )
    if is_file and place.is_dir():
        return Problem(
            label,
            None,
            "a folder stands where the paper file goes: nothing was written",
            "rename or remove the folder, then run the command again",
        )
    if not is_file and place.exists() and not place.is_dir():
        return Problem(
            label,
            None,
            "a file stands where the paper's folder goes: nothing was written",
            "rename or remove the file, then run the command again",
        )
    return None


_WRITE_HINTS = {
    errno.EACCES: "check that you may write to the folder (its permissions)",
    errno.EPERM: "check that you may write to the folder (its permissions)",
    errno.EROFS: "the disk is read-only: work on a copy of the project that you can write to",
    errno.ENOSPC: "free some disk space",
    errno.EDQUOT: "free some disk space (you are over your quota)",
}


def write_failed(root: Path, path: Path, error: OSError) -> PapersError:
    """What a contributor is told when writing a paper file fails: the file (or the folder
    that could not be made), the system's reason, and what to do; the file is as it was."""
    reason = error.strerror or type(error).__name__
    failed = Path(error.filename) if isinstance(error.filename, str) else None
    if failed is not None and failed in path.parents:
        message = f"cannot make the folder {label_for(root, failed)}: {reason}; the paper was not written"
    else:
        message = f"cannot write the file: {reason}; nothing was written to it"
    hint = _WRITE_HINTS.get(error.errno or 0, "check the folder is writable and the disk has space")
    return PapersError.single(label_for(root, path), message, f"{hint}, then run the command again")
