"""Related papers: TF-IDF cosine through an inverted index, on the real content and small cases."""

from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path

import pytest

from generator import forking, related, related_index
from generator.content import read_site
from generator.model import Paper
from generator.related import (
    RelatedViews,
    cached_related_papers,
    counted_terms,
    plain_words,
    related_papers,
    stem,
    term_counts,
    text_key,
)
from generator.related_index import RelatedIndex
from generator.views import PaperView
from tests.conftest import REPO, Project
from tests.wiring import build_all

ZERO = "zero-memory-optimizations-toward-training-trillion-parameter-models"
ZERO_INFINITY = "zero-infinity-breaking-the-gpu-memory-wall-for-extreme-scale-deep-learning"
DAY = dt.date(2025, 3, 17)


def paper(slug: str, title: str, body: str) -> Paper:
    return Paper(slug=slug, day=DAY, title=title, body=body, source=f"content/2025/2025-03-17/{slug}.md")


@pytest.fixture(scope="module")
def real_papers() -> list[Paper]:
    return read_site(REPO).papers


@pytest.fixture(scope="module")
def real_related(real_papers: list[Paper]) -> dict[str, tuple[str, ...]]:
    return related_papers(real_papers)


def test_the_two_zero_papers_list_each_other(real_related: dict[str, tuple[str, ...]]) -> None:
    assert real_related[ZERO][0] == ZERO_INFINITY
    assert real_related[ZERO_INFINITY][0] == ZERO


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        (
            "leanvec-search-your-vectors-faster-by-making-them-fit",
            {
                "curator-efficient-indexing-for-multi-tenant-vector-databases",
                "squash-serverless-and-distributed-quantization-based-attributed-vector",
            },
        ),
        (
            "jaxmarl-multi-agent-rl-environments-in-jax",
            {
                "d4rl-datasets-for-deep-data-driven-reinforcement-learning",
                "envpool-a-highly-parallel-reinforcement-learning-environment-execution-engine",
            },
        ),
    ],
)
def test_papers_on_the_same_topic_come_first(
    real_related: dict[str, tuple[str, ...]], slug: str, expected: set[str]
) -> None:
    assert expected <= set(real_related[slug][:3])


def test_every_paper_gets_at_most_k_others_and_never_itself(
    real_papers: list[Paper], real_related: dict[str, tuple[str, ...]]
) -> None:
    assert set(real_related) == {p.slug for p in real_papers}
    for slug, others in real_related.items():
        assert slug not in others
        assert len(others) <= 5
        assert len(set(others)) == len(others)
    assert sum(1 for others in real_related.values() if others) > 0.8 * len(real_papers)
    assert all(len(others) <= 2 for others in related_papers(real_papers, k=2).values())


def test_the_result_does_not_depend_on_the_input_order(
    real_papers: list[Paper], real_related: dict[str, tuple[str, ...]]
) -> None:
    shuffled = list(real_papers)
    random.Random(7).shuffle(shuffled)
    assert related_papers(shuffled) == real_related


def test_equal_scores_are_ordered_by_slug() -> None:
    body = "Sparse attention kernels for long context transformers on graphics processors."
    papers = [
        paper("b-copy", "Sparse attention kernels", body),
        paper("a-copy", "Sparse attention kernels", body),
        paper("query", "Sparse attention kernels", body),
        paper("unrelated", "Protein folding", "Molecular dynamics of folding proteins in water."),
    ]
    result = related_papers(papers)
    assert result["query"] == ("a-copy", "b-copy")
    assert result["unrelated"] == ()


def test_a_lone_paper_and_an_empty_site_have_no_related_papers() -> None:
    assert related_papers([]) == {}
    assert related_papers([paper("only", "A title", "Some words here.")]) == {"only": ()}


def test_titles_count_more_than_abstract_words() -> None:
    shared = "Graph neural networks for molecules."
    papers = [
        paper("query", "Diffusion policies for robot grasping", shared + " Diffusion policies for robots."),
        paper("same-title-words", "Diffusion policies in robot grasping", "Unrelated text about cooking."),
        paper("same-body", "Something else entirely", shared),
    ]
    assert related_papers(papers)["query"][0] == "same-title-words"


def test_tex_and_markdown_are_read_as_words() -> None:
    assert plain_words("Fr\\'echet $\\alpha$-divergences, **bold** `code`") == [
        "frechet",
        "divergences",
        "bold",
        "code",
    ]
    assert plain_words("Erdős–Rényi graphs") == ["erdos", "renyi", "graphs"]
    counts = term_counts("Sparse Models", "The sparse models of the models.")
    assert counts["model"] == 2 + related.TITLE_WEIGHT
    assert "the" not in counts and "of" not in counts


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("models", "model"),
        ("queries", "query"),
        ("analyses", "analyse"),
        ("class", "class"),
        ("corpus", "corpus"),
    ],
)
def test_plurals_meet_their_singular(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_postings_are_capped_so_common_terms_stay_cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(related_index, "POSTINGS_CAP", 3)
    papers = [
        paper(f"p{i:02d}", f"Transformer pruning study {i}", "Transformer pruning of attention heads.")
        for i in range(10)
    ]
    index = RelatedIndex()
    index.update({p.slug: text_key(p) for p in papers}, {text_key(p): counted_terms(p) for p in papers}, 5)
    assert index.members and all(len(members) <= 3 for members in index.members.values())
    assert len(index.holders["transformer"]) == 10, "every paper holds the term, three are its postings"
    result = related_papers(papers)
    assert all(0 < len(others) <= 5 for others in result.values())


def test_the_cached_result_is_the_same_and_is_reused(real_papers: list[Paper]) -> None:
    first = cached_related_papers(real_papers)
    assert first == related_papers(real_papers)
    assert cached_related_papers(list(reversed(real_papers))) is first


def test_the_template_global_gives_views_and_a_memo_key(real_papers: list[Paper]) -> None:
    views = {p.slug: PaperView(p) for p in real_papers}
    global_ = RelatedViews(related_papers(real_papers), views)
    assert global_(ZERO)[0] is views[ZERO_INFINITY]
    assert global_("no-such-paper") == []
    key = global_.key(ZERO)
    assert isinstance(key, tuple) and key[0] == (ZERO_INFINITY, views[ZERO_INFINITY].paper.title, DAY)
    hash(key)


def test_the_paper_page_lists_related_papers_and_hides_the_section_when_none(
    project: Project, tmp_path: Path
) -> None:
    project.paper(
        "2025-03-17",
        "2503.00001",
        'arxiv: "2503.00001"',
        "We shard optimizer states across data parallel workers to train trillion parameter models.",
        title="Sharded optimizer states for trillion parameter training",
    )
    project.paper(
        "2025-03-16",
        "2503.00002",
        'arxiv: "2503.00002"',
        "Offloading optimizer states to NVMe lets data parallel training reach trillion parameters.",
        title="Offloading optimizer states for trillion parameter training",
    )
    project.paper("2025-03-16", "a-poem", "", "Roses bloom in spring gardens.", title="On roses")
    out = build_all(project.root, tmp_path / "public", "https://example.github.io/daily-papers/")
    page = (out / "papers/2503.00001/index.html").read_text(encoding="utf-8")
    section = page[
        page.index('<section class="related"') : page.index("</section>", page.index('class="related"'))
    ]
    assert 'href="/daily-papers/papers/2503.00002/"' in section
    assert "Offloading optimizer states for trillion parameter training" in section
    assert '<time class="related-day" datetime="2025-03-16">16 March 2025</time>' in section
    assert "a-poem" not in section
    assert 'class="related"' not in (out / "papers/a-poem/index.html").read_text(encoding="utf-8")


def test_forked_workers_give_the_same_lists(
    real_papers: list[Paper],
    real_related: dict[str, tuple[str, ...]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Large sites compute the lists in a child process, which shares the papers out to
    workers; the lists, their order and the term digests stay the same."""
    here_terms: dict[str, bytes] = {}
    related.related_papers(real_papers, terms=here_terms)
    log = tmp_path / "shared-out"  # written by the child, where the workers are asked for

    def three_workers(papers: int, min_per_worker: int) -> int:
        with log.open("a", encoding="utf-8") as file:
            file.write(f"{os.getpid()} {papers}\n")
        return 3

    monkeypatch.setattr(forking, "worker_count", three_workers)
    monkeypatch.setattr(forking, "can_fork", lambda: True)  # even beside a browser test's threads
    monkeypatch.setattr(related, "MIN_PAPERS_PER_WORKER", 1)
    monkeypatch.setattr(related_index, "MIN_PAPERS_PER_WORKER", 1)
    child_terms: dict[str, bytes] = {}
    shared = related.related_papers(real_papers, terms=child_terms)
    assert shared == real_related
    assert list(shared) == list(real_related)
    assert child_terms == here_terms
    calls = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    assert [int(papers) for _, papers in calls] == [len(real_papers)] * 3  # counted, weighed, scored
    assert {int(pid) for pid, _ in calls} != {os.getpid()}, "the lists were computed here, not in a child"
