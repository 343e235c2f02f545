"""The index behind related papers, kept between builds so that an edit redoes only what it can change.

Each paper is a vector of its `TERMS_PER_PAPER` strongest terms that another paper also
uses, weighted (1 + ln tf) * idf and scaled by the norm of all its terms. A term's
postings are its `POSTINGS_CAP` strongest papers, listed by slug. A paper's candidates
are the `CANDIDATES` papers found most often in the postings of its terms; they are
scored by cosine over the kept terms, and the best `k` above `MIN_SCORE` are its list.

idf counts document frequencies and the paper count in steps of `STEP` on a log scale,
so one paper more or one edited changes a term's weight only when its frequency crosses
a step. Then, exactly:
- a vector depends on the paper's term counts, the paper count's step and its terms' idf;
- candidates depend on the vector and the members of its terms' postings;
- a list depends on the candidates and their vectors.
`RelatedIndex.update` follows these three steps from the papers whose text changed, and
scores again only the papers they reach; the lists equal those of a full computation.
"""

from __future__ import annotations

import marshal
import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path

from generator.forking import fork_map
from generator.kept import load_kept, save_kept

TERMS_PER_PAPER = 20
POSTINGS_CAP = 100
CANDIDATES = 30
MIN_SCORE = 0.05  # below this two papers share only incidental words (checked on content/)
SCORE_DIGITS = 9  # scores are rounded before comparing, so ties do not depend on float noise
STEP = 0.25  # idf steps, in ln: a frequency counts the same within 28% of itself
MIN_PAPERS_PER_WORKER = 3000  # below this, forking costs more than it saves

Vector = dict[str, float]  # the indexed terms of a paper and their weights, strongest first
# A paper's terms and how often each occurs (a dict, not a Counter: it pickles faster).
Counts = dict[str, int]
Counted = tuple[Counts, bytes]  # a paper's term counts and their digest
_second = itemgetter(1)


def level(count: int) -> int:
    """ln(1 + count) in whole steps: the precision idf reads counts with."""
    return math.floor(math.log1p(count) / STEP)


def idf_of(frequency: int, total: int) -> float:
    """The idf of a term in `frequency` papers out of papers at level `total`."""
    return (total - level(frequency)) * STEP + 1.0


def weigh(counts: Counts, idf: dict[str, float], unique_idf: float) -> Vector:
    """A paper's vector: `idf` holds the shared terms; a term of this paper only still counts
    in the norm (at `unique_idf`)."""
    get = idf.get
    weighed = [(_log_tf(count) * get(term, unique_idf), term) for term, count in counts.items()]
    norm = math.fsum([weight * weight for weight, _ in weighed])  # exact: term order cannot matter
    scale = 1.0 / math.sqrt(norm) if norm else 0.0
    # sorted()[:n] is what heapq.nsmallest returns, and faster at these sizes (terms are unique)
    strongest = sorted([(-weight, term) for weight, term in weighed if term in idf])[:TERMS_PER_PAPER]
    return {term: -weight * scale for weight, term in strongest}


_LOG_TF = [0.0] + [1.0 + math.log(count) for count in range(1, 64)]


def _log_tf(count: int) -> float:
    """1 + ln(count), looked up for the counts abstracts have (a quarter of weighing was `log`)."""
    return _LOG_TF[count] if 0 < count < 64 else 1.0 + math.log(count)


class CountStore:
    """Term counts by text key (see related.text_key), kept packed until read. An update
    reads the counts of changed papers only, so the index loads and saves them as bytes:
    at 10,000 papers, half the index and twice as fast as dicts."""

    def __init__(self) -> None:
        self.packed: dict[bytes, tuple[bytes, bytes]] = {}  # text key -> (marshalled counts, digest)
        self._read: dict[bytes, Counts] = {}

    def __getstate__(self) -> dict[bytes, tuple[bytes, bytes]]:
        return self.packed

    def __setstate__(self, packed: dict[bytes, tuple[bytes, bytes]]) -> None:
        self.packed, self._read = packed, {}

    def __eq__(self, other: object) -> bool:
        """The same counts and digests (marshal's bytes for equal counts may differ)."""
        return (
            isinstance(other, CountStore)
            and self.packed.keys() == other.packed.keys()
            and all(
                self.counts(t) == other.counts(t) and self.digest(t) == other.digest(t) for t in self.packed
            )
        )

    def __contains__(self, text: bytes) -> bool:
        return text in self.packed

    def add(self, text: bytes, counted: Counted) -> None:
        counts, digest = counted
        self.packed[text] = (marshal.dumps(counts), digest)
        self._read[text] = counts

    def counts(self, text: bytes) -> Counts:
        counts = self._read.get(text)
        if counts is None:
            counts = self._read[text] = marshal.loads(self.packed[text][0])
        return counts

    def digest(self, text: bytes) -> bytes:
        return self.packed[text][1]

    def may_hold(self, text: bytes, terms: Collection[bytes]) -> bool:
        """False when the counts of `text` surely hold none of `terms` (ASCII), without
        reading them: a term that is counted is in the packed bytes."""
        packed = self.packed[text][0]
        return any(term in packed for term in terms)

    def keep_only(self, texts: Collection[bytes]) -> None:
        for text in self.packed.keys() - set(texts):
            del self.packed[text]
            self._read.pop(text, None)


@dataclass
class RelatedIndex:
    """Every stage's result by slug, as the last computation left them."""

    version: str = ""  # of the code that made it; another version's index is not used
    k: int = 0
    total: int = -1  # level of the paper count
    texts: dict[str, bytes] = field(default_factory=dict)  # slug -> text key (see related.text_key)
    counted: CountStore = field(default_factory=CountStore)
    frequency: Counter[str] = field(default_factory=Counter)  # term -> papers using it
    idf: dict[str, float] = field(default_factory=dict)  # of terms used by two papers or more
    vectors: dict[str, Vector] = field(default_factory=dict)
    holders: dict[str, set[str]] = field(default_factory=dict)  # term -> papers it is in the vector of
    members: dict[str, list[str]] = field(default_factory=dict)  # term -> its postings, by slug
    candidates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def unique_idf(self) -> float:
        return idf_of(1, self.total)

    def counts(self, slug: str) -> Counts:
        return self.counted.counts(self.texts[slug])

    def update(self, texts: dict[str, bytes], counted: Mapping[bytes, Counted], k: int) -> Collection[str]:
        """Bring every stage up to date with these papers (`texts` in slug order); `counted`
        holds the counts of the texts that `self.counted` does not hold yet. Returns the
        papers scored again: no other paper's list changed."""
        for text, counts in counted.items():
            self.counted.add(text, counts)
        if k != self.k or level(len(texts)) != self.total:
            scored = self._compute_all(texts, k)
        else:
            scored = self._update(texts)
        self.counted.keep_only(texts.values())
        return scored

    def _update(self, texts: dict[str, bytes]) -> list[str]:
        removed = self.texts.keys() - texts.keys()
        changed = [slug for slug, text in texts.items() if self.texts.get(slug) != text]
        touched = self._count_again(texts, removed, changed)
        moved, terms = self._weigh_again(changed, removed, touched)
        regrouped = self._group_again(terms)
        stale = moved - removed
        for term in regrouped:
            stale |= self.holders.get(term, set())
        stale |= {slug for slug, theirs in self.candidates.items() if not moved.isdisjoint(theirs)}
        for slug in removed:
            del self.candidates[slug], self.lists[slug]
        scored = sorted(stale - removed)
        self._score(scored)
        return scored

    def _compute_all(self, texts: dict[str, bytes], k: int) -> list[str]:
        self.k, self.total, self.texts = k, level(len(texts)), dict(texts)
        documents = [self.counted.counts(text) for text in texts.values()]
        self.frequency = Counter()
        for counts in documents:
            self.frequency.update(counts.keys())
        self.idf = {term: idf_of(n, self.total) for term, n in self.frequency.items() if n > 1}
        vectors = fork_map(self._weigher(), documents, MIN_PAPERS_PER_WORKER)
        self.vectors = dict(zip(texts, vectors, strict=True))
        self.holders = {}
        for slug, vector in self.vectors.items():
            for term in vector:
                self.holders.setdefault(term, set()).add(slug)
        self.members = {term: self._members(term) for term in self.holders}
        self.candidates, self.lists = {}, {}
        scored = list(texts)
        self._score(scored)
        return scored

    def _weigher(self) -> Callable[[Counts], Vector]:
        idf, unique_idf = self.idf, self.unique_idf
        return lambda counts: weigh(counts, idf, unique_idf)

    def _count_again(self, texts: dict[str, bytes], removed: set[str], changed: list[str]) -> set[str]:
        """Frequencies and idf after the change; returns the terms whose idf changed."""
        old = set(removed) | {slug for slug in changed if slug in self.texts}
        terms: set[str] = set()
        for slug in old:
            gone = self.counts(slug).keys()
            self.frequency.subtract(gone)
            terms.update(gone)
        self.texts = dict(texts)  # a copy: the caller's dict may change before the next update
        for slug in changed:
            new = self.counts(slug).keys()
            self.frequency.update(new)
            terms.update(new)
        touched = set()
        for term in terms:
            papers = self.frequency[term]
            idf = idf_of(papers, self.total) if papers > 1 else None
            if papers <= 0:
                del self.frequency[term]
            if idf != self.idf.get(term):
                touched.add(term)
                if idf is None:
                    del self.idf[term]
                else:
                    self.idf[term] = idf
        return touched

    def _weigh_again(
        self, changed: list[str], removed: set[str], touched: set[str]
    ) -> tuple[set[str], set[str]]:
        """New vectors for the changed papers and those using a term of changed idf. Returns
        the papers whose vector changed (removed ones included) and the terms those vectors
        hold or held."""
        again = set(changed)
        if touched:
            packed = [term.encode() for term in touched]  # terms are ASCII (see related.plain_words)
            again.update(
                slug
                for slug, text in self.texts.items()
                if self.counted.may_hold(text, packed) and any(term in self.counts(slug) for term in touched)
            )
        weigher = self._weigher()
        moved, terms = set(removed), set[str]()
        for slug in sorted(again):
            vector = weigher(self.counts(slug))
            if vector != self.vectors.get(slug):
                terms.update(self._place(slug, vector), vector)
                moved.add(slug)
        for slug in removed:
            terms.update(self._place(slug, None))
        return moved, terms

    def _place(self, slug: str, vector: Vector | None) -> Vector:
        """Replace a paper's vector (None: remove it), keeping `holders` in step; returns the old one."""
        old = self.vectors.pop(slug, {})
        for term in old:
            self.holders[term].discard(slug)
        if vector is not None:
            self.vectors[slug] = vector
            for term in vector:
                self.holders.setdefault(term, set()).add(slug)
        return old

    def _group_again(self, terms: set[str]) -> set[str]:
        """The postings of `terms` again; returns the terms whose members changed."""
        regrouped = set()
        for term in terms:
            members = self._members(term) if self.holders.get(term) else []
            if members != self.members.get(term, []):
                regrouped.add(term)
            if members:
                self.members[term] = members
            else:  # no paper holds it any more
                self.members.pop(term, None)
                self.holders.pop(term, None)
        return regrouped

    def _members(self, term: str) -> list[str]:
        holders = self.holders[term]
        if len(holders) <= POSTINGS_CAP:
            return sorted(holders)
        vectors = self.vectors
        strongest = sorted([(-vectors[slug][term], slug) for slug in holders])[:POSTINGS_CAP]
        return sorted(slug for _, slug in strongest)

    def _score(self, slugs: Sequence[str]) -> None:
        results = fork_map(self._scored, slugs, MIN_PAPERS_PER_WORKER)
        for slug, (candidates, found) in zip(slugs, results, strict=True):
            self.candidates[slug], self.lists[slug] = candidates, found

    def _scored(self, slug: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A paper's candidates and its list."""
        vector, vectors = self.vectors[slug], self.vectors
        shared = Counter(chain.from_iterable([self.members[term] for term in vector]))
        shared.pop(slug, None)
        candidates = _most_common(shared)
        scored = []
        for other in candidates:
            theirs = vectors[other]
            score = sum([weight * theirs[term] for term, weight in vector.items() if term in theirs])
            if score >= MIN_SCORE:
                scored.append((-round(score, SCORE_DIGITS), other))
        return candidates, tuple([other for _, other in sorted(scored)[: self.k]])


def _most_common(shared: Counter[str]) -> tuple[str, ...]:
    """`shared.most_common(CANDIDATES)`, ties in the order met, without its Python-level heap.
    Most papers are met once: they are sorted only when fewer than `CANDIDATES` were met more
    often (a stable sort of those met more often keeps their order among themselves)."""
    items = shared.items()
    frequent = [item for item in items if item[1] > 1]
    ranked = frequent if len(frequent) >= CANDIDATES else items
    return tuple([other for other, _ in sorted(ranked, key=_second, reverse=True)[:CANDIDATES]])


@dataclass(frozen=True)
class KeptIndex:
    """A `RelatedIndex` kept in a file between builds, with the `version` of the code that
    made it. Read and written by the process that computes the lists (a child, on large
    sites), so it never burdens the build's own memory. A missing, corrupt or older index
    means computing everything again, never a wrong list."""

    path: Path
    version: str

    def load(self) -> RelatedIndex:
        index = load_kept(self.path, self.version)
        if not isinstance(index, RelatedIndex) or index.version != self.version:
            return RelatedIndex(self.version)
        return index

    def save(self, index: RelatedIndex) -> None:
        save_kept(self.path, self.version, index)
