"""Read and check the whole content folder into a `Site`, collecting every problem."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Problem, errors_only, in_reading_order
from generator.forking import fork_map
from generator.frontmatter import normalize_newlines, parse_document
from generator.load import (
    CONTENT_DIR,
    VOCABULARY_NAME,
    SourceFile,
    Stamp,
    decode_utf8,
    read_paper_file,
    stamp_content,
    stamp_of,
    walk_content_names,
)
from generator.model import Paper, Site, Tag
from generator.validate import NOT_IN_VOCABULARY, check_duplicates, load_vocabulary, validate_paper

MIN_FILES_PER_WORKER = 1000  # below this, forking costs more than reading them here


@dataclass
class Checked:
    """The outcome of reading `content/`: the site, if good enough to render, and all problems."""

    papers: list[Paper]
    vocabulary: dict[str, Tag]
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    claims: list[Paper] = field(default_factory=list)  # papers with errors, as far as they read

    @property
    def every_paper(self) -> list[Paper]:
        """The papers, and those with errors as far as they read (a scaffold still to fill in,
        say): what a new paper must not repeat."""
        return self.papers + self.claims

    @property
    def errors(self) -> list[Problem]:
        return errors_only(self.problems)

    @property
    def site(self) -> Site:
        return Site(self.papers, self.vocabulary)


def read_vocabulary(root: Path) -> tuple[dict[str, Tag], list[Problem]]:
    path = root / CONTENT_DIR / VOCABULARY_NAME
    label = f"{CONTENT_DIR}/{VOCABULARY_NAME}"
    if path.is_symlink():
        return {}, [
            Problem(label, None, "the vocabulary may not be a symbolic link", "replace it by the file")
        ]
    if path.is_dir():  # every tag would then be reported as not in the vocabulary
        return {}, [
            Problem(
                label,
                None,
                "this is a folder, not the tag vocabulary",
                "replace it by the file of tags, or remove it",
            )
        ]
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
    paper, problems = _read_paper(source, vocabulary, today)
    return (None if errors_only(problems) else paper), problems


def _read_paper(
    source: SourceFile, vocabulary: dict[str, Tag], today: dt.date | None
) -> tuple[Paper | None, list[Problem]]:
    """The paper as far as it can be read (see `validate_paper`), and its problems."""
    document, problems = parse_document(source.label, source.text)
    if document is None:
        return None, problems
    paper, more = validate_paper(source, document, vocabulary, today)
    return paper, problems + more


@dataclass
class FileResult:
    """What one file gave: kept while its stamp (modification time, size, ctime) stays the same."""

    stamp: Stamp
    paper: Paper | None
    problems: list[Problem]
    loaded: bool = True  # False for files that content/ may hold but that are not papers
    claim: Paper | None = None  # a paper with errors, as far as it reads: checked for duplicates


@dataclass
class ContentCache:
    """Per-file results of the previous read, so a rebuild re-reads only what changed."""

    vocabulary_stamp: Stamp = None
    vocabulary: tuple[dict[str, Tag], list[Problem]] | None = None
    files: dict[str, FileResult] = field(default_factory=dict)  # by path, as the walk gives it


def _stamp(path: str | Path) -> Stamp:
    try:
        stat = os.lstat(path)  # not Path.lstat: half the cost, on every file of every build
    except OSError:
        return None
    return stamp_of(stat)


def read_file(root: Path, path: Path, vocabulary: dict[str, Tag], today: dt.date | None) -> FileResult:
    stamp = _stamp(path)
    source, problem = read_paper_file(root, path)
    if source is None:
        return FileResult(stamp, None, [problem] if problem else [], loaded=problem is not None)
    paper, problems = _read_paper(source, vocabulary, today)
    if problem is not None:  # misplaced or misnamed: no page until it moves, but checked all the same
        return FileResult(stamp, None, [problem, *problems], claim=paper)
    if paper is not None and errors_only(problems):
        return FileResult(stamp, None, problems, claim=paper)
    if paper is not None:  # computed where the file is read (a worker, on large sites)
        paper.title_key  # noqa: B018
        paper.text_key  # noqa: B018
    return FileResult(stamp, paper, problems)


Stamps = tuple[Stamp, tuple[tuple[str, Stamp], ...]]


def content_stamps(root: Path) -> Stamps:
    """The vocabulary's and every content file's (mtime, size): what a rebuild depends on."""
    files = tuple(stamp_content(root / CONTENT_DIR))
    return _stamp(root / CONTENT_DIR / VOCABULARY_NAME), files


def cached_stamps(cache: ContentCache) -> Stamps:
    """The same, as the last read saw them."""
    return cache.vocabulary_stamp, tuple((path, r.stamp) for path, r in cache.files.items())


_LINKED_CONTENT = Problem(
    f"{CONTENT_DIR}/",
    None,
    "content/ is a symbolic link: the papers must be files of this repository",
    "replace the link by the folder itself",
)


def read_site(
    root: Path,
    today: dt.date | None = None,
    cache: ContentCache | None = None,
    changed: Collection[Path] | None = None,
    stamps: Stamps | None = None,
) -> Checked:
    """Every paper under `root/content`, validated, plus the site-wide duplicate rules.

    With `changed` (the files a watcher saw change since the last read of `cache`), only
    those are read again and the walk over `content/` is skipped; a folder among them, or
    a first read, still walks everything. `stamps`, from `content_stamps` just before,
    saves walking and stating every file a second time.
    """
    if (root / CONTENT_DIR).is_symlink():  # its papers would be files from anywhere
        return Checked([], {}, [_LINKED_CONTENT])
    cache = cache if cache is not None else ContentCache()
    vocabulary_stamp = _stamp(root / CONTENT_DIR / VOCABULARY_NAME)
    if cache.vocabulary_stamp != vocabulary_stamp or cache.vocabulary is None:
        cache.files.clear()  # tags are checked per file: read them all again
        cache.vocabulary_stamp = vocabulary_stamp
        cache.vocabulary = read_vocabulary(root)
    vocabulary, vocabulary_problems = cache.vocabulary
    results = (
        _reread(root, cache, changed, vocabulary, today) if changed is not None and cache.files else None
    )
    if results is None:
        if stamps is None:
            paths = walk_content_names(root / CONTENT_DIR)
            now = [_stamp(path) for path in paths]
        else:
            paths, now = [name for name, _ in stamps[1]], [stamp for _, stamp in stamps[1]]
        kept = {
            path: result
            for path, stamp in zip(paths, now, strict=True)
            if (result := cache.files.get(path)) is not None
            and result.stamp is not None
            and result.stamp == stamp
        }
        stale = [path for path in paths if path not in kept]
        fresh = fork_map(
            lambda path: read_file(root, Path(path), vocabulary, today), stale, MIN_FILES_PER_WORKER
        )
        read = dict(zip(stale, fresh, strict=True))
        results = {path: kept[path] if path in kept else read[path] for path in paths}
    cache.files = results
    papers = [r.paper for r in results.values() if r.paper is not None]
    problems = list(vocabulary_problems)
    # A vocabulary with errors is fixed first: every paper's tag it lost would be reported too.
    vocabulary_broken = bool(errors_only(vocabulary_problems))
    for result in results.values():
        problems += [p for p in result.problems if not (vocabulary_broken and NOT_IN_VOCABULARY in p.message)]
    claims = [r.claim for r in results.values() if r.claim is not None]
    problems += check_duplicates(papers + claims)
    files = sum(1 for r in results.values() if r.loaded)
    return Checked(papers, vocabulary, in_reading_order(problems), files=files, claims=claims)


def _reread(
    root: Path,
    cache: ContentCache,
    changed: Collection[Path],
    vocabulary: dict[str, Tag],
    today: dt.date | None,
) -> dict[str, FileResult] | None:
    """The cached results with `changed` read again, in walk order; None when a walk is needed."""
    content = root / CONTENT_DIR
    results = dict(cache.files)
    added = False
    for path in changed:
        if content not in path.parents:
            continue
        try:
            is_folder = stat.S_ISDIR(path.lstat().st_mode)
        except OSError:  # gone: a file we knew, or maybe a whole folder
            if str(path) not in results and any(known.startswith(f"{path}{os.sep}") for known in results):
                return None
            results.pop(str(path), None)
            continue
        if is_folder:
            return None
        added = added or str(path) not in results
        results[str(path)] = read_file(root, path, vocabulary, today)
    if added:  # keep the order of a walk, so every later step sees the same lists
        results = {path: results[path] for path in sorted(results)}
    return results
