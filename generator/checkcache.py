"""What `papers check` read last, so that checking again after an edit reads the edited files only.

A contributor runs the check after each change; on a site of 10,000 papers reading and
checking every file took 3.3 s, most of it for files that had not changed. The results
are kept in `.cache/` (as the build's are), for the code that wrote them and the day
they were made on: a date in the future is an error until that day comes, so a check
on another day reads every file again. A missing, unreadable or foreign file means the
same, never a stale report. The build keeps its own results (it checks no dates).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from generator.content import Checked, ContentCache, FileResult, read_site
from generator.errors import errors_only
from generator.kept import load_kept, save_kept
from generator.summary import CACHE_DIR, fingerprint

CHECK_CACHE = "check.pickle"
# A file changed within this long before a check read it may change again within the same
# tick of a coarse clock (FAT's is 2 s) and keep its size: its result is not kept.
RACY_NS = 2_000_000_000


def read_site_checked(root: Path, today: dt.date) -> Checked:
    """`read_site` for a check made `today`, reading only the files changed since the last
    one (and those with errors), and keeping its results when any file was read again."""
    started = time.time_ns()
    before, cache = load_checked(root, today)
    cache.files = {path: result for path, result in cache.files.items() if _kept(result, before)}
    vocabulary, known = cache.vocabulary, dict(cache.files)
    checked = read_site(root, today=today, cache=cache)
    if (
        cache.vocabulary is not vocabulary
        or cache.files.keys() != known.keys()
        or any(result is not known[path] for path, result in cache.files.items())
    ):
        save_checked(root, today, started, cache)
    return checked


def _kept(result: FileResult, started: int) -> bool:
    """Whether a result of the check that `started` (ns) can stand for its file. A file with
    errors is read again: a hint may name another file (`x.md` is there already), which may
    have gone since."""
    return (
        result.stamp is not None
        and max(result.stamp[0], result.stamp[2]) < started - RACY_NS
        and not errors_only(result.problems)
    )


def _version(today: dt.date) -> str:
    return f"{fingerprint()} {today.isoformat()}"


def load_checked(root: Path, today: dt.date) -> tuple[int, ContentCache]:
    """When the last check made today by this code started (ns), and its results; else an
    empty cache."""
    kept = load_kept(root / CACHE_DIR / CHECK_CACHE, _version(today))
    if isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], ContentCache):
        return kept
    return 0, ContentCache()


def save_checked(root: Path, today: dt.date, started: int, cache: ContentCache) -> None:
    """Keep `cache` for the next check today; a failure to write only costs it its head start."""
    save_kept(root / CACHE_DIR / CHECK_CACHE, _version(today), (started, cache))
