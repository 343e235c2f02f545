"""`papers import hf`: Hugging Face daily papers API responses into content/.

The real samples (three days, 63 papers) live beside the repository in
shared/samples/hf-daily-api/; tests that need them skip when they are absent.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.content import check_source, read_site
from generator.errors import PapersError
from generator.importers import hf
from generator.importers.common import Candidate
from generator.load import MAX_FILE_BYTES, SourceFile
from generator.markup import render_body
from generator.model import arxiv_slug
from generator.paperfile import format_paper
from tests.conftest import HF_SAMPLES, REPO, Project, require_shared
from tests.recorded import RecordedServer

SAMPLE_DAYS = {"2024-05-27": 13, "2025-03-17": 12, "2026-06-09": 38}
LONG = "Long enough abstract text. " * 10


def item(arxiv: str, title: str = "", summary: str = LONG, **paper: Any) -> dict[str, Any]:
    """An API item with the given `paper` fields."""
    return {"paper": {"id": arxiv, "title": title or f"Paper {arxiv}", "summary": summary, **paper}}


def run_import(project: Project, *args: str | Path) -> int:
    return main(["--root", str(project.root), "import", "hf", *map(str, args)])


def check(project: Project) -> int:
    return main(["--root", str(project.root), "check"])


def write_day(folder: Path, name: str, items: list[Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def snapshot(project: Project) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project.root / "content").rglob("*.md")}


def sample(day: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((require_shared(HF_SAMPLES) / f"{day}.json").read_text("utf-8"))
    return data


# ---------------------------------------------------------------- the real samples


def test_three_sample_days_give_63_papers_that_pass_check(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = require_shared(HF_SAMPLES)
    assert run_import(project, samples) == 0
    out = capsys.readouterr().out
    assert "imported: 63 written" in out
    for day, count in SAMPLE_DAYS.items():
        assert len(list((project.root / "content" / day[:4] / day).glob("*.md"))) == count
    assert check(project) == 0
    checked = capsys.readouterr().out
    assert "63 papers on 3 days" in checked and "no problems" in checked

    text = (project.root / "content/2026/2026-06-09/2606.07297.md").read_text(encoding="utf-8")
    assert "title: 'SWE-Explore: Benchmarking How Coding Agents Explore Repositories'\n" in text
    assert "organization: Shanghai Jiao Tong University\n" in text
    assert "  code: https://github.com/Qiushao-E/SWE-Explore-Bench\n" in text
    assert "upvotes: 90\n" in text
    assert "submitted_by: YerbaPage\n" in text
    assert text.startswith("---\ntitle:") and "\ntldr: SWE-Explore introduces" in text
    assert "keywords:\n- repository exploration\n" in text
    # a title wrapped by arXiv is one line; the day is the list's, not arXiv's publishedAt
    old = (project.root / "content/2024/2024-05-27/2405.15738.md").read_text(encoding="utf-8")
    assert "title: 'ConvLLaVA: Hierarchical Backbones as Visual Encoder for Large Multimodal Models'\n" in old
    # " https://..." with a stray space is trimmed, not dropped
    adc = (project.root / "content/2025/2025-03-17/2503.11646.md").read_text(encoding="utf-8")
    assert "  project: https://sites.google.com/view/adc-robot\n" in adc


def test_abstract_hard_breaks_unwrapped_and_paragraphs_kept(project: Project) -> None:
    require_shared(HF_SAMPLES)
    assert run_import(project, HF_SAMPLES / "2025-03-17.json") == 0
    body = (
        (project.root / "content/2025/2025-03-17/2503.11069.md").read_text(encoding="utf-8").split("---\n")[2]
    )
    paragraphs = body.strip().split("\n\n")
    assert len(paragraphs) == 2
    assert all("\n" not in p and "  " not in p for p in paragraphs)
    assert paragraphs[1].startswith("This paper presents")


def test_through_the_real_entry_point_in_a_subprocess(project: Project) -> None:
    samples = require_shared(HF_SAMPLES)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "generator", "--root", str(project.root)]
    first = subprocess.run([*command, "import", "hf", str(samples)], capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().endswith("imported: 63 written")
    again = subprocess.run([*command, "import", "hf", str(samples)], capture_output=True, text=True, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "imported: 63 unchanged"
    checked = subprocess.run([*command, "check"], capture_output=True, text=True, env=env)
    assert checked.returncode == 0, checked.stderr
    assert "63 papers on 3 days" in checked.stdout and "no problems" in checked.stdout


def test_a_second_import_writes_nothing(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    samples = require_shared(HF_SAMPLES)
    assert run_import(project, samples) == 0
    before = snapshot(project)
    capsys.readouterr()
    assert run_import(project, samples) == 0
    assert capsys.readouterr().out.strip() == "imported: 63 unchanged"
    assert snapshot(project) == before  # same bytes, and not even rewritten
    leftovers = [p for p in (project.root / "content").rglob("*") if p.name.startswith(".")]
    assert leftovers == []


# ---------------------------------------------------------------- re-import and merge rules


def test_upvotes_update_edits_only_that_line(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = sample("2025-03-17")
    first = write_day(tmp_path / "old", "2025-03-17.json", items)
    assert run_import(project, first) == 0
    path = project.root / "content/2025/2025-03-17/2503.07677.md"
    # A reviewer reformats the file: a comment, a retitle, flow-style authors, an edited abstract.
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: 'PLADIS:", "# checked by a human\ntitle: 'PLADIS (edited):")
    text = text.replace(
        "authors:\n- Kwanyoung Kim\n- Byeongsu Sim\n", "authors: [Kwanyoung Kim, Byeongsu Sim]\n"
    )
    text = text.replace("upvotes: 46\n", "upvotes: 46   # at import time\n")
    text = text.replace("Diffusion models have", "Diffusion models (DMs) have")
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()

    newer = copy.deepcopy(items)
    newer[0]["paper"]["upvotes"] = 51
    assert run_import(project, write_day(tmp_path / "new", "2025-03-17.json", newer)) == 0
    out = capsys.readouterr().out
    assert "updated   content/2025/2025-03-17/2503.07677.md  (upvotes 46 -> 51)" in out
    assert "imported: 1 updated, 11 unchanged" in out
    after = path.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(text.splitlines(), after.splitlines(), strict=True) if a != b]
    assert changed == [("upvotes: 46   # at import time", "upvotes: 51   # at import time")]

    # An older snapshot never lowers the count, and writes nothing; it says what the file
    # holds otherwise than the source (`--force` would take the source's).
    mtime = path.stat().st_mtime_ns
    assert run_import(project, first) == 0
    out = capsys.readouterr().out
    assert "2503.07677.md  (title and abstract differ from the source; --force takes the source's)" in out
    assert "imported: 11 unchanged, 1 kept" in out
    assert path.read_text(encoding="utf-8") == after and path.stat().st_mtime_ns == mtime
    assert check(project) == 0


def test_a_human_edited_title_is_never_overwritten(project: Project, tmp_path: Path) -> None:
    data = [
        item("2503.00001", "Original Title From The Source", upvotes=3, githubRepo="https://github.com/o/r")
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    path = project.root / "content/2025/2025-03-17/2503.00001.md"
    edited = path.read_text(encoding="utf-8").replace("Original Title From The Source", "A Better Title")
    edited = edited.replace("https://github.com/o/r", "https://github.com/o/r-fork")
    path.write_text(edited, encoding="utf-8")
    data[0]["paper"].update(title="Another Title From The Source", githubRepo="https://github.com/o/other")
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    assert path.read_text(encoding="utf-8") == edited  # title and existing link both kept


def test_force_takes_the_source_s_fields_and_keeps_a_curator_s_tags(project: Project, tmp_path: Path) -> None:
    data = [item("2503.00001", "Original Title From The Source", upvotes=3)]
    source = write_day(tmp_path, "2025-03-17.json", data)
    assert run_import(project, source) == 0
    path = project.root / "content/2025/2025-03-17/2503.00001.md"
    text = path.read_text(encoding="utf-8").replace("Original Title From The Source", "A Better Title")
    path.write_text(text.replace("---\n\n", "tags: [llm]\n---\n\n"), encoding="utf-8")
    assert run_import(project, source, "--force") == 0
    forced = path.read_text(encoding="utf-8")
    assert "title: Original Title From The Source\n" in forced and "tags: [llm]\n" in forced  # as written
    assert check(project) == 0
    # Upvotes stay the count they are: an older snapshot, forced, never lowers it; a newer raises it.
    path.write_text(forced.replace("upvotes: 3", "upvotes: 30"), encoding="utf-8")
    data[0]["paper"].update(title="Retitled At The Source", upvotes=1)
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data), "--force") == 0
    assert "upvotes: 30\n" in path.read_text(encoding="utf-8")
    data[0]["paper"].update(upvotes=99)
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data), "--force") == 0
    assert "upvotes: 99\n" in path.read_text(encoding="utf-8")


def _imported_then_edited(
    project: Project, tmp_path: Path, arxiv: str, written: str, edited: str
) -> tuple[Path, Path]:
    """A day of one paper imported, and its file edited by hand: the source and the file."""
    source = write_day(tmp_path, "2025-03-17.json", [item(arxiv, "A Title", upvotes=3)])
    assert run_import(project, source) == 0
    path = project.root / f"content/2025/2025-03-17/{arxiv}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(written, edited), encoding="utf-8")
    return source, path


def test_force_never_rewrites_a_file_whose_front_matter_has_problems(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A field given twice: which is meant is the contributor's to say, not the import's."""
    source, path = _imported_then_edited(
        project, tmp_path, "2503.00001", "---\n\n", "tags: [llm]\ntags: [agents]\n---\n\n"
    )
    broken = path.read_text(encoding="utf-8")
    capsys.readouterr()
    assert run_import(project, source, "--force") == 0
    assert "its front matter has problems: run `papers check`" in capsys.readouterr().out
    assert path.read_text(encoding="utf-8") == broken


def test_an_arxiv_id_yaml_reads_as_a_number_is_the_source_s(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, path = _imported_then_edited(project, tmp_path, "2501.10000", "'2501.10000'", "2501.10000")
    assert "arxiv: 2501.10000\n" in path.read_text(encoding="utf-8")
    capsys.readouterr()
    assert run_import(project, source) == 0
    assert capsys.readouterr().out.strip() == "imported: 1 unchanged"


def test_missing_upvotes_and_links_are_added_without_touching_the_rest(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (
        "---\n"
        "title: A hand-written entry   # keep this comment\n"
        "arxiv: '2503.00002'\n"
        "links:\n"
        "    code: https://github.com/o/r\n"
        "tags: [llm]\n"
        "---\n\n"
        "The abstract,\nwrapped by hand,\n\nin two paragraphs of its own.\n"
    )
    path = project.write("content/2025/2025-03-17/2503.00002.md", original)
    data = [
        item(
            "2503.00002",
            "Other title",
            upvotes=7,
            githubRepo="https://github.com/x/y",
            projectPage="https://example.org/p",
        )
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    assert "(links.project added; upvotes 7 added)" in capsys.readouterr().out
    after = path.read_text(encoding="utf-8")
    assert after == original.replace(
        "    code: https://github.com/o/r\n",
        "    code: https://github.com/o/r\n    project: https://example.org/p\n",
    ).replace("tags: [llm]\n", "tags: [llm]\nupvotes: 7\n")
    assert check(project) == 0


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (
            "links: {code: https://github.com/o/r}",
            "links: {code: https://github.com/o/r, project: 'https://e.org/p'}",
        ),
        ("links: {}", "links: {project: 'https://e.org/p'}"),
        ("links:", "links:\n  project: https://e.org/p"),
        ("", "links:\n  project: https://e.org/p"),
    ],
)
def test_links_are_added_in_the_style_already_there(
    project: Project, tmp_path: Path, links: str, expected: str
) -> None:
    front = f"title: Styled\narxiv: '2503.00003'\nupvotes: 1\n{links}".strip()
    path = project.write("content/2025/2025-03-17/2503.00003.md", f"---\n{front}\n---\n\n{LONG}\n")
    data = [item("2503.00003", projectPage="https://e.org/p", upvotes=1)]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    text = path.read_text(encoding="utf-8")
    assert text == f"---\ntitle: Styled\narxiv: '2503.00003'\nupvotes: 1\n{expected}\n---\n\n{LONG}\n"
    assert check(project) == 0


def test_windows_line_endings_are_kept(project: Project, tmp_path: Path) -> None:
    original = f"---\r\ntitle: Crlf\r\narxiv: '2503.00004'\r\nupvotes: 2\r\n---\r\n\r\n{LONG}\r\n"
    path = project.write("content/2025/2025-03-17/2503.00004.md", original.encode("utf-8"))
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", [item("2503.00004", upvotes=5)])) == 0
    assert path.read_bytes() == original.replace("upvotes: 2", "upvotes: 5").encode("utf-8")


def test_a_file_with_problems_is_kept_and_reported(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = "---\ntitle: [unclosed\narxiv: '2503.00005'\n---\n\nText.\n"
    path = project.write("content/2025/2025-03-17/2503.00005.md", broken)
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", [item("2503.00005", upvotes=5)])) == 0
    out = capsys.readouterr().out
    assert "kept      content/2025/2025-03-17/2503.00005.md  (its front matter has problems" in out
    assert path.read_text(encoding="utf-8") == broken


def test_force_replaces_an_edited_file(project: Project, tmp_path: Path) -> None:
    source = write_day(tmp_path, "2025-03-17.json", [item("2503.00006", "Source Title", upvotes=1)])
    assert run_import(project, source) == 0
    path = project.root / "content/2025/2025-03-17/2503.00006.md"
    fresh = path.read_text(encoding="utf-8")
    path.write_text(fresh.replace("Source Title", "Edited"), encoding="utf-8")
    assert run_import(project, source, "--force") == 0
    assert path.read_text(encoding="utf-8") == fresh


# ---------------------------------------------------------------- duplicates


def test_a_paper_under_another_day_is_reported_not_duplicated(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project.paper("2025-03-10", "2503.07677", 'arxiv: "2503.07677v1"')
    project.paper("2025-03-12", "a-hand-written-entry", title="AI Vs. AI -- Same Title, Other Punctuation")
    data = [
        item("2503.07677", "Whatever"),
        item("2503.00007", "ai vs ai: same title other punctuation"),
        item("2503.00008", "Genuinely new"),
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    out = capsys.readouterr().out
    assert (
        "skipped   content/2025/2025-03-17/2503.07677.md  (already in content/2025/2025-03-10/2503.07677.md)"
        in out
    )
    assert "(already in content/2025/2025-03-12/a-hand-written-entry.md)" in out
    assert "imported: 1 written, 2 skipped (2 already in content/)" in out
    assert sorted(p.name for p in (project.root / "content/2025/2025-03-17").glob("*.md")) == [
        "2503.00008.md"
    ]
    assert check(project) == 0


def test_the_same_paper_twice_in_one_import_is_written_once(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_day(tmp_path, "2025-03-17.json", [item("2503.00009v1")])
    write_day(tmp_path, "2025-03-18.json", [item("2503.00009v2")])
    assert run_import(project, tmp_path) == 0
    out = capsys.readouterr().out
    assert (
        "(the same paper as an earlier item of this import, in content/2025/2025-03-17/2503.00009.md)" in out
    )
    assert check(project) == 0


@pytest.mark.parametrize("force", [False, True])
def test_a_paper_listed_twice_keeps_its_first_item_even_with_force(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str], force: bool
) -> None:
    """`--force` replaces files that were there before the import, never one it just wrote."""
    data = [
        item("2503.00001", "Original Title", authors=[{"name": "Ada"}], upvotes=50),
        item("2503.00001v2", "Second Listing", authors=[{"name": "Bob"}], upvotes=2),
        item("2503.00002", "ORIGINAL title!"),
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-20.json", data), *(["--force"] * force)) == 0
    out = capsys.readouterr().out
    text = (project.root / "content/2025/2025-03-20/2503.00001.md").read_text(encoding="utf-8")
    assert "Original Title" in text and "upvotes: 50" in text and "Bob" not in text
    assert "replaced" not in out and "kept " not in out
    assert (
        out.count(
            "(the same paper as an earlier item of this import, in content/2025/2025-03-20/2503.00001.md)"
        )
        == 2
    )
    assert "imported: 1 written, 2 skipped (2 repeated)" in out


# ---------------------------------------------------------------- fields that come and go


def test_hidden_authors_are_skipped(project: Project, tmp_path: Path) -> None:
    authors = [
        {"name": "Visible One", "hidden": False},
        {"name": "Hidden Person", "hidden": True},
        {"name": "  Visible\n Two  "},
        {"_id": "no name at all"},
    ]
    assert (
        run_import(project, write_day(tmp_path, "2025-03-17.json", [item("2503.00010", authors=authors)]))
        == 0
    )
    text = (project.root / "content/2025/2025-03-17/2503.00010.md").read_text(encoding="utf-8")
    assert "authors:\n- Visible One\n- Visible Two\n" in text
    assert "Hidden" not in text


def test_missing_or_null_optional_fields_are_fine(project: Project, tmp_path: Path) -> None:
    nulls = {
        key: None
        for key in [
            "authors",
            "upvotes",
            "ai_summary",
            "ai_keywords",
            "githubRepo",
            "projectPage",
            "organization",
            "submittedOnDailyBy",
            "submittedOnDailyAt",
            "publishedAt",
        ]
    }
    data = [
        {"paper": {"id": "2503.00011", "title": "Bare minimum", "summary": LONG}},
        {"paper": {"id": "2503.00012", "title": "All null", "summary": LONG, **nulls}, "organization": None},
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    text = (project.root / "content/2025/2025-03-17/2503.00011.md").read_text(encoding="utf-8")
    assert text == f"---\ntitle: Bare minimum\narxiv: '2503.00011'\n---\n\n{LONG.strip()}\n"
    assert (project.root / "content/2025/2025-03-17/2503.00012.md").exists()
    assert check(project) == 0


def test_malformed_items_are_skipped_with_a_message(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data: list[Any] = [
        item("2503.00013", "Good one"),
        item("not-an-id"),
        {"paper": {"id": "2503.00014", "title": "   ", "summary": LONG}},
        {"paper": {"id": "2503.00015", "title": "No abstract"}},
        "a string",
        {"nothing": "useful"},
        {"paper": {"id": 2503.00016, "title": "Id as a number", "summary": LONG}},
        {"paper": {"id": "a-slug-of-a-paper-without-an-arxiv-id-that-runs-on-well-past-sixty", "title": "T"}},
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    out = capsys.readouterr().out
    assert 'skipped   2025-03-17.json item 2: `paper.id` is "not-an-id", not an arXiv id' in out
    assert "item 3 (2503.00014): it has no title" in out
    assert "item 4 (2503.00015): it has no abstract" in out
    assert "item 5: expected an object, found text" in out
    assert "item 6: it has no `paper` object" in out
    assert "item 7: `paper.id` is 2503.00016, not an arXiv id" in out
    assert 'item 8: `paper.id` is "a-slug-of-a-paper-without-an-arxiv-id-that-runs-on-well-past…", not' in out
    assert "imported: 1 written, 7 skipped (4 invalid, 3 no arXiv id)" in out
    assert [p.name for p in (project.root / "content").rglob("*.md")] == ["2503.00013.md"]


def test_links_are_written_as_a_valid_href_writes_them(project: Project, tmp_path: Path) -> None:
    """`|` and braces are the same address percent-encoded: the link is kept, not dropped."""
    data = [item("2503.00018", projectPage="https://fonts.example.org/css?family=A|B&v={2}")]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    text = (project.root / "content/2025/2025-03-17/2503.00018.md").read_text(encoding="utf-8")
    assert "project: https://fonts.example.org/css?family=A%7CB&v=%7B2%7D\n" in text
    assert check(project) == 0


def test_values_that_would_fail_check_are_left_out_with_a_warning(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [
        item(
            "2503.00017",
            githubRepo="javascript:alert(1)",
            projectPage="ftp://example.org/x",
            upvotes=-3,
            ai_keywords="not a list",
            ai_summary=["not", "text"],
            authors=[{"name": 42}, {"name": "Real Person"}],
            organization={"fullname": "x" * 400, "name": "Short Org"},
            submittedOnDailyBy={"user": 12, "fullname": "Some One"},
        )
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    err = capsys.readouterr().err
    assert 'warning: item 1 (2503.00017): `githubRepo` "javascript:alert(1)" left out' in err
    assert "`upvotes` -3 left out" in err
    text = (project.root / "content/2025/2025-03-17/2503.00017.md").read_text(encoding="utf-8")
    assert "links" not in text and "upvotes" not in text and "keywords" not in text and "tldr" not in text
    assert "organization: Short Org\n" in text and "submitted_by: Some One\n" in text
    assert check(project) == 0


def test_a_name_too_long_to_keep_is_left_out_with_a_warning(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [item("2503.00018", organization="x" * 400, submittedOnDailyBy={"fullname": "y" * 301})]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    err = capsys.readouterr().err
    assert 'warning: item 1 (2503.00018): `organization` "xxx' in err
    assert 'the submitter {"fullname": "yyy' in err
    assert err.count("longer than 300 characters") == 2
    text = (project.root / "content/2025/2025-03-17/2503.00018.md").read_text(encoding="utf-8")
    assert "organization" not in text and "submitted_by" not in text


# ---------------------------------------------------------------- which day


def test_day_comes_from_submitted_on_daily_not_published(project: Project, tmp_path: Path) -> None:
    data = [
        item(
            "2503.00018",
            publishedAt="2025-03-10T00:00:00.000Z",
            submittedOnDailyAt="2025-03-17T08:00:00.000Z",
        ),
        item("2503.00019", publishedAt="2025-03-10T00:00:00.000Z"),
    ]
    path = write_day(tmp_path, "export.json", data)
    assert run_import(project, path) == 0
    assert (project.root / "content/2025/2025-03-17/2503.00018.md").exists()
    assert list((project.root / "content").rglob("2503.00019.md")) == []
    assert run_import(project, path, "--date", "2025-03-20") == 0
    assert (project.root / "content/2025/2025-03-20/2503.00019.md").exists()


def test_an_item_without_a_day_is_skipped_with_how_to_give_it_one(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(project, write_day(tmp_path, "export.json", [item("2503.00019")])) == 0
    assert (
        "skipped   export.json item 1 (2503.00019): no day for it  (name the file YYYY-MM-DD.json after "
        "the day of the list, or pass --date)" in capsys.readouterr().out
    )


def test_date_for_files_of_several_days_of_their_own_is_refused(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It put every file's papers on that one day, without a word; one file may be moved."""
    for day in ("2025-03-16", "2025-03-17"):
        write_day(tmp_path, f"{day}.json", [item(f"2503.{day[-2:]}000")])
    assert run_import(project, tmp_path, "--date", "2025-03-20") == 2
    assert "--date 2025-03-20 would put the papers of 2 files on that one day" in capsys.readouterr().err
    assert not list((project.root / "content").rglob("*.md"))
    assert run_import(project, tmp_path / "2025-03-16.json", "--date", "2025-03-20") == 0
    assert (project.root / "content/2025/2025-03-20/2503.16000.md").exists()


def test_since_and_until_limit_the_days(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day in ("2025-03-16", "2025-03-17", "2025-03-18"):
        write_day(tmp_path, f"{day}.json", [item(f"2503.{day[-2:]}000")])
    write_day(
        tmp_path / "undated", "dump.json", [item("2503.19000", submittedOnDailyAt="2025-03-19T00:00:00Z")]
    )
    assert run_import(project, tmp_path, "--since", "2025-03-17", "--until", "2025-03-18") == 0
    names = sorted(p.name for p in (project.root / "content").rglob("*.md"))
    assert names == ["2503.17000.md", "2503.18000.md"]
    assert "1 ignored (1 outside --since/--until)" in capsys.readouterr().out


def test_bad_json_stops_before_anything_is_written(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_day(tmp_path, "2025-03-16.json", [item("2503.00020")])
    (tmp_path / "2025-03-17.json").write_text('[{"paper": ', encoding="utf-8")
    (tmp_path / "2025-03-18.json").write_text('{"not": "a list"}', encoding="utf-8")
    assert run_import(project, tmp_path) == 1
    err = capsys.readouterr().err
    assert "2025-03-17.json:1: error: the response is not valid JSON" in err
    assert "2025-03-18.json: error: expected a JSON list of papers, found an object" in err
    assert list((project.root / "content").rglob("*.md")) == []


def test_no_input_is_a_clear_error(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(project) == 1
    assert "--fetch --date" in capsys.readouterr().err
    assert run_import(project, project.root / "missing.json") == 1
    assert "no such file or folder" in capsys.readouterr().err


# ---------------------------------------------------------------- --fetch


class HfServer(RecordedServer):
    """A local stand-in for the daily papers API: `?date=` -> an answer."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]) -> None:
        super().__init__(answers, "date", "/api/daily_papers", "application/json")


@pytest.fixture
def hf_api() -> Iterator[HfServer]:
    answers = {
        "2025-03-17": (200, json.dumps([item("2503.00021"), item("2503.00022")]).encode()),
        "2025-03-18": (
            200,
            json.dumps([item("2503.00023", submittedOnDailyAt="2025-03-01T00:00:00Z")]).encode(),
        ),
        "2025-03-19": (500, b"Internal Server Error"),
        "2025-03-20": (200, b"<html>maintenance</html>"),
    }
    server = HfServer(answers)
    yield server
    server.close()


def test_fetch_downloads_each_day(
    project: Project, hf_api: HfServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = (
        "--fetch",
        "--date",
        "2025-03-17",
        "--until",
        "2025-03-18",
        "--endpoint",
        hf_api.url,
        "--delay",
        "0",
    )
    assert run_import(project, *args) == 0
    assert hf_api.requests == ["/api/daily_papers?date=2025-03-17", "/api/daily_papers?date=2025-03-18"]
    names = sorted(
        p.relative_to(project.root / "content").as_posix() for p in (project.root / "content").rglob("*.md")
    )
    # the day is the one asked for, whatever the item says
    assert names == [
        "2025/2025-03-17/2503.00021.md",
        "2025/2025-03-17/2503.00022.md",
        "2025/2025-03-18/2503.00023.md",
    ]
    captured = capsys.readouterr()
    assert "fetched 2025-03-17: 2 items" in captured.err
    assert "imported: 3 written" in captured.out
    assert check(project) == 0


def test_fetch_endpoint_from_the_environment(
    project: Project, hf_api: HfServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(hf.ENDPOINT_ENV, hf_api.url + "?extra=1")
    assert run_import(project, "--fetch", "--date", "2025-03-17") == 0
    assert hf_api.requests == ["/api/daily_papers?extra=1&date=2025-03-17"]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("2025-03-17", "2025-03-19", "the daily papers API answered HTTP 500"),  # good days first
        ("2025-03-20", "2025-03-20", "the response is not valid JSON"),
        ("2025-03-21", "2025-03-21", "the daily papers API answered HTTP 404"),
    ],
)
def test_fetch_errors_write_nothing(
    project: Project,
    hf_api: HfServer,
    capsys: pytest.CaptureFixture[str],
    first: str,
    last: str,
    message: str,
) -> None:
    args = ("--fetch", "--date", first, "--until", last, "--endpoint", hf_api.url, "--delay", "0")
    assert run_import(project, *args) == 1
    err = capsys.readouterr().err
    assert message in err
    assert list((project.root / "content").rglob("*.md")) == []


def test_fetch_offline(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/api/daily_papers"
    assert run_import(project, "--fetch", "--date", "2025-03-17", "--endpoint", endpoint) == 1
    err = capsys.readouterr().err
    assert "cannot reach the daily papers API" in err and "nothing was written" in err
    assert list((project.root / "content").rglob("*.md")) == []


def test_fetch_waits_politely_between_days() -> None:
    waits: list[float] = []
    answers = {day: (200, b"[]") for day in ("2025-03-17", "2025-03-18", "2025-03-19")}
    server = HfServer(answers)
    try:
        batches = hf.fetch_batches(
            server.url, dt.date(2025, 3, 17), dt.date(2025, 3, 19), 1.5, sleep=waits.append
        )
    finally:
        server.close()
    assert [b.day for b in batches] == [dt.date(2025, 3, 17), dt.date(2025, 3, 18), dt.date(2025, 3, 19)]
    assert waits == [1.5, 1.5]
    with pytest.raises(PapersError, match="before"):
        hf.fetch_batches(server.url, dt.date(2025, 3, 17), dt.date(2025, 3, 16))


# ---------------------------------------------------------------- any JSON at all

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_text = st.text(st.characters(blacklist_categories=()), max_size=200)
_ids = st.from_regex(r"\A\d{4}\.\d{4,5}(v[1-9])?\Z") | st.sampled_from(["hep-th/9901001", "arXiv:2503.1", ""])
_urls = st.sampled_from(
    ["https://github.com/a/b", " http://x.org/p ", "javascript:x", "https://", "http://a b"]
)
_names = st.fixed_dictionaries({}, optional={"name": _text | _json, "hidden": _json, "user": _json})
_people = st.fixed_dictionaries({}, optional={"user": _text | _json, "fullname": _text, "name": _json})
_optional = {
    "authors": st.lists(_names | _json, max_size=4) | _json,
    "upvotes": st.integers(-(10**10), 10**10) | _json,
    "ai_summary": _text | _json,
    "ai_keywords": st.lists(_text | _json, max_size=5) | _json,
    "githubRepo": _urls | _text | _json,
    "projectPage": _urls | _json,
    "organization": _people | _json,
    "submittedOnDailyBy": _people | _json,
    "submittedOnDailyAt": st.sampled_from(["2025-03-17T00:44:05.364Z", "2025-02-30", "x"]) | _json,
}
_required = {"id": _ids, "title": _text, "summary": _text}
# Mostly well-formed papers with odd values, and anything at all.
_plausible = st.fixed_dictionaries(_required, optional=_optional)
_anything = st.fixed_dictionaries(
    {}, optional={key: value | _json for key, value in (_required | _optional).items()}
)
_items = st.one_of(
    st.fixed_dictionaries({"paper": _plausible}, optional={"organization": _people, "submittedBy": _people}),
    st.fixed_dictionaries({"paper": _anything}),
    _json,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=_items, day=st.none() | st.just(dt.date(2025, 3, 17)))
def test_any_item_gives_a_valid_paper_or_a_problem(raw: Any, day: dt.date | None) -> None:
    parsed = hf.parse_item(raw, "x.json", 1, day)
    if parsed.candidate is None:
        assert [p.severity for p in parsed.problems] == ["error"]
        return
    assert all(p.severity == "warning" for p in parsed.problems)
    candidate: Candidate = parsed.candidate
    text = format_paper(candidate.fields, candidate.body)
    assert len(text.encode("utf-8")) < MAX_FILE_BYTES
    slug = arxiv_slug(str(candidate.arxiv))
    label = f"content/{candidate.day.year}/{candidate.day.isoformat()}/{slug}.md"
    source = SourceFile(Path(label), label, candidate.day, slug, text)
    paper, problems = check_source(source, {})
    assert [p for p in problems if p.severity == "error"] == []
    assert paper is not None and paper.title == candidate.title


def test_what_would_not_pass_the_check_is_not_written(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = [
        item("2503.00021", title="\\emph{}"),
        item("2503.00022", summary="[x]: https://x.org"),
        item("2503.00023", title="A title that is fine"),
    ]
    assert run_import(project, write_day(tmp_path, "2025-03-17.json", data)) == 0
    out = capsys.readouterr().out
    assert 'its title "\\\\emph{}" shows no text' in out
    assert "its abstract shows no text" in out
    assert [p.name for p in (project.root / "content").rglob("*.md")] == ["2503.00023.md"]
    assert run_import(project, write_day(tmp_path, "9999-12-31.json", [item("2503.00024")])) == 0
    assert "not between the years 1000 and 9998" in capsys.readouterr().out
    assert not (project.root / "content/9999").exists()
    assert check(project) == 0


@pytest.mark.parametrize(
    "link",
    ["https://github.com/a/b\u202e", "https://x.org/\u2066p\u2069", "https://github.com@evil.example/a/b"],
)
def test_a_link_the_checker_would_refuse_is_dropped_not_the_paper(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    item = {
        "paper": {"id": "2501.40001", "title": "A Paper With A Bad Link", "summary": "An abstract. " * 20}
    }
    item["paper"]["githubRepo"] = link
    source = tmp_path / "2025-02-01.json"
    source.write_text(json.dumps([item]), encoding="utf-8")
    assert run_import(project, source) == 0
    captured = capsys.readouterr()
    written = project.root / "content/2025/2025-02-01/2501.40001.md"
    assert written.is_file() and "links" not in written.read_text(encoding="utf-8"), captured.out
    assert "warning: " in captured.err and "`githubRepo`" in captured.err


@pytest.mark.parametrize(
    ("summary", "shown"),
    [
        ("# of tokens matters. " * 10, "<p># of tokens matters."),
        ("> 90% of the cases work. " * 10, "<p>&gt; 90% of the cases work."),
        ("- We propose a method. " * 10, "<p>- We propose a method."),
        ("1. We propose a method. " * 10, "<p>1. We propose a method."),
    ],
)
def test_a_plain_text_abstract_that_looks_like_markdown_stays_text(
    project: Project, tmp_path: Path, summary: str, shown: str
) -> None:
    """An abstract is plain text: `# of tokens` is no heading, `1.` starts no list."""
    item = {"paper": {"id": "2501.40002", "title": "A Paper Starting Oddly", "summary": summary}}
    source = tmp_path / "2025-02-01.json"
    source.write_text(json.dumps([item]), encoding="utf-8")
    assert run_import(project, source) == 0
    paper = read_site(project.root).papers[0]
    assert render_body(paper.body).startswith(shown)


def test_a_file_named_after_a_day_that_does_not_exist_is_refused(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "2025-02-30.json"
    source.write_text(
        json.dumps([{"paper": {"id": "2501.40003", "title": "T", "summary": "S"}}]), encoding="utf-8"
    )
    assert run_import(project, source) == 1
    assert "`2025-02-30` in the file's name is not a day that exists" in capsys.readouterr().err


def test_characters_the_importer_removes_are_said(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What it writes differs from its source: a warning says where."""
    paper: dict[str, object] = {
        "id": "2501.40004",
        "title": "Safe \u202etitle",
        "summary": "An abstract. " * 20 + "Its \u2067isolated\u2069 \u202eword.",
    }
    paper["authors"] = [{"name": "Ada\u0007 Lovelace"}]
    source = tmp_path / "2025-02-01.json"
    source.write_text(json.dumps([{"paper": paper}]), encoding="utf-8")
    assert run_import(project, source) == 0
    err = capsys.readouterr().err
    assert (
        "control or invisible direction characters removed from `title`, `summary`, an author's name" in err
    )
    (written,) = read_site(project.root).papers  # written, as the warning says, not skipped
    assert written.title == "Safe title"
    assert written.body.endswith("Its isolated word.")
