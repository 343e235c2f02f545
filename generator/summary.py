"""What a build can tell by stat alone: whether anything changed since the last one.

A build with nothing to do is the command people run most. It needs the settings, the
stamps (size, modification time) of the layouts and content files, and the summary the
last build left beside its cache; none of the renderer, templates, Markdown or TeX. This
module holds that first step, so the command that finds nothing changed imports nothing
else (a third of a second of imports on a slow machine, for a few milliseconds of work).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import platform
import sys
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

from generator import __version__, installed
from generator.config import SiteConfig, load_config
from generator.content import Stamps, content_stamps
from generator.errors import PapersError
from generator.kept import load_kept, save_kept

CACHE_DIR = ".cache/papers"
LAYOUTS_DIR = "layouts"
OUTPUT_DIR = "public"
_DEPENDENCIES = (
    "jinja2",
    "markdown-it-py",
    "mdit-py-plugins",
    "latex2mathml",
    "pyyaml",
    "linkify-it-py",
    "pagefind-bin",  # parts of a search index are reused: they must come from one Pagefind
    "resvg-py",
)


@functools.cache  # read once per process: a build asks three times
def fingerprint() -> str:
    """Generator, Python and library versions, and the generator's own source."""
    digest = hashlib.sha256(f"{__version__} {sys.version} {platform.machine()}".encode())
    for name in _DEPENDENCIES:
        digest.update(f"{name}={installed.version(name)}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def output_identity(out: Path) -> tuple[int, int] | None:
    """The output folder as the last build left it: a swap gives it a new inode."""
    try:
        stat = out.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_dev


@dataclass(frozen=True)
class Summary:
    """Enough of the last build to tell, without loading the cache, that nothing changed."""

    fingerprint: str
    out: str
    identity: tuple[int, int] | None
    settings: Any
    search: bool
    layouts: tuple[tuple[str, int, int], ...]
    stamps: Any
    papers: int
    days: int
    pages: int


def summary_path(root: Path, out: Path) -> Path:
    return cache_path(root, out).with_suffix(".summary")


def save_summary(root: Path, out: Path, summary: Summary) -> None:
    save_kept(summary_path(root, out), summary.fingerprint, summary)


def unchanged_since_last_build(
    root: Path, out: Path, settings: Any, search: bool, layouts: tuple[tuple[str, int, int], ...], stamps: Any
) -> Summary | None:
    """The last build's summary when its output is still in place and no input changed."""
    summary = load_kept(summary_path(root, out), fingerprint())
    if not isinstance(summary, Summary):
        return None
    same = (
        summary.out == str(out)
        and summary.identity is not None
        and summary.identity == output_identity(out)
        and summary.settings == settings
        and summary.search == search
        and summary.layouts == layouts
        and summary.stamps == stamps
        and summary.fingerprint == fingerprint()
    )
    return summary if same else None


def cache_path(root: Path, out: Path) -> Path:
    name = sha256(os.fsencode(out)).hexdigest()[:16]  # any path the system takes, UTF-8 or not
    return root / CACHE_DIR / f"build-{name}.pickle"


def forget_last_build(root: Path, out: Path) -> None:
    """Drop what the cache knows of the build at `out` (its pages, its spare): the next
    build makes every page again. The related-papers index stays: it depends on papers alone."""
    for path in (cache_path(root, out), summary_path(root, out)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def layouts_stamp(layouts: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every layout file: cheap to take on each rebuild.
    A symbolic link is refused, as in content/: what it points to (`/proc/self/environ`,
    `/etc`) would be copied into the published site or read as a template."""
    entries = []
    for path in [layouts, *sorted(layouts.rglob("*"))]:
        if path.is_symlink():
            raise PapersError.single(
                f"{layouts.name}/{path.relative_to(layouts).as_posix()}".removesuffix("/."),
                "symbolic links are not allowed in layouts/: what they point to would be published",
                "replace the link by the file itself",
            )
        if path.is_file():
            stat = path.stat()
            entries.append((path.relative_to(layouts).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


@dataclass(frozen=True)
class Inputs:
    """A build's inputs as far as stat tells them: settings, layouts, content (None
    without the cache: then nothing is compared)."""

    config: SiteConfig
    layouts: tuple[tuple[str, int, int], ...]
    stamps: Stamps | None


def probe(root: Path, layouts: Path, base_url: str | None, repository: str | None, use_cache: bool) -> Inputs:
    config = load_config(root)
    if base_url is not None:  # an empty one is an error, not "as site.yaml has it"
        config = config.with_base_url(base_url)
    if repository is not None:
        config = config.with_repository(repository)
    return Inputs(config, layouts_stamp(layouts), content_stamps(root) if use_cache else None)
