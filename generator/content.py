"""Read and check the whole content folder into a `Site`, collecting every problem."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Problem, errors_only
from generator.frontmatter import normalize_newlines, parse_document
from generator.load import CONTENT_DIR, VOCABULARY_NAME, SourceFile, decode_utf8, load_content
from generator.model import Paper, Site, Tag
from generator.validate import check_duplicates, load_vocabulary, validate_paper


@dataclass
class Checked:
    """The outcome of reading `content/`: the site, if good enough to render, and all problems."""

    papers: list[Paper]
    vocabulary: dict[str, Tag]
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return errors_only(self.problems)

    @property
    def site(self) -> Site:
        return Site(self.papers, self.vocabulary)


def read_vocabulary(root: Path) -> tuple[dict[str, Tag], list[Problem]]:
    path = root / CONTENT_DIR / VOCABULARY_NAME
    label = f"{CONTENT_DIR}/{VOCABULARY_NAME}"
    if not path.is_file():
        return {}, []
    text, problem = decode_utf8(label, path.read_bytes())
    if text is None:
        return {}, [problem] if problem else []
    return load_vocabulary(label, normalize_newlines(text))


def check_source(
    source: SourceFile, vocabulary: dict[str, Tag], today: dt.date | None = None
) -> tuple[Paper | None, list[Problem]]:
    """Parse and validate one file."""
    document, problems = parse_document(source.label, source.text)
    if document is None:
        return None, problems
    paper, more = validate_paper(source, document, vocabulary, today)
    return paper, problems + more


def read_site(root: Path, today: dt.date | None = None) -> Checked:
    """Every paper under `root/content`, validated, plus the site-wide duplicate rules."""
    vocabulary, problems = read_vocabulary(root)
    sources, load_problems = load_content(root)
    problems += load_problems
    papers: list[Paper] = []
    for source in sources:
        paper, found = check_source(source, vocabulary, today)
        problems += found
        if paper:
            papers.append(paper)
    problems += check_duplicates(papers)
    return Checked(papers, vocabulary, sorted(problems), files=len(sources) + len(load_problems))
