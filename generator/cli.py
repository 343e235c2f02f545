"""The `papers` command: build, check, import-daily, tags.

Problems print as `path:line: error: message` with a hint, all of them at once.
Exit codes: 0 success, 1 problems in the content or a failed build, 2 wrong usage.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import math
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from generator.changes import changed_files, problems_for_changes
from generator.checkcache import read_site_checked
from generator.committed import refuse_committed_caches
from generator.config import CONFIG_NAME, load_config
from generator.content import Checked, read_site
from generator.errors import PapersError, Problem, UsageError, errors_only, in_reading_order, shown
from generator.importers import ARXIV_ENDPOINT_ENV, HF_DEFAULT_DELAY, HF_ENDPOINT_ENV
from generator.load import CONTENT_DIR
from generator.summary import LAYOUTS_DIR, OUTPUT_DIR, probe, unchanged_since_last_build

# A command imports what it needs when it runs: a build that finds nothing changed loads
# neither the renderer nor Markdown and TeX, and `check` no importer's network code.

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{value}` is not a day like 2025-03-17") from None


def _port(value: str) -> int:
    """A port for `--port`, checked before the server makes anything (bind() raised past 65535)."""
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"`{value}` is not a port: give a number from 0 to 65535")
    return port


def _delay(value: str) -> float:
    """Seconds for `--delay`: `inf` would stop `sleep` with an OverflowError, `nan` and
    negative numbers mean nothing."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds >= 0):
        raise argparse.ArgumentTypeError(f"`{value}` is not a delay: give a number of seconds, 0 or more")
    return seconds


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="papers", description="Build and check the Daily Papers site.")
    parser.add_argument(
        "--root", type=Path, help="the project folder (default: this one, or the one it is inside)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="render content/ into the site folder")
    build_cmd.add_argument("--base-url", help="the URL the site is served from (overrides site.yaml)")
    build_cmd.add_argument(
        "--repository", help='the repository "edit this page" links point to (overrides site.yaml)'
    )
    build_cmd.add_argument("--out", type=Path, help="output folder (default: public/)")
    build_cmd.add_argument("--no-search", action="store_true", help="skip the search index, for quick builds")
    build_cmd.add_argument(
        "--no-cache", action="store_true", help="ignore and do not update the build cache in .cache/"
    )

    check = commands.add_parser("check", help="validate papers; all problems are reported at once")
    check.add_argument("paths", nargs="*", type=Path, help="only report on these files or folders")
    check.add_argument(
        "--format", choices=("text", "github"), default="text", help="github: Actions annotations"
    )
    check.add_argument(
        "--changed-since",
        metavar="REF",
        help="only report on files changed since git REF (e.g. origin/main), plus site-wide rules",
    )

    daily = commands.add_parser("import-daily", help="import the text dump of a daily-papers page")
    daily.add_argument("file", type=Path)
    daily.add_argument("--date", type=_day, help="the day of the page (default: the date in its header)")
    daily.add_argument(
        "--force",
        action="store_true",
        help="take the dump's title and abstract where a file differs (its other fields stay)",
    )

    commands.add_parser("tags", help="list tags with their paper counts, and unused ones")

    serve_cmd = commands.add_parser("serve", help="preview the site with live reload while you edit")
    serve_cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument(
        "--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)"
    )
    serve_cmd.add_argument("--open", action="store_true", help="open the site in a browser")

    new = commands.add_parser("new", help="start a paper file from arXiv, or a blank one with --title")
    new.add_argument("arxiv_id", nargs="?", help="e.g. 2503.12345, 2503.12345v2 or hep-th/9901001")
    new.add_argument("--title", help="write a file to fill in by hand instead of asking arXiv")
    new.add_argument("--date", type=_day, help="the day it appeared on the list (default: today)")
    new.add_argument("--endpoint", help=f"arXiv API URL (default: ${ARXIV_ENDPOINT_ENV} or arXiv's)")

    sources = commands.add_parser("import", help="import papers from a source").add_subparsers(
        dest="source", required=True, metavar="SOURCE"
    )
    hf_cmd = sources.add_parser("hf", help="Hugging Face daily papers API responses (JSON)")
    hf_cmd.add_argument("paths", nargs="*", type=Path, help="YYYY-MM-DD.json files, or folders")
    hf_cmd.add_argument("--since", type=_day, help="only days from this one on")
    hf_cmd.add_argument("--until", type=_day, help="only days up to this one (--fetch: the last day)")
    hf_cmd.add_argument("--date", type=_day, help="the day of the list (default: from the file name)")
    hf_cmd.add_argument(
        "--force",
        action="store_true",
        help="take the source's fields where a file differs (fields the source lacks, like tags, stay)",
    )
    hf_cmd.add_argument("--fetch", action="store_true", help="download --date (to --until) from the API")
    hf_cmd.add_argument("--endpoint", help=f"API URL (default: ${HF_ENDPOINT_ENV} or Hugging Face's)")
    hf_cmd.add_argument("--delay", type=_delay, default=HF_DEFAULT_DELAY, help="seconds between days")
    return parser


def run() -> NoReturn:
    """The `papers` command. It ends the process without the interpreter's teardown, which
    frees every object of a large site one by one: a third of a second at 10,000 papers,
    a tenth of a rebuild. Every command has finished its work, files and child processes
    included, when `main` returns."""
    signal.signal(signal.SIGTERM, _interrupted)  # a cancelled CI job, say: stop as Ctrl-C does
    for stream in (sys.stdout, sys.stderr):  # a terminal that is not UTF-8 shows `\u2713`, not a crash
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, OSError, ValueError):  # closed (`>&-`), or a closed pipe
            stream.flush()
    os._exit(code)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the command is, so that it ends as it does on Ctrl-C: workers
    stopped, a half-made site removed."""


def _interrupted(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    root: Path = args.root or _enclosing_project(Path("."))
    try:
        _refuse_other_folders(root, args.command)
        if args.command == "build":
            return cmd_build(root, args)
        if args.command == "check":
            return cmd_check(root, args.paths, args.format, args.changed_since)
        if args.command == "import-daily":
            return cmd_import_daily(root, args.file, args.date, args.force)
        if args.command == "tags":
            return cmd_tags(root)
        if args.command == "serve":
            from generator.serve import serve  # with its file watcher: not imported for builds

            return serve(root, args.host, args.port, args.open)
        if args.command == "new":
            return cmd_new(root, args)
        if args.command == "import":
            return cmd_import_hf(root, args)
    except UsageError as error:
        report(error.problems)
        return EXIT_USAGE
    except PapersError as error:
        report(error.problems)
        return EXIT_PROBLEMS
    except BrokenPipeError:  # `papers tags | head -1`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- flushed to nowhere at exit, never closed
        return EXIT_OK
    except KeyboardInterrupt as stop:
        print("interrupted", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(stop, _Terminated) else signal.SIGINT)
    return EXIT_USAGE


def _enclosing_project(here: Path) -> Path:
    """`here`, or the nearest folder above it that is a project (`content/` beside `site.yaml`
    or `layouts/`), as git finds its repository: `papers check` from inside `content/2025/`
    checks the project. Not past the top of a git repository."""
    for folder in (here.absolute(), *here.absolute().parents):
        if (folder / CONTENT_DIR).is_dir() and (
            (folder / CONFIG_NAME).is_file() or (folder / LAYOUTS_DIR).is_dir()
        ):
            return here if folder == here.absolute() else folder
        if (folder / ".git").exists():
            break
    return here


def _refuse_other_folders(root: Path, command: str) -> None:
    """A command run outside a project (from inside `content/`, say) would check nothing and
    say all is well, or start a `content/` of its own there. Files are added to a project
    that has at least its `site.yaml` or `layouts/`; everything else reads `content/`."""
    adds = command in ("new", "import", "import-daily")
    marks = (CONTENT_DIR, CONFIG_NAME, LAYOUTS_DIR) if adds else (CONTENT_DIR,)
    if any((root / mark).exists() for mark in marks):
        return
    where = "this folder" if root == Path(".") else str(root)
    raise UsageError.single(
        str(root),
        f"{where} is not a Daily Papers project: it has no `{CONTENT_DIR}/` folder"
        + (f", `{CONFIG_NAME}` or `{LAYOUTS_DIR}/`" if adds else ""),
        "run `papers` from the project's folder (the one with `content/`), or pass --root",
    )


def report(problems: Sequence[Problem], style: str = "text") -> None:
    """Problems as text on stderr; with `github`, as annotations on stdout too. The text is
    the whole list with each problem's file: a step's log shows an annotation by its message
    alone, and GitHub makes annotations of the first ten errors and ten warnings only."""
    for problem in problems:
        print(problem, file=sys.stderr)
    if style != "github":
        return
    for problem in problems:
        print(github_annotation(problem))
    for severity in ("error", "warning"):
        count = sum(problem.severity == severity for problem in problems)
        if count > GITHUB_ANNOTATIONS:
            print(
                f"{count} {severity}s: the pull request shows the first {GITHUB_ANNOTATIONS} on their"
                " lines; the log lists them all",
                file=sys.stderr,
            )


GITHUB_ANNOTATIONS = 10  # of each severity a step, that GitHub shows


def github_annotation(problem: Problem) -> str:
    """`::error file=...,line=...::message` (GitHub Actions workflow command)."""
    message = shown(problem.message) + (f". Hint: {shown(problem.hint)}" if problem.hint else "")
    props = f"file={_escape_property(shown(problem.path, lines=False))}"
    if problem.line:
        props += f",line={problem.line}"
    props += f",title={_escape_property('papers check')}"
    return f"::{problem.severity} {props}::{_escape_data(message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def cmd_build(root: Path, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    site = args.out or root / OUTPUT_DIR  # as the command was given it, for messages
    root = root.absolute()  # as `build` takes it: the cache is the same from any folder
    try:
        refuse_committed_caches(root)  # before the last build's summary is read
        out = site.absolute()
        inputs = probe(root, root / LAYOUTS_DIR, args.base_url, args.repository, not args.no_cache)
        settings = (inputs.config, False)  # not the dev server's
        last = inputs.stamps and unchanged_since_last_build(
            root, out, settings, not args.no_search, inputs.layouts, inputs.stamps
        )
        if last:
            _say_up_to_date(last.papers, last.days, out, time.perf_counter() - started)
            return EXIT_OK
        from generator.build import build

        result = build(
            root,
            out=args.out,
            base_url=args.base_url,
            search=not args.no_search,
            use_cache=not args.no_cache,
            repository=args.repository,
            inputs=inputs,
        )
    except UsageError:
        raise
    except PapersError as error:  # the problems, then what became of the site
        report(error.problems)
        kept = f"{site} is as the last build left it" if site.is_dir() else f"{site} was not made"
        print(f"the build stopped; {kept}", file=sys.stderr)
        return EXIT_PROBLEMS
    if result.warnings:
        print(f"{_count(len(result.warnings), 'warning')}; run `papers check` to see them", file=sys.stderr)
    if result.up_to_date:  # found so by the build itself (another build had just ended, say)
        _say_up_to_date(result.papers, result.days, result.out, result.seconds)
        return EXIT_OK
    scope = f"{_count(result.papers, 'paper')} on {_count(result.days, 'day')}"
    timings = ", ".join(f"{stage} {seconds:.2f}s" for stage, seconds in result.timings.items())
    print(
        f"built {scope}: {_count(result.pages, 'page')} ({result.rendered} rendered), "
        f"{result.bytes / 1e6:.1f} MB written to {result.out} in {result.seconds:.2f}s ({timings})"
    )
    return EXIT_OK


def _say_up_to_date(papers: int, days: int, out: Path, seconds: float) -> None:
    print(f"{_count(papers, 'paper')} on {_count(days, 'day')}: {out} is up to date ({seconds:.2f}s)")


def cmd_check(root: Path, paths: Sequence[Path], style: str, changed_since: str | None = None) -> int:
    refuse_committed_caches(root)  # a pull request that adds one fails its check, not just its build
    checked = read_site_checked(root, dt.date.today())
    problems = in_reading_order([*checked.problems, *_settings_problems(root)])  # the build reads both
    if changed_since:
        problems = problems_for_changes(problems, changed_files(root, changed_since))
    if paths:
        wanted = [_locate(root, path) for path in paths]
        problems = [p for p in problems if _inside(_plain_path(root / p.path), wanted)]
    errors = errors_only(problems)
    code = EXIT_PROBLEMS if errors else EXIT_OK
    try:
        _report_check(checked, problems, errors, style)
    except BrokenPipeError:  # `papers check | head`: the reader stopped, the content is as bad
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- flushed to nowhere at exit, never closed
    return code


def _settings_problems(root: Path) -> list[Problem]:
    """site.yaml's problems, each an error: any of them stops the build."""
    try:
        load_config(root)
    except PapersError as error:
        return [dataclasses.replace(problem, severity="error") for problem in error.problems]
    return []


def _report_check(checked: Checked, problems: list[Problem], errors: list[Problem], style: str) -> None:
    report(problems, style)
    files = len({p.path for p in problems})
    site = checked.site
    scope = (
        f"{_count(checked.files, 'file')} ({_count(len(site.papers), 'paper')} "
        f"on {_count(len(site.days), 'day')})"
    )
    if not problems:
        print(f"checked {scope}: no problems")
    else:
        warnings = len(problems) - len(errors)
        print(
            f"checked {scope}: {_count(len(errors), 'error')}, {_count(warnings, 'warning')} "
            f"in {_count(files, 'file')}"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _locate(root: Path, path: Path) -> Path:
    """A path given to `check`: as typed, else relative to --root; it must exist, in content/."""
    content = _plain_path(root / CONTENT_DIR)
    found = [_plain_path(candidate) for candidate in (path, root / path) if candidate.exists()]
    for candidate in found:
        if candidate in (content, _plain_path(root)) or content in candidate.parents:
            return candidate
    if found:
        raise UsageError.single(
            str(path), "is not in this project's content/", "give paths of files under content/"
        )
    raise UsageError.single(str(path), "no such file or folder", "give paths of files under content/")


def _plain_path(path: Path) -> Path:
    """Absolute, without `..`, and with links not followed: a symbolic link in content/ is
    a problem of content/, wherever it points."""
    return Path(os.path.normpath(path.absolute()))


def _inside(path: Path, wanted: Sequence[Path]) -> bool:
    return any(path == w or w in path.parents for w in wanted)


def cmd_import_daily(root: Path, file: Path, day: dt.date | None, force: bool) -> int:
    from generator.importers.common import Candidate, import_candidates
    from generator.importers.daily_text import dump_date, dump_header, parse_daily_dump

    text = _read_dump(file)
    items = parse_daily_dump(str(file), text)
    if day is None:
        header = dump_header(text) or ""
        day = dump_date(text, dt.date.today())
        if day is None:
            raise PapersError.single(
                str(file), f"`{header}` is not a day that exists", "pass --date YYYY-MM-DD"
            )
        if "," not in header:
            print(
                f"the dump says `{header}`, without a year: importing as {day.isoformat()} (--date chooses)"
            )
    report(  # what is written differs from the dump there
        [
            Problem(str(file), line, "control or invisible direction characters removed", None, "warning")
            for item in items
            for line in item.cleaned
        ]
    )
    candidates = [Candidate(day, {"title": item.title}, item.abstract) for item in items]
    result = import_candidates(root, candidates, force)
    for line in result.lines:
        if not line.startswith("unchanged"):
            print(shown(line))
    print(result.summary())
    report(result.failed)
    return EXIT_PROBLEMS if result.failed else EXIT_OK


def _read_dump(file: Path) -> str:
    """The dump's text; why not, as `check` and `import hf` say it, when it cannot be read."""
    hint = "give the path of the text file the page was saved to"
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise PapersError.single(str(file), "no such file or folder", hint) from None
    except IsADirectoryError:
        raise PapersError.single(str(file), "this is a folder, not the text of a page", hint) from None
    except OSError as error:  # a name too long, no permission
        reason = error.strerror or type(error).__name__
        raise PapersError.single(
            str(file), f"cannot read the dump: {reason}", "check that you may read the file"
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PapersError.single(
            str(file),
            f"the dump is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})",
            "save the page's text with UTF-8 encoding (an editor's `Save As` offers it), then import it again",
            data.count(b"\n", 0, error.start) + 1,
        ) from None


def cmd_new(root: Path, args: argparse.Namespace) -> int:
    from generator.importers import arxiv

    day = args.date or dt.date.today()
    if bool(args.arxiv_id) == bool(args.title):
        hint = 'e.g. `papers new 2503.12345` or `papers new --title "..."`'
        what = (
            "an arXiv id or --title, not both"
            if args.arxiv_id
            else "an arXiv id or a --title that is not empty"
        )
        raise UsageError.single("papers new", f"give {what}", hint)
    if args.arxiv_id:
        created = arxiv.new_from_arxiv(root, args.arxiv_id, day, args.endpoint)
    else:
        created = arxiv.new_blank(root, args.title, day)
    print(f"wrote {created.label}")
    for note in created.notes:
        print(f"  {note}")
    return EXIT_OK


def cmd_import_hf(root: Path, args: argparse.Namespace) -> int:
    from generator.importers import hf

    result = hf.run(
        root,
        args.paths,
        date=args.date,
        since=args.since,
        until=args.until,
        force=args.force,
        fetch=args.fetch,
        endpoint=args.endpoint,
        delay=args.delay,
    )
    report(result.warnings)
    for line in result.report.lines:
        if not line.startswith("unchanged"):
            print(shown(line))
    print(result.report.summary(reasons=True))
    report(result.report.failed)
    return EXIT_PROBLEMS if result.report.failed else EXIT_OK


def cmd_tags(root: Path) -> int:
    """The vocabulary with its counts. Counts leave out the papers that have errors, so the
    errors are reported too (and the exit code says so), as `check` would."""
    checked = read_site(root)
    errors = errors_only(checked.problems)
    report(errors)
    site = checked.site
    counts = {slug: len(papers) for slug, papers in site.tags.items()}
    width = max((len(slug) for slug in checked.vocabulary), default=0)
    for slug, tag in sorted(checked.vocabulary.items(), key=lambda item: (-counts.get(item[0], 0), item[0])):
        print(f"{slug:<{width}}  {counts.get(slug, 0):>5}  {tag.name}")
    unused = sorted(set(checked.vocabulary) - set(counts))
    print(
        f"{_count(len(counts), 'tag')} in use, {len(unused)} unused"
        + (f": {', '.join(unused)}" if unused else "")
    )
    if errors:
        print(
            "the counts leave out the papers with the errors above (`papers check` lists them all)",
            file=sys.stderr,
        )
    return EXIT_PROBLEMS if errors else EXIT_OK


if __name__ == "__main__":
    run()
