"""The `papers` command: build, check, import-daily, tags.

Problems print as `path:line: error: message` with a hint, all of them at once.
Exit codes: 0 success, 1 problems in the content or a failed build, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from generator.build import build
from generator.content import read_site
from generator.errors import PapersError, Problem, errors_only
from generator.importers.common import Candidate, import_candidates
from generator.importers.daily_text import dump_date, parse_daily_dump

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{value}` is not a day like 2025-03-17") from None


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="papers", description="Build and check the Daily Papers site.")
    parser.add_argument("--root", type=Path, default=Path("."), help="the project folder (default: .)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="render content/ into the site folder")
    build_cmd.add_argument("--base-url", help="the URL the site is served from (overrides site.yaml)")
    build_cmd.add_argument("--out", type=Path, help="output folder (default: public/)")
    build_cmd.add_argument("--no-search", action="store_true", help="skip the search index, for quick builds")

    check = commands.add_parser("check", help="validate papers; all problems are reported at once")
    check.add_argument("paths", nargs="*", type=Path, help="only report on these files or folders")
    check.add_argument("--format", choices=("text", "github"), default="text", help="github: Actions annotations")

    daily = commands.add_parser("import-daily", help="import the text dump of a daily-papers page")
    daily.add_argument("file", type=Path)
    daily.add_argument("--date", type=_day, help="the day of the page (default: the date in its header)")
    daily.add_argument("--force", action="store_true", help="replace existing files that differ")

    commands.add_parser("tags", help="list tags with their paper counts, and unused ones")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    root: Path = args.root
    try:
        if args.command == "build":
            return cmd_build(root, args)
        if args.command == "check":
            return cmd_check(root, args.paths, args.format)
        if args.command == "import-daily":
            return cmd_import_daily(root, args.file, args.date, args.force)
        if args.command == "tags":
            return cmd_tags(root)
    except PapersError as error:
        report(error.problems)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return EXIT_USAGE


def report(problems: Sequence[Problem], style: str = "text") -> None:
    for problem in problems:
        if style == "github":
            print(github_annotation(problem))
        else:
            print(problem, file=sys.stderr)


def github_annotation(problem: Problem) -> str:
    """`::error file=...,line=...::message` (GitHub Actions workflow command)."""
    message = problem.message + (f". Hint: {problem.hint}" if problem.hint else "")
    props = f"file={_escape_property(problem.path)}"
    if problem.line:
        props += f",line={problem.line}"
    props += f",title={_escape_property('papers check')}"
    return f"::{problem.severity} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def cmd_build(root: Path, args: argparse.Namespace) -> int:
    result = build(root, out=args.out, base_url=args.base_url, search=not args.no_search)
    if result.warnings:
        print(f"{len(result.warnings)} warning(s); run `papers check` to see them", file=sys.stderr)
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items())
    print(
        f"built {result.papers} papers on {result.days} day{'s' if result.days != 1 else ''}: {result.pages} pages, "
        f"{result.bytes / 1e6:.1f} MB in {result.out} ({result.seconds:.2f}s: {timings})"
    )
    return EXIT_OK


def cmd_check(root: Path, paths: Sequence[Path], style: str) -> int:
    checked = read_site(root, today=dt.date.today())
    problems = checked.problems
    if paths:
        wanted = [p.absolute() for p in paths]
        problems = [p for p in problems if _inside(root.absolute() / p.path, wanted)]
    report(problems, style)
    errors = errors_only(problems)
    files = len({p.path for p in problems})
    site = checked.site
    scope = f"{len(site.papers)} papers on {len(site.days)} day{'s' if len(site.days) != 1 else ''}"
    if not problems:
        print(f"checked {scope}: no problems")
    else:
        warnings = len(problems) - len(errors)
        print(f"checked {scope}: {len(errors)} error(s), {warnings} warning(s) in {files} file(s)")
    return EXIT_PROBLEMS if errors else EXIT_OK


def _inside(path: Path, wanted: Sequence[Path]) -> bool:
    return any(path == w or w in path.parents for w in wanted)


def cmd_import_daily(root: Path, file: Path, day: dt.date | None, force: bool) -> int:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PapersError.single(str(file), f"cannot read the dump: {error}") from None
    items = parse_daily_dump(str(file), text)
    if day is None:
        day = dump_date(text, dt.date.today().year)
        if day is None:
            raise PapersError.single(str(file), "the dump names no day", "pass --date YYYY-MM-DD")
    candidates = [Candidate(day, {"title": item.title}, item.abstract) for item in items]
    result = import_candidates(root, candidates, force)
    for line in result.lines:
        if not line.startswith("unchanged"):
            print(line)
    print(result.summary())
    return EXIT_OK


def cmd_tags(root: Path) -> int:
    checked = read_site(root)
    site = checked.site
    counts = {slug: len(papers) for slug, papers in site.tags.items()}
    width = max((len(slug) for slug in checked.vocabulary), default=0)
    for slug, tag in sorted(checked.vocabulary.items(), key=lambda item: (-counts.get(item[0], 0), item[0])):
        print(f"{slug:<{width}}  {counts.get(slug, 0):>5}  {tag.name}")
    unused = sorted(set(checked.vocabulary) - set(counts))
    print(f"{len(counts)} tags in use, {len(unused)} unused" + (f": {', '.join(unused)}" if unused else ""))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
