"""Pagefind over the staged site, before the swap, so the site and its index always match.

Only paper pages carry `data-pagefind-body`, so only they are indexed; navigation, the
BibTeX block and MathML are marked `data-pagefind-ignore`.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

from generator.errors import PapersError
from generator.pagefind_order import make_reproducible

INDEX_DIR = "pagefind"


def pagefind_executable() -> Path:
    try:
        import pagefind_bin
    except ImportError:
        raise PapersError.single(
            "pagefind",
            "the search indexer is not installed",
            "run `pip install -e .` again, or build with --no-search",
        ) from None
    return Path(pagefind_bin.get_executable())


def index_site(site_dir: Path, output: Path | None = None) -> None:
    """Write the Pagefind bundle into `site_dir/pagefind/`, or into `output`."""
    command = [str(pagefind_executable()), "--site", str(site_dir), "--silent"]
    command += ["--output-path", str(output)] if output else ["--output-subdir", INDEX_DIR]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise PapersError.single(
            "pagefind",
            "the search index could not be built: " + " / ".join(detail),
            "try --no-search to build without it",
        )
    # With a future Pagefind format the index still works; only its bytes may vary.
    with contextlib.suppress(OSError, ValueError, KeyError, IndexError, TypeError):
        make_reproducible(output or site_dir / INDEX_DIR)
