"""Walk a folder tree by descriptor: each folder is opened once and its entries are named
relative to it, so stating a file costs no path lookup, and the tree may be renamed while
it is walked. Links are entries of their own, never followed."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterator

# (the open folder an entry is in, its name there, its path from the top, is it a folder,
# is it a regular file)
Entry = tuple[int, str, str, bool, bool]


def walk_open(folder: int, skip: Collection[str] = (), prefix: str = "") -> Iterator[Entry]:
    """Every entry under the folder open as the descriptor `folder`, a folder before what
    it holds, but for the top-level names in `skip`. Paths start with `prefix`. A folder
    that cannot be opened is given, not entered."""
    with os.scandir(folder) as entries:
        found = [(e.name, e.is_dir(follow_symlinks=False), e.is_file(follow_symlinks=False)) for e in entries]
    for name, is_dir, is_file in found:
        if name in skip:
            continue
        relative = prefix + name
        yield folder, name, relative, is_dir, is_file
        if not is_dir:
            continue
        try:
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
        except OSError:
            continue
        try:
            yield from walk_open(inner, (), relative + "/")
        finally:
            os.close(inner)
