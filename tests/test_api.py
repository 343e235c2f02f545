"""The static API: Hugging Face's daily papers shape, deterministic bytes, and a round trip
through `papers import hf` that gives back the same paper files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.api import json_bytes, render_api
from generator.cli import main
from generator.config import load_config
from generator.content import read_site
from generator.importers import hf
from generator.model import Paper
from generator.render import Page, Renderer
from generator.write import write_pages
from tests.conftest import HF_SAMPLES, Project, require_shared

BASE = "https://example.github.io/daily-papers/"


def api_pages(root: Path, base_url: str = BASE) -> tuple[Renderer, list[Page]]:
    renderer = Renderer(load_config(root).with_base_url(base_url), root / "layouts")
    return renderer, list(render_api(renderer, read_site(root).site))


def write_api(root: Path, out: Path) -> Path:
    """The API files of the project at `root`, written under `out`; returns the day lists' folder."""
    write_pages(out, api_pages(root)[1])
    return out / "api" / "daily_papers"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def papers_of(root: Path) -> dict[str, Paper]:
    return {paper.slug: paper for paper in read_site(root).papers}


def files_of(root: Path) -> dict[str, bytes]:
    content = root / "content"
    return {p.relative_to(content).as_posix(): p.read_bytes() for p in sorted(content.rglob("*.md"))}


def test_day_lists_have_the_daily_papers_shape(sample_project: Project, tmp_path: Path) -> None:
    folder = write_api(sample_project.root, tmp_path / "out")
    assert sorted(p.name for p in folder.iterdir()) == [
        "2024-12-31.json",
        "2025-03-16.json",
        "2025-03-17.json",
    ]
    items = load(folder / "2025-03-17.json")
    assert [item["paper"]["id"] for item in items] == ["2503.11111v2", "second-paper-of-the-day"]
    item = items[0]
    paper = item["paper"]
    assert item["title"] == paper["title"] == "Sparse $\\alpha$-Attention for Fr\\'echet Diffusion"
    assert item["summary"] == paper["summary"]
    assert paper["summary"].startswith("We study $\\alpha$-divergences")
    assert paper["authors"] == [{"name": "Ada Lovelace"}, {"name": "Paul Erdős"}]
    assert paper["upvotes"] == 12
    assert paper["ai_summary"] == "A short summary with $x^2$."
    assert paper["githubRepo"] == "https://github.com/example/code"
    assert paper["submittedOnDailyAt"] == "2025-03-17T00:00:00.000Z"
    assert "publishedAt" not in paper and "projectPage" not in paper
    assert paper["dailyPapers"] == {
        "arxiv": "2503.11111v2",
        "day": "2025-03-17",
        "links": {"code": "https://github.com/example/code"},
        "slug": "2503.11111",
        "tags": ["llm", "reinforcement-learning"],
        "url": "https://example.github.io/daily-papers/papers/2503.11111/",
    }
    without_arxiv = items[1]["paper"]
    assert "upvotes" in without_arxiv and "ai_summary" not in without_arxiv
    assert without_arxiv["authors"] == []


def test_paper_files_and_the_index(sample_project: Project, tmp_path: Path) -> None:
    write_api(sample_project.root, tmp_path / "out")
    api = tmp_path / "out" / "api"
    one = load(api / "papers" / "2503.11111.json")
    day = load(api / "daily_papers" / "2025-03-17.json")
    assert one == day[0]["paper"]
    assert load(api / "papers" / "an-older-paper.json")["id"] == "an-older-paper"
    index = load(api / "index.json")
    assert index["papers"] == 4
    assert index["days"][0] == {"date": "2025-03-17", "papers": 2, "path": "api/daily_papers/2025-03-17.json"}
    assert [d["date"] for d in index["days"]] == ["2025-03-17", "2025-03-16", "2024-12-31"]


def test_the_bytes_are_deterministic_compact_utf8_with_sorted_keys(sample_project: Project) -> None:
    _, first = api_pages(sample_project.root)
    _, second = api_pages(sample_project.root)
    assert [(p.path, p.content) for p in first] == [(p.path, p.content) for p in second]
    text = next(p for p in first if p.path == "api/papers/2503.11111.json").content.decode("utf-8")
    assert "Erdős" in text and "\n" not in text.replace("\\n", "")
    assert text == json_bytes(json.loads(text)).decode("utf-8")
    assert all(not p.in_sitemap for p in first)


def test_unchanged_files_come_from_the_memo(sample_project: Project) -> None:
    renderer, first = api_pages(sample_project.root)
    rendered = renderer.rendered
    site = read_site(sample_project.root).site
    again = list(render_api(renderer, site))
    assert renderer.rendered == rendered and again == first
    sample_project.paper(
        "2025-03-16", "an-older-paper", "tags: [diffusion]\nauthors: [Grace Hopper]\nupvotes: 9"
    )
    changed = {p.path: p for p in render_api(renderer, read_site(sample_project.root).site)}
    # the paper and its day; the index only counts papers
    assert renderer.rendered == rendered + 2
    assert load_bytes(changed["api/papers/an-older-paper.json"])["upvotes"] == 9


def load_bytes(page: Page) -> Any:
    return json.loads(page.content)


def test_every_item_reads_back_as_the_same_candidate(sample_project: Project, tmp_path: Path) -> None:
    folder = write_api(sample_project.root, tmp_path / "out")
    papers = papers_of(sample_project.root)
    item = load(folder / "2025-03-17.json")[0]
    parsed = hf.parse_item(item, "2025-03-17.json", 1, papers["2503.11111"].day)
    assert parsed.candidate is not None and parsed.problems == []
    bare = hf.parse_item(load(folder.parent / "papers" / "2503.11111.json"), "x.json", 1)
    assert bare.candidate == parsed.candidate
    assert parsed.candidate.body == papers["2503.11111"].body


def import_into(project: Project, folder: Path) -> int:
    return main(["--root", str(project.root), "import", "hf", str(folder)])


def test_round_trip_of_the_hugging_face_samples_gives_the_same_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    samples = require_shared(HF_SAMPLES)
    original = Project(tmp_path / "original")
    assert import_into(original, samples) == 0
    folder = write_api(original.root, tmp_path / "out")
    copy = Project(tmp_path / "copy")
    capsys.readouterr()
    assert import_into(copy, folder) == 0
    assert "imported: 63 written" in capsys.readouterr().out
    assert papers_of(copy.root) == papers_of(original.root)
    assert files_of(copy.root) == files_of(original.root)


def test_round_trip_keeps_what_the_api_can_carry(
    sample_project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_api(sample_project.root, tmp_path / "out")
    copy = Project(tmp_path / "copy")
    capsys.readouterr()
    assert import_into(copy, folder) == 0
    out = capsys.readouterr().out
    assert "1 written" in out and "3 skipped" in out  # the papers without an arXiv id
    original, back = papers_of(sample_project.root)["2503.11111"], papers_of(copy.root)["2503.11111"]
    assert back.tags == () and original.tags  # Hugging Face has no tags
    for field in ("title", "body", "authors", "arxiv", "links", "tldr", "upvotes", "day", "source"):
        assert getattr(back, field) == getattr(original, field), field
