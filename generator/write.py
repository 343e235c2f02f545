"""Stage the whole site in a folder beside the output, then swap it in at once.

A build that fails or is killed never touches the published folder: the previous site
stays until the new one is complete. On Linux the swap is one atomic `renameat2`
exchange; elsewhere it is two renames, and a leftover is recovered on the next run.

The site a swap replaces is kept beside the output as the spare: the next build stages
by bringing the spare up to date (writing only the pages that differ from it) instead of
making every folder and link again, which on some disks costs more than the rest of a
small rebuild.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

from generator.errors import PapersError
from generator.folders import walk_open
from generator.render import ASSETS_DIR, Page

SPARE_SUFFIX = ".spare"
STAGING_PREFIX = ".staging-"
RETIRED_PREFIX = ".retired-"
TRASH_PREFIX = ".trash-"
LEFTOVER_PREFIXES = (STAGING_PREFIX, RETIRED_PREFIX, TRASH_PREFIX)
LOCK_SUFFIX = ".lock"
LOCK_PATIENCE = 60.0  # seconds a build waits for another one writing the same folder


# Digits allowed for the count in the longest name beside `out` (`.NAME.trash-PID-COUNT`).
_COUNT_DIGITS = 6


def beside_names_fit(out: Path) -> tuple[bool, int]:
    """Whether the folders a build keeps beside `out` (staging, spare, trash) have names the
    file system allows, and its limit: a name that fits alone may not with `.staging-`."""
    folder = out.parent
    while not _is_folder(folder) and folder != folder.parent:
        folder = folder.parent
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    extra = len(f".{TRASH_PREFIX}{os.getpid()}-") + _COUNT_DIGITS  # the longest: `.NAME.trash-PID-N`
    return len(os.fsencode(out.name)) + extra <= limit, limit


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name too long to look up
        return False


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}{STAGING_PREFIX}{os.getpid()}"


def spare_dir(out: Path) -> Path:
    """Where the site before the current one is kept (see the module docstring)."""
    return out.parent / f".{out.name}{SPARE_SUFFIX}"


def clean_leftovers(out: Path) -> None:
    """Remove folders that killed builds left beside `out`; bring back a site lost mid-swap.
    Called with `output_lock` held: no other build is using them."""
    parent = out.parent
    if not parent.is_dir():
        return
    for entry in sorted(parent.iterdir()):
        name = entry.name
        if name.startswith(f".{out.name}{RETIRED_PREFIX}") and not out.exists():
            entry.rename(out)
        elif name.startswith(tuple(f".{out.name}{prefix}" for prefix in LEFTOVER_PREFIXES)):
            shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def output_lock(out: Path, patience: float | None = None) -> Iterator[None]:
    """Held while a build stages and swaps `out` (its workers share it): a second build at
    once would take the first one's spare and staging folder from under it. It waits up
    to `patience` seconds for the other to end, then says so. The lock goes with the
    process, however it ends."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}{LOCK_SUFFIX}", "a") as file:
        deadline = time.monotonic() + (LOCK_PATIENCE if patience is None else patience)
        told = False
        while True:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:  # else a minute of silence looks like a hang
                    print(f"waiting for another build writing {out} to end...", file=sys.stderr, flush=True)
                    told = True
                if time.monotonic() >= deadline:
                    raise PapersError.single(
                        str(out),
                        "another build is writing this folder",
                        "wait for it to end, or build into another folder with --out",
                    ) from None
                time.sleep(0.1)
        yield


def _safe_target(root: Path, relative: str) -> Path:
    """The file for a page path, which can never point outside `root`."""
    return root.joinpath(*_checked(relative).split("/"))


def _checked(relative: str) -> str:
    """A page path, refused when it could point outside the folder it is written under."""
    parts = relative.split("/")
    if (
        not relative
        or relative.startswith("/")
        or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts)
    ):
        raise PapersError.single(relative, "refusing to write a page outside the output folder")
    return relative


def write_pages(
    root: Path,
    pages: Iterable[Page],
    previous: Path | None = None,
    replace: bool = False,
    folders: set[str] | None = None,
) -> tuple[int, int]:
    """Write every page under `root`; reused pages are hard links into the `previous` site.

    With `replace`, `root` may already hold a file at a page's path (a spare being brought up
    to date): it is unlinked first, never written in place, as it may be a hard link to the
    published site. `folders`, the folders made so far, spares a caller that writes page by
    page from making them again. (Paths are strings here: a cold build writes 20,000 files.)"""
    written: set[str] = set()
    total = 0
    made: set[str] = folders if folders is not None else set()
    base = os.fspath(root)
    old = os.fspath(previous) if previous is not None else None
    for page in pages:
        if page.path in written:
            raise PapersError.single(page.path, "two pages would be written to the same path")
        written.add(page.path)
        relative = _checked(page.path)
        target = f"{base}/{relative}"
        folder = target.rpartition("/")[0]
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        if replace:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
        if page.reused and old is not None:
            _link_or_copy(f"{old}/{relative}", target, relative)
            continue
        write_file(target, page.content)
        total += len(page.content)
    return len(written), total


class PreviousSiteChanged(Exception):
    """A page to reuse is gone from the site it was to be taken from: someone deleted it by
    hand. The build cannot trust that site, and starts again without it."""


def _link_or_copy(source: str, target: str, relative: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        try:
            shutil.copyfile(source, target)
        except FileNotFoundError:
            raise PreviousSiteChanged(relative) from None


def write_file(path: str, content: bytes) -> None:
    with open(path, "wb") as file:
        file.write(content)


def remove_pages(root: Path, paths: Iterable[str]) -> None:
    """Delete these pages under `root`, and the folders they leave empty."""
    for relative in sorted(paths, reverse=True):
        target = _safe_target(root, relative)
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        folder = target.parent
        while folder != root:
            try:
                folder.rmdir()
            except OSError:  # not empty (or gone)
                break
            folder = folder.parent


Listing = tuple[set[str], set[str], set[str]]  # regular files, folders, anything else (links)


def list_site(folder: int, skip: Collection[str] = ()) -> Listing:
    """What the folder open as the descriptor `folder` holds, as paths relative to it, but
    for the top-level names in `skip` (see `folders.walk_open`: a link is listed as itself,
    and the folder may be renamed meanwhile)."""
    files: set[str] = set()
    folders: set[str] = set()
    others: set[str] = set()
    for _, _, path, is_folder, is_file in walk_open(folder, skip):
        (folders if is_folder else files if is_file else others).add(path)
    return files, folders, others


def prune_site(folder: int, listing: Listing, pages: Collection[str]) -> set[str]:
    """Delete from the folder open as `folder` what its `listing` holds beyond `pages` and
    the folders they are in (files someone put into the published folder; a link is
    removed, never followed). Returns the `pages` it lacks (someone deleted them): those
    must be written again."""
    files, folders, others = listing
    for path in sorted(files.difference(pages) | others):
        os.unlink(path, dir_fd=folder)
    needed: set[str] = set()
    for page in pages:
        parent = page.rpartition("/")[0]
        while parent and parent not in needed:
            needed.add(parent)
            parent = parent.rpartition("/")[0]
    for path in sorted(folders - needed, reverse=True):  # a folder's own folders first
        os.rmdir(path, dir_fd=folder)
    return {page for page in pages if page not in files}


def remove_strays(root: Path, pages: Collection[str], skip: Collection[str] = ()) -> set[str]:
    """`prune_site` of the folder at `root`, listed first (but for the top-level names in `skip`)."""
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return prune_site(folder, list_site(folder, skip), pages)
    finally:
        os.close(folder)


def copy_assets(layouts: Path, root: Path, replace: bool = False) -> int:
    """Static files from layouts/assets/ go to assets/ unchanged; `replace` drops what was there."""
    source = layouts / ASSETS_DIR
    if replace:
        shutil.rmtree(root / ASSETS_DIR, ignore_errors=True)
    if not source.is_dir():
        return 0
    shutil.copytree(source, root / ASSETS_DIR, dirs_exist_ok=True)
    return sum(1 for p in source.rglob("*") if p.is_file())


def swap_into_place(staged: Path, out: Path, keep: Path | None = None) -> bool:
    """Make `staged` the site at `out`. The old site becomes `keep` when given (True is
    returned when it did), else it is removed after the swap."""
    if out.exists() and not out.is_dir():
        raise PapersError.single(
            str(out), "the output path exists and is not a folder", "remove it or pick --out"
        )
    if keep is not None and keep.exists():
        discard(keep, out)
    if out.exists() and _exchange(staged, out):
        old_site = staged
    else:
        old_site = out.parent / f".{out.name}{RETIRED_PREFIX}{os.getpid()}"
        had_site = out.exists()
        if had_site:
            out.rename(old_site)
        staged.rename(out)
        if not had_site:
            return False
    if keep is None:
        discard(old_site, out)
        return False
    old_site.rename(keep)
    return True


_discarded = itertools.count()


def discard(old_site: Path, out: Path) -> None:
    """Delete the previous site in a background process: on some disks deleting thousands of
    files takes longer than the build. Whatever is left is removed by the next build."""
    trash = out.parent / f".{out.name}{TRASH_PREFIX}{os.getpid()}-{next(_discarded)}"
    old_site.rename(trash)
    code = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
    try:
        subprocess.Popen(
            [sys.executable, "-c", code, str(trash)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(trash, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    libc = ctypes.CDLL(None, use_errno=True)  # this process's own symbols: libc's among them
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EXDEV, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))
