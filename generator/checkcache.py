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
from pathlib import Path

from generator.content import Checked, ContentCache, read_site
from generator.errors import errors_only
from generator.kept import load_kept, save_kept
from generator.summary import CACHE_DIR, fingerprint

CHECK_CACHE = "check.pickle"


def read_site_checked(root: Path, today: dt.date) -> Checked:
    """`read_site` for a check made `today`, reading only the files changed since the last
    one (and those with errors), and keeping its results when any file was read again."""
    cache = load_checked(root, today)
    # A file with errors is read again: a hint may name another file (`x.md` is there
    # already), which may have gone since.
    cache.files = {path: result for path, result in cache.files.items() if not errors_only(result.problems)}
    vocabulary, known = cache.vocabulary, dict(cache.files)
    checked = read_site(root, today=today, cache=cache)
    if (
        cache.vocabulary is not vocabulary
        or cache.files.keys() != known.keys()
        or any(result is not known[path] for path, result in cache.files.items())
    ):
        save_checked(root, today, cache)
    return checked


def _version(today: dt.date) -> str:
    return f"{fingerprint()} {today.isoformat()}"


def load_checked(root: Path, today: dt.date) -> ContentCache:
    """The results of the last check made today by this code; else an empty cache."""
    kept = load_kept(root / CACHE_DIR / CHECK_CACHE, _version(today))
    return kept if isinstance(kept, ContentCache) else ContentCache()


def save_checked(root: Path, today: dt.date, cache: ContentCache) -> None:
    """Keep `cache` for the next check today; a failure to write only costs it its head start."""
    save_kept(root / CACHE_DIR / CHECK_CACHE, _version(today), cache)
