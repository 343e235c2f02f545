"""The build, top to bottom: config, load and check, model, render, write, index, swap."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import load_config
from generator.content import read_site
from generator.errors import PapersError, Problem
from generator.render import render_site
from generator.search import index_site
from generator.write import clean_leftovers, copy_assets, staging_dir, swap_into_place, write_pages

LAYOUTS_DIR = "layouts"
OUTPUT_DIR = "public"


@dataclass
class BuildResult:
    papers: int = 0
    days: int = 0
    pages: int = 0
    bytes: int = 0
    out: Path = Path(OUTPUT_DIR)
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.timings[stage] = time.perf_counter() - start

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def build(
    root: Path,
    out: Path | None = None,
    base_url: str | None = None,
    search: bool = True,
    live_reload: bool = False,
    today: dt.date | None = None,
) -> BuildResult:
    """Build the site of the project at `root` into `out` (default `root/public`)."""
    out = (out or root / OUTPUT_DIR).absolute()
    layouts = root / LAYOUTS_DIR
    result = BuildResult(out=out)
    with result.timed("config"):
        config = load_config(root)
        if base_url:
            config = config.with_base_url(base_url)
    with result.timed("load"):
        checked = read_site(root, today)
        if checked.errors:
            raise PapersError(checked.errors)
        result.warnings = checked.problems
    with result.timed("model"):
        site = checked.site
        result.papers, result.days = len(site.papers), len(site.days)
    with result.timed("render"):
        pages = render_site(site, config, layouts, live_reload)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    staged = staging_dir(out)
    try:
        with result.timed("write"):
            result.pages, result.bytes = write_pages(staged, pages)
            copy_assets(layouts, staged)
        if search:
            with result.timed("index"):
                index_site(staged)
        with result.timed("swap"):
            swap_into_place(staged, out)
    except OSError as error:
        raise PapersError.single(
            str(out),
            f"cannot write the site: {error.strerror or error}",
            "check the disk has space and the folder is writable",
        ) from None
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    return result
