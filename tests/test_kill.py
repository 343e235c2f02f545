"""Failures while publishing: a killed build, an unwritable output folder, a full disk.

The published folder must always be a complete site, the previous one or the new one, never
a mix; a build that cannot write says why in one line and leaves the previous site alone.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import buildcache, cli, write
from generator.build import build
from generator.cli import main
from generator.errors import PapersError
from generator.write import spare_dir
from tests.conftest import REPO, Project
from tests.sitecheck import tree_bytes

PAPERS = 160  # a build takes most of a second: kills land in every stage
KILLS = 50
SEED = 20250317
LEFTOVER_WAIT = 10.0  # seconds for the background removal of a replaced site to finish


def write_version(project: Project, version: int) -> None:
    """The same papers in one of two versions: every paper page, day page and feed differs."""
    start = dt.date(2025, 1, 1)
    word = ("alpha", "beta")[version]
    for index in range(PAPERS):
        day = start + dt.timedelta(days=index // 8)
        front = (
            f"authors: [Ada Lovelace, Author {index}]\n"
            f"tags: [{'llm' if index % 2 else 'diffusion'}, robotics]\n"
            f"upvotes: {index + version}"
        )
        body = f"Paper {index}, {word} version: we study $\\{word}_{index}$-attention at length. " * 12
        project.paper(day.isoformat(), f"paper-{index:04d}", front, body, title=f"Paper {index} ({word})")


def build_command(root: Path, search: bool, cache: bool) -> list[str]:
    command = [sys.executable, "-m", "generator", "--root", str(root), "build", "--out", "public"]
    return command + ([] if search else ["--no-search"]) + ([] if cache else ["--no-cache"])


def run_build(root: Path, search: bool = False, cache: bool = True) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        build_command(root, search, cache), cwd=root, env=_env(), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return time.perf_counter() - start


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}


def site_tree(out: Path) -> dict[str, bytes]:
    """The published files; Pagefind's output differs from run to run, so it is left out."""
    return {path: data for path, data in tree_bytes(out).items() if not path.startswith("pagefind/")}


def leftovers(root: Path) -> list[str]:
    """Folders a build left beside public/, but the spare it keeps on purpose."""
    kept = {spare_dir(root / "public").name, ".public.lock"}
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".public") and p.name not in kept)


def wait_for_no_leftovers(root: Path) -> list[str]:
    deadline = time.monotonic() + LEFTOVER_WAIT
    while leftovers(root) and time.monotonic() < deadline:
        time.sleep(0.05)
    return leftovers(root)


def test_a_killed_build_leaves_the_old_site_or_the_new_one(project: Project) -> None:
    root = project.root
    write_version(project, 0)
    run_build(root, cache=False)
    trees = [site_tree(root / "public")]
    write_version(project, 1)
    durations = {False: [run_build(root)]}
    trees.append(site_tree(root / "public"))
    write_version(project, 0)
    durations[True] = [run_build(root, search=True)]
    assert site_tree(root / "public") == trees[0], "a warm build differs from a full build"
    assert trees[0] != trees[1]

    rng = random.Random(SEED)
    published, kills, finished = 0, 0, 0
    write_version(project, 1)
    attempt = 0
    while kills < KILLS:
        attempt += 1
        assert attempt < 3 * KILLS, "builds keep finishing before the kill"
        target = 1 - published
        search, cache = attempt % 6 == 5, attempt % 4 != 3
        # Every eighth build runs to the end: it times builds under the machine's current load and
        # flips the published version, so kills hit both directions.
        typical = statistics.median(durations[search])
        delay = None if attempt % 8 == 0 else rng.uniform(0, typical)
        start = time.perf_counter()
        process = subprocess.Popen(
            build_command(root, search, cache),
            cwd=root,
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: the kill takes any workers with it
        )
        try:
            process.wait(timeout=delay if delay is not None else 120)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # like a runner cancelling the job
            process.wait(timeout=30)
            kills += 1
        else:
            finished += 1
            if delay is None:
                durations[search].append(time.perf_counter() - start)
        assert process.stderr is not None
        stderr = process.stderr.read().decode(errors="replace")
        process.stderr.close()
        assert "Traceback" not in stderr, stderr
        public = root / "public"
        assert public.is_dir(), f"kill {attempt} after {delay}s left no public/ ({leftovers(root)})"
        tree = site_tree(public)
        if tree == trees[target]:
            published = target
            write_version(project, 1 - published)
        else:
            assert tree == trees[published], (
                f"build {attempt} killed after {delay}s (search={search}, cache={cache}) left a site that "
                f"is neither the old nor the new one: {_difference(tree, trees[published], trees[target])}"
            )
            assert delay is not None, f"build {attempt} ran to the end but did not publish: {stderr}"
    print(
        f"\n{kills} builds killed, {finished} finished first "
        f"(a build takes {statistics.median(durations[False]):.2f}s, {statistics.median(durations[True]):.2f}s "
        f"with search)"
    )

    write_version(project, 1 - published)
    run_build(root)
    assert site_tree(root / "public") == trees[1 - published]
    assert wait_for_no_leftovers(root) == []


def _difference(tree: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> str:
    missing = sorted(set(old) - set(tree))[:5]
    mixed = sorted(p for p in tree if tree[p] != old.get(p) and tree[p] != new.get(p))[:5]
    return f"missing {missing}, matching neither {mixed}, {len(tree)} files"


def small_site(project: Project) -> Project:
    project.paper("2025-03-17", "a-paper", "tags: [llm]")
    project.paper("2025-03-16", "another-paper", "tags: [diffusion]")
    return project


@pytest.mark.parametrize("blocker", ["read-only folder", "regular file"])
def test_an_unwritable_output_folder_is_one_clear_error(
    project: Project, tmp_path: Path, blocker: str
) -> None:
    small_site(project)
    if blocker == "read-only folder":
        if os.geteuid() == 0:
            pytest.skip("permissions do not stop root (the regular-file case covers root)")
        parent = tmp_path / "locked"
        parent.mkdir()
        parent.chmod(0o500)
    else:
        parent = tmp_path / "somefile"
        parent.write_text("not a folder\n", encoding="utf-8")
    out = parent / "public"
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "--root",
                str(project.root),
                "build",
                "--out",
                str(out),
                "--no-search",
            ],
            cwd=project.root,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        if parent.is_dir():
            parent.chmod(0o700)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert ": error: " in result.stderr and str(parent) in result.stderr, result.stderr
    assert not out.exists()


def test_a_full_disk_is_one_clear_error_and_keeps_the_previous_site(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    small_site(project)
    out = project.root / "public"
    build(project.root, out=out, search=False)
    before = tree_bytes(out)
    project.paper("2025-03-17", "a-paper", "tags: [llm]", body="A changed abstract. " * 20)
    written: list[str] = []

    def no_space(path: str, content: bytes) -> None:
        written.append(path)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

    monkeypatch.setattr(write, "write_file", no_space)
    code = main(["--root", str(project.root), "build", "--out", str(out), "--no-search"])
    monkeypatch.undo()
    stderr = capsys.readouterr().err
    assert written, "the build wrote its pages some other way: the fault was not injected"
    assert code == 1
    assert "Traceback" not in stderr
    assert "no space left" in stderr.lower() and str(out) in stderr, stderr
    assert tree_bytes(out) == before
    assert wait_for_no_leftovers(project.root) == []


def children_of(pid: int) -> set[int]:
    """The processes whose parent is `pid` (from /proc: Linux)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended meanwhile
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie has ended: it only waits to be reaped)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def start_parallel_build(project: Project) -> tuple[subprocess.Popen[bytes], set[int]]:
    """A cold build of enough papers for two render workers, once they run: (it, its workers)."""
    for index in range(900):
        project.paper(f"2025-01-{1 + index // 60:02d}", f"paper-{index:04d}", "", f"Paper {index}. " * 40)
    process = subprocess.Popen(
        build_command(project.root, search=False, cache=False),
        cwd=project.root,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(workers := children_of(process.pid)) < 2 and process.poll() is None:
        assert time.monotonic() < deadline, "the build never started its workers"
        time.sleep(0.01)
    return process, workers


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a build forks render workers on two cores or more")
def test_workers_die_with_a_build_killed_alone(project: Project) -> None:
    process, workers = start_parallel_build(project)
    assert workers, "the build ended before its workers could be seen"
    process.kill()  # the main process only, as the kernel's out-of-memory killer would
    process.wait(timeout=30)
    assert process.stderr is not None
    process.stderr.close()
    deadline = time.monotonic() + 10
    while alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(workers) == set(), "workers of a killed build went on running"
    run_build(project.root)  # and the next build cleans up after it
    assert leftovers(project.root) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="a build forks render workers on two cores or more")
def test_sigterm_stops_a_build_as_ctrl_c_does(project: Project) -> None:
    process, workers = start_parallel_build(project)
    assert workers, "the build ended before its workers could be seen"
    process.send_signal(signal.SIGTERM)  # a cancelled CI job, say
    assert process.wait(timeout=30) == 128 + signal.SIGTERM
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    process.stderr.close()
    assert stderr.strip() == "interrupted"
    assert alive(workers) == set()
    assert leftovers(project.root) == []
    assert not (project.root / "public").exists()


@pytest.fixture
def command_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM handled as the `papers` command has them, whatever this process
    started with (a job started in the background ignores SIGINT): a slip fails a test
    instead of killing its worker, or passing by being ignored."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, cli._interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before[0])
        signal.signal(signal.SIGTERM, before[1])


@pytest.mark.usefixtures("command_signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_once_the_site_is_swapped_in_lets_the_build_end_as_built(
    sample_project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], signum: int
) -> None:
    """The new site is published by then: the build was reported interrupted (exit 130)
    although it was done, and its cache was not saved."""
    root = sample_project.root
    assert main(["--root", str(root), "build", "--no-search"]) == 0
    sample_project.paper("2025-03-17", "published-late", body="A paper added before the build. " * 10)
    swap = write.swap_into_place

    def swap_then_interrupt(*args: Any, **kwargs: Any) -> bool:
        kept = swap(*args, **kwargs)
        os.kill(os.getpid(), signum)  # as Ctrl-C in the terminal, or a cancelled job
        return kept

    monkeypatch.setattr("generator.build.swap_into_place", swap_then_interrupt)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert main(["--root", str(root), "build", "--no-search"]) == 0
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers  # as they were
    assert (root / "public/papers/published-late/index.html").is_file()
    capsys.readouterr()
    assert main(["--root", str(root), "build", "--no-search"]) == 0  # the cache was saved
    assert "up to date" in capsys.readouterr().out


@pytest.mark.usefixtures("command_signals")
def test_an_interrupt_while_a_swap_fails_still_stops_the_build(
    sample_project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Held during the swap, it is not dropped when nothing was published."""

    def interrupted_then_failed(*args: Any, **kwargs: Any) -> bool:
        os.kill(os.getpid(), signal.SIGINT)
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("generator.build.swap_into_place", interrupted_then_failed)
    handler = signal.getsignal(signal.SIGINT)
    assert main(["--root", str(sample_project.root), "build", "--no-search"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"
    assert signal.getsignal(signal.SIGINT) == handler
    assert not (sample_project.root / "public").exists()


def test_a_second_build_into_the_same_folder_waits_then_says_so(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One build at a time stages and swaps a folder: the second would take the first one's
    spare and staging folder from under it."""
    small_site(project)
    out = project.root / "public"
    monkeypatch.setattr(write, "LOCK_PATIENCE", 0.3)
    with write.output_lock(out), pytest.raises(PapersError) as raised:  # another build, writing
        build(project.root, out=out, search=False)
    assert str(raised.value) == (
        f"{out}: error: another build is writing this folder\n"
        "    hint: wait for it to end, or build into another folder with --out"
    )
    assert capsys.readouterr().err == f"waiting for another build writing {out} to end...\n"  # at once
    build(project.root, out=out, search=False)  # once it has ended
    assert (out / "index.html").is_file()


def test_leftovers_of_a_killed_build_go_whatever_their_process_number(project: Project) -> None:
    small_site(project)
    for name in (f".public.staging-{os.getppid()}", ".public.staging-1", ".public.trash-7-0"):
        (project.root / name / "papers").mkdir(parents=True)
    build(project.root, out=project.root / "public", search=False)
    assert wait_for_no_leftovers(project.root) == []


def test_a_build_reads_the_last_one_s_cache_only_once_it_holds_the_lock(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that waited for another must read the cache that one saved, not the one
    from before it swapped its site in."""
    small_site(project)
    out = project.root / "public"
    build(project.root, out=out, search=False)
    project.paper("2025-03-18", "a-third-paper")
    seen: list[str] = []

    def load_checking_the_lock(root: Path, where: Path) -> Any:
        with open(where.parent / f".{where.name}{write.LOCK_SUFFIX}", "a") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
                seen.append("free")
            except BlockingIOError:
                seen.append("held")
        return buildcache.load_cache(root, where)

    monkeypatch.setattr("generator.build.load_cache", load_checking_the_lock)
    build(project.root, out=out, search=False)
    assert seen == ["held"]
