"""The related-papers index brought up to date after edits equals one computed from nothing."""

from __future__ import annotations

import datetime as dt
import pickle
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.related import synthetic_papers
from generator import related_index
from generator.content import read_site
from generator.model import Paper
from generator.related import counted_terms, related_papers, text_key
from generator.related_index import CountStore, RelatedIndex, level
from tests.conftest import REPO, record_calls

DAY = dt.date(2025, 3, 17)
WORDS = [
    "sparse",
    "attention",
    "graph",
    "diffusion",
    "protein",
    "robot",
    "policy",
    "kernel",
    "memory",
    "token",
    "quantum",
    "vision",
]


def paper(slug: str, title: str, body: str) -> Paper:
    return Paper(slug=slug, day=DAY, title=title, body=body, source=f"content/2025/2025-03-17/{slug}.md")


def fresh_index(papers: list[Paper], k: int = 5) -> RelatedIndex:
    index = RelatedIndex()
    update(index, papers, k)
    return index


def update(index: RelatedIndex, papers: list[Paper], k: int = 5) -> None:
    ordered = sorted(papers, key=lambda p: p.slug)
    index.update({p.slug: text_key(p) for p in ordered}, {text_key(p): counted_terms(p) for p in ordered}, k)


texts = st.lists(st.sampled_from(WORDS), min_size=0, max_size=10).map(" ".join)
operations = st.lists(
    st.tuples(st.sampled_from(["edit", "edit", "add", "remove"]), st.integers(0, 50), texts, texts),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=2, max_size=14), operations)
def test_an_index_kept_up_to_date_equals_one_made_from_nothing(
    start: list[tuple[str, str]], changes: list[tuple[str, int, str, str]]
) -> None:
    with pytest.MonkeyPatch.context() as patch:  # small limits, so postings are capped and candidates cut
        patch.setattr(related_index, "POSTINGS_CAP", 3)
        patch.setattr(related_index, "CANDIDATES", 4)
        patch.setattr(related_index, "TERMS_PER_PAPER", 4)
        papers = [paper(f"p{i:03d}", title, body) for i, (title, body) in enumerate(start)]
        index = fresh_index(papers, k=3)
        for number, (what, at, title, body) in enumerate(changes):
            if what == "add" or not papers:
                papers.append(paper(f"n{number:03d}", title, body))
            elif what == "edit":
                old = papers[at % len(papers)]
                papers[at % len(papers)] = paper(old.slug, title, body)
            else:
                papers.pop(at % len(papers))
            update(index, papers, k=3)
            assert index == fresh_index(papers, k=3)


def test_edits_to_the_real_papers_give_the_lists_of_a_full_computation() -> None:
    papers = read_site(REPO).papers
    rng = random.Random(5)
    words = " ".join(p.body for p in rng.sample(papers, 10)).split()
    index = fresh_index(papers)
    for _ in range(6):
        at = rng.randrange(len(papers))
        old = papers[at]
        papers[at] = paper(old.slug, old.title, f"{old.body} {' '.join(rng.sample(words, 12))}")
        update(index, papers)
        assert index.lists == related_papers(papers)
        assert index == fresh_index(papers)


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The slug of every paper whose list is computed from here on."""
    return record_calls(monkeypatch, RelatedIndex, "_scored", lambda index, slug: slug)


def test_an_edit_scores_only_the_papers_it_can_change(scored: list[str]) -> None:
    papers = synthetic_papers(2000)  # the real texts resampled: on 83 papers, each is near all
    index = fresh_index(papers)
    scored.clear()
    at = next(i for i, p in enumerate(papers) if "diffusion" in p.body.lower())
    old = papers[at]
    papers[at] = paper(old.slug, old.title, old.body + " We also sample with a diffusion model.")
    update(index, papers)
    assert old.slug in scored
    assert 0 < len(scored) < len(papers) / 10
    assert index == fresh_index(papers)


def test_a_new_step_in_the_paper_count_computes_everything(scored: list[str]) -> None:
    """idf reads the paper count in steps; crossing one changes every weight, and every list
    is scored again."""
    count = next(n for n in range(2, 100) if level(n + 1) != level(n))
    papers = [paper(f"p{i:03d}", "Sparse attention", f"Kernel memory topic{i % 3}.") for i in range(count)]
    index = fresh_index(papers)
    scored.clear()
    papers.append(paper("zz", "Graph diffusion", "Protein robot policy."))
    update(index, papers)
    assert len(scored) == len(papers)
    assert index == fresh_index(papers)


terms = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=2, max_size=12)


@given(st.dictionaries(terms, st.integers(1, 10_000), max_size=40), terms)
def test_packed_counts_may_hold_every_term_they_count(counts: dict[str, int], other: str) -> None:
    store = CountStore()
    store.add(b"text", (counts, b"digest"))
    again = pickle.loads(pickle.dumps(store))  # read from the packed bytes, as a later build does
    assert again == store and again.counts(b"text") == counts and again.digest(b"text") == b"digest"
    assert all(again.may_hold(b"text", [term.encode()]) for term in counts)
    if not again.may_hold(b"text", [other.encode()]):
        assert other not in counts


@given(st.dictionaries(terms, st.integers(1, 50), min_size=1, max_size=30), st.randoms())
def test_a_vector_does_not_depend_on_the_order_of_the_counts(
    counts: dict[str, int], rng: random.Random
) -> None:
    """Equal term counts give equal vectors to the last bit, as related lists are reused
    while a paper's terms stay, and the kept index holds counts as marshal reads them back."""
    items = list(counts.items())
    rng.shuffle(items)
    idf = {term: 1.0 + index % 7 * 0.25 for index, term in enumerate(sorted(counts)) if index % 3}
    assert related_index.weigh(dict(items), idf, 3.5) == related_index.weigh(counts, idf, 3.5)
