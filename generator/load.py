"""Walk `content/` and read every paper file: the only stage that reads content from disk.

Files are read as bytes and decoded strictly, so a bad byte is a problem with a line
number instead of a crash. Symbolic links are never followed: content comes from a
pull request, and a link could point anywhere on the build machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from generator.errors import Problem
from generator.folders import walk_open
from generator.model import MAX_SLUG, SLUG_RE, slugify

CONTENT_DIR = "content"
VOCABULARY_NAME = "tags.yaml"
MAX_FILE_BYTES = 1_000_000
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
_LOOSE_DAY_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\Z")
_YEAR_RE = re.compile(r"^\d{4}\Z")
_IGNORED = {".gitkeep", ".DS_Store", "README.md", VOCABULARY_NAME}
# Days a site can hold: every week and month around them must be a date too.
FIRST_YEAR, LAST_YEAR = 1000, 9998


@dataclass(frozen=True)
class SourceFile:
    """A paper file that sits where it should: `content/<YYYY>/<YYYY-MM-DD>/<slug>.md`."""

    path: Path
    label: str  # the path as shown to people: relative to the project, with `/`
    day: dt.date
    slug: str
    text: str
    mtime_ns: int = 0
    size: int = 0


def label_for(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def walk_content(content: Path) -> list[Path]:
    """Every file below `content/`, sorted, without following symbolic links."""
    return [Path(path) for path in walk_content_names(content)]


def walk_content_names(content: Path) -> list[str]:
    """The same as strings: what a rebuild compares, without making a `Path` per file."""
    found: list[str] = []
    stack = [str(content)]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
            else:
                found.append(entry.path)
    return sorted(found)


# A file's (mtime, size, ctime); None when it cannot be read. The ctime changes with its
# permissions too (a file made unreadable), and no tool sets it back as `touch -d` can mtime.
Stamp = tuple[int, int, int] | None


def stamp_of(stat: os.stat_result) -> Stamp:
    return stat.st_mtime_ns, stat.st_size, stat.st_ctime_ns


def stamp_content(content: Path) -> list[tuple[str, Stamp]]:
    """`walk_content_names` with each file's stamp. Folders are opened once and their files
    stated from there: a stat by full path walks every folder of it again, a third of the
    cost of a no-change build's check at 10,000 papers."""
    found: list[tuple[str, Stamp]] = []
    try:
        top = os.open(content, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return found
    try:
        for folder, name, path, is_folder, _ in walk_open(top, prefix=f"{content}/"):
            if is_folder:
                continue
            try:
                stat = os.stat(name, dir_fd=folder, follow_symlinks=False)
            except OSError:
                found.append((path, None))
            else:
                found.append((path, stamp_of(stat)))
    finally:
        os.close(top)
    found.sort()
    return found


def read_paper_file(root: Path, path: Path) -> tuple[SourceFile | None, Problem | None]:
    """Check where a file sits and read it as UTF-8; ignored files give (None, None). A file
    read despite its place or name comes with that problem."""
    label = label_for(root, path)
    parts = path.relative_to(root / CONTENT_DIR).parts
    if path.is_symlink() and not path.name.startswith("."):  # tags.yaml too: it is read elsewhere
        return None, Problem(
            label, None, "symbolic links are not allowed in content/", "replace the link by the file itself"
        )
    if path.name in _IGNORED and len(parts) == 1:
        return None, None
    if path.name.startswith("."):
        bare = path.name.lstrip(".").lower() in ("md", "")  # `.md`, `..md`: the name left out
        if (path.suffix.lower() != ".md" and not bare) or path.name.startswith("._"):
            return None, None  # editors' and systems' own files (`._x.md`: macOS metadata)
        name = "<slug>.md" if bare else path.name.lstrip(".")
        return None, Problem(
            label,
            None,
            "files whose name starts with a dot are not published",
            f"rename it to `{name}` to publish it, or move it out of content/",
            "warning",
        )
    if path.suffix.lower() in _MARKDOWN_SUFFIXES and path.suffix != ".md":  # `.MD`, `.markdown`
        name = _md_name(path.stem)
        return None, Problem(
            label,
            None,
            f"the file ends in `{path.suffix}`, not `.md`",
            f"`{name}` is there already: keep one of the two files"
            if another_file_named(path, name)
            else f"rename it to `{name}`",
        )
    if path.suffix != ".md":
        return None, Problem(
            label,
            None,
            "content/ holds only paper files ending in `.md`",
            "move this file out of content/, or rename it to `<slug>.md` if it is a paper",
            "warning",
        )
    # A file in the wrong place or with a wrong name is still read, when its day is known,
    # so that one run reports what is wrong inside it too.
    day, where = place_of(parts)
    misplaced = None
    if day is None:
        misplaced = Problem(
            label, None, f"the file is outside the content layout: {where}", _layout_hint(parts)
        )
        day = _named_day(parts)  # else its date field's, or today: read for its other problems
    slug = path.stem
    if misplaced is None and (not SLUG_RE.match(slug) or len(slug) > MAX_SLUG):
        name = _md_name(slug)
        rename = (
            f"`{name}` is there already: remove this file if it is the same paper, or name it after "
            "its own title"
            if another_file_named(path, name)
            else f"rename it to `{name}`"
        )
        misplaced = Problem(
            label,
            None,
            f"the file name `{path.name}` is not a valid slug",
            f"{rename}: lowercase letters, digits and single dashes (dots only in arXiv ids), at most "
            f"{MAX_SLUG} characters",
        )
    try:
        stat = path.stat()
        if not S_ISREG(stat.st_mode):  # a pipe would block the read forever, a device worse
            return None, Problem(
                label, None, "this is not a regular file (a pipe or a device, say)", "remove it from content/"
            )
        if stat.st_size > MAX_FILE_BYTES:
            return None, Problem(
                label,
                None,
                f"the file is {stat.st_size / 1e6:.1f} MB; a paper file must be under 1 MB",
                "keep only the abstract in the file; link to the paper for the rest",
            )
        data = path.read_bytes()
    except OSError as error:
        return None, Problem(label, None, f"cannot read the file: {error.strerror}")
    text, problem = decode_utf8(label, data)
    if text is None:
        return None, misplaced or problem
    if day is None:
        day = _date_field(text) or dt.date.today()
    return SourceFile(path, label, day, slug, text, stat.st_mtime_ns, stat.st_size), misplaced


def _date_field(text: str) -> dt.date | None:
    """The day a paper's `date:` line names (a misplaced file's day, when its folders name none)."""
    found = _DATE_FIELD_RE.search(text)
    if found is None:
        return None
    try:
        return dt.date.fromisoformat(found[1])
    except ValueError:
        return None


_DATE_FIELD_RE = re.compile(r"^date:[ \t]*['\"]?(\d{4}-\d{2}-\d{2})['\"]?[ \t]*$", re.MULTILINE)


_LAYOUT_HINT = "put each paper at content/<YYYY>/<YYYY-MM-DD>/<slug>.md, in the folder of the day it appeared"


def another_file_named(path: Path, name: str) -> bool:
    """Whether renaming `path` to `name` would meet another file (not itself, as on macOS)."""
    other = path.with_name(name)
    try:
        return other.exists() and not (path.exists() and other.samefile(path))
    except OSError:
        return False


_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})


def _layout_hint(parts: tuple[str, ...]) -> str:
    """Where the file goes, when one of its folders names a day (`content/2025-03-19/x.md`)."""
    day = _named_day(parts)
    if day is None:
        return _LAYOUT_HINT
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return f"papers are dated from {FIRST_YEAR} to {LAST_YEAR}: check the year of the day folder"
    return f"move it to content/{day.year:04d}/{day.isoformat()}/{_md_name(Path(parts[-1]).stem)}"


def _named_day(parts: tuple[str, ...]) -> dt.date | None:
    """The day the folders of a misplaced file name, if they name one: one folder named like
    a day (`2025-03-19`, `2025-3-19`), or a year, month and day in turn (`2025/03/19`)."""
    folders = parts[:-1]
    named = [match.groups() for part in folders if (match := _LOOSE_DAY_RE.match(part))]
    named += [
        folders[i : i + 3]
        for i in range(len(folders) - 2)
        if _YEAR_RE.match(folders[i]) and folders[i + 1].isdigit() and folders[i + 2].isdigit()
    ]
    days = set()
    for year, month, day in named:
        with contextlib.suppress(ValueError):
            days.add(dt.date(int(year), int(month), int(day)))
    return days.pop() if len(days) == 1 else None


def _md_name(stem: str) -> str:
    """A paper file's name for a name that was meant to be one: `My Paper` -> `my-paper.md`."""
    if SLUG_RE.match(stem) and len(stem) <= MAX_SLUG:
        return f"{stem}.md"
    return f"{slugify(stem)}.md"


def place_of(parts: tuple[str, ...]) -> tuple[dt.date | None, str]:
    """The day a file's folders name, or why its place is wrong."""
    if len(parts) != 3:
        deep = len(parts) - 1
        return None, f"it is {deep} folder{'' if deep == 1 else 's'} deep instead of 2 (year, then day)"
    year, day_name, _ = parts
    if not _DAY_RE.match(day_name):
        return None, f"the folder `{day_name}` is not a date like 2025-03-17"
    try:
        day = dt.date.fromisoformat(day_name)
    except ValueError:
        return None, f"the folder `{day_name}` is not a real date"
    if year != day_name[:4]:
        return None, f"the day `{day_name}` is inside the year folder `{year}`"
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return None, f"the day `{day_name}` is not between the years {FIRST_YEAR} and {LAST_YEAR}"
    return day, ""


def decode_utf8(label: str, data: bytes) -> tuple[str | None, Problem | None]:
    """Strict UTF-8 with the line of the first bad byte; NUL bytes are refused too."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):  # what Windows calls "Unicode"
        wide = "UTF-32" if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "UTF-16"
        return None, Problem(label, None, f"the file is saved as {wide}", "save it with UTF-8 encoding")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, Problem(
            label,
            line,
            f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
            "save the file with UTF-8 encoding",
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, Problem(label, line, "the file contains a NUL character", "remove it")
    return text, None
