"""What every importer shares: placing new papers next to the existing ones, safely.

An import never duplicates a paper that is already in `content/` (same arXiv id or
same title, on any day) and never overwrites a file without `--force`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.content import read_site
from generator.load import label_for
from generator.model import arxiv_base, arxiv_slug, normalize_title, slugify
from generator.paperfile import Outcome, format_paper, paper_path, save_paper


@dataclass(frozen=True)
class Candidate:
    """A paper an importer wants to write."""

    day: dt.date
    fields: dict[str, Any]
    body: str

    @property
    def title(self) -> str:
        return str(self.fields["title"])

    @property
    def arxiv(self) -> str | None:
        value = self.fields.get("arxiv")
        return str(value) if value else None


@dataclass
class ImportReport:
    """What happened to each candidate, for the summary line."""

    lines: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, what: str, label: str, why: str = "") -> None:
        self.counts[what] += 1
        self.lines.append(f"{what:9} {label}" + (f"  ({why})" if why else ""))

    def summary(self) -> str:
        order = ("written", "replaced", "unchanged", "kept", "skipped")
        parts = [f"{self.counts[key]} {key}" for key in order if self.counts[key]]
        return "imported: " + (", ".join(parts) if parts else "nothing")


def import_candidates(root: Path, candidates: list[Candidate], force: bool = False) -> ImportReport:
    """Write each candidate to its place unless the paper is already there."""
    existing = read_site(root).papers
    by_arxiv = {p.arxiv_base: p.source for p in existing if p.arxiv_base}
    by_title = {normalize_title(p.title): p.source for p in existing}
    taken = {p.slug: p.source for p in existing}
    report = ImportReport()
    for candidate in candidates:
        base = arxiv_base(candidate.arxiv) if candidate.arxiv else None
        slug = arxiv_slug(candidate.arxiv) if candidate.arxiv else slugify(candidate.title)
        path = paper_path(root, candidate.day, slug)
        label = label_for(root, path)
        same = (by_arxiv.get(base) if base else None) or by_title.get(normalize_title(candidate.title))
        if same and same != label:
            report.add("skipped", label, f"already in {same}")
            continue
        if not same and slug in taken and not base:
            slug = _free_slug(slug, taken)
            path = paper_path(root, candidate.day, slug)
            label = label_for(root, path)
        outcome = save_paper(path, format_paper(candidate.fields, candidate.body), force)
        why = "differs from the import; --force replaces it" if outcome is Outcome.KEPT else ""
        report.add(outcome.value, label, why)
        taken[slug] = label
        by_title[normalize_title(candidate.title)] = label
        if base:
            by_arxiv[base] = label
    return report


def _free_slug(slug: str, taken: dict[str, str]) -> str:
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"
