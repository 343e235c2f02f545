"""Related papers: TF-IDF cosine over titles and abstracts, through an inverted index.

A paper's terms are the stemmed words of its title and abstract, title words counted
`TITLE_WEIGHT` times; `related_index` weighs them, finds candidates through postings and
scores them. The work is at most papers x terms x cap, never all pairs. Output depends
only on the papers' slugs, titles and bodies; ties are broken by slug.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import marshal
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from generator.forking import Inbox, InChild, Later, ThenDo, can_fork, fork_map
from generator.model import Paper
from generator.related_index import MIN_PAPERS_PER_WORKER, Counted, Counts, KeptIndex, RelatedIndex
from generator.views import PaperView

TITLE_WEIGHT = 3

_TEX_RE = re.compile(r"\\[a-zA-Z]+|\\.")
_WORD_RE = re.compile(r"[a-z][a-z0-9]*")

# Function words and the vocabulary every abstract uses; idf would weigh them down anyway,
# dropping them keeps them out of the per-paper term budget.
_STOPWORDS_TEXT = """
a about above across after again against all almost along already also although always am
among an and another any are around as at be because been before being below between both
but by can cannot could did do does doing done down during each either else enough etc even
ever every for from further get gets given had has have having he her here hers him his how
however i if in into is it its itself just least less like made make makes many may me might
more most much must my neither no nor not now of off often on once one only onto or other
others otherwise our ours out over own per rather same several she should since so some such
than that the their theirs them themselves then there these they this those though through
thus to too toward towards under until up upon us use used uses using very via was we well
were what when where whether which while who whom whose why will with within without would
yet you your ability able abstract achieve achieved achieves across additionally address
addresses aim allow allows approach approaches based best better challenge challenges
consider demonstrate demonstrates demonstrated different effective effectively efficient
enable enables et existing experiment experiments extensive first furthermore high however
improve improved improves improvement including introduce introduces key large leverage
leverages lead leads method methods moreover new novel obtain offer offers outperform
outperforms overall paper particular performance present presents previous problem propose
proposed proposes provide provides recent recently result results second show shows shown
significant significantly specifically state study studies success successful task tasks
three two various way ways wide widely work works
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


def stem(word: str) -> str:
    """Harman's S-stemmer: plurals only, so `models`/`model` meet and little else changes."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    return word


def plain_words(text: str) -> list[str]:
    """Lowercase ASCII words of Markdown with TeX: commands and accents dropped, math kept."""
    text = _TEX_RE.sub("", text)
    if not text.isascii():  # accents dropped (Erdős -> erdos), other symbols split words
        text = "".join(
            char if char.isascii() else "" if unicodedata.combining(char) else " "
            for char in unicodedata.normalize("NFKD", text)
        )
    return _WORD_RE.findall(text.lower())


@functools.lru_cache(maxsize=500_000)
def _term(word: str) -> str | None:
    """The term a word counts as; None for stopwords and one-letter noise."""
    if len(word) < 2 or word in STOPWORDS:
        return None
    term = stem(word)
    return None if term in STOPWORDS else term


def term_counts(title: str, body: str) -> Counter[str]:
    """The terms of one paper, title words counted `TITLE_WEIGHT` times, in the order the
    text first uses them."""
    counts = Counter(filter(None, map(_term, plain_words(body))))
    for term in filter(None, map(_term, plain_words(title))):
        counts[term] += TITLE_WEIGHT
    return counts


def related_papers(
    papers: Sequence[Paper],
    k: int = 5,
    terms: dict[str, bytes] | None = None,
    kept: KeptIndex | None = None,
    previous: Mapping[str, Related] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Slug -> the slugs of up to `k` most similar other papers, most similar first.

    Large sites compute them in a child process, which shares the work out to a forked
    worker per core; the lists do not depend on it. They depend on nothing but slugs and
    term counts: `terms`, when given, receives each paper's `terms_digest`, so a caller
    can tell later whether they could change. `kept` holds the index of an earlier build:
    only what a changed text can change is computed again, and `previous`, that build's
    lists and digests, lets the child send back only those that differ.
    """
    return start_related_papers(papers, k, terms, kept, previous).result()


def start_related_papers(
    papers: Sequence[Paper],
    k: int = 5,
    terms: dict[str, bytes] | None = None,
    kept: KeptIndex | None = None,
    previous: Mapping[str, Related] | None = None,
) -> Later[dict[str, tuple[str, ...]]]:
    """`related_papers`, begun: on a large site its child starts now, and the caller goes
    on while it works."""
    ordered = sorted(papers, key=lambda paper: paper.slug)
    slugs = [paper.slug for paper in ordered]

    if len(ordered) < MIN_PAPERS_PER_WORKER:
        computed = _lists_and_digests(ordered, k, kept)
        computed.afterwards()
        lists, digests = computed.value
        if terms is not None:
            terms.update(zip(slugs, digests, strict=True))
        return Later.known(dict(zip(slugs, lists, strict=True)))
    before = previous or {}  # the counts and vectors die with the child

    def in_child() -> ThenDo[dict[str, Related]]:
        computed = _lists_and_digests(ordered, k, kept)  # sent before the index is saved
        return ThenDo(_differing(slugs, computed.value, before), computed.afterwards)

    child: InChild[dict[str, Related]] = InChild(in_child)
    return Later(lambda: _merged(slugs, child.result(), before, terms), child.close)


Related = tuple[tuple[str, ...], bytes]  # a paper's list and its terms digest


def _merged(
    slugs: list[str],
    changed: Mapping[str, Related],
    before: Mapping[str, Related],
    terms: dict[str, bytes] | None,
) -> dict[str, tuple[str, ...]]:
    """Every paper's list (slugs in order): those a child sent back, `before`'s for the rest;
    `terms` receives every paper's digest."""
    pairs = [changed[slug] if slug in changed else before[slug] for slug in slugs]
    if terms is not None:
        terms.update(zip(slugs, [pair[1] for pair in pairs], strict=True))
    return dict(zip(slugs, [pair[0] for pair in pairs], strict=True))


def texts_digest(texts: Mapping[str, bytes]) -> str:
    """One digest of every paper's slug and text key: the same digest, the same lists."""
    return hashlib.sha256(b"".join(slug.encode() + b"\0" + texts[slug] for slug in sorted(texts))).hexdigest()


@dataclass(frozen=True)
class TextChange:
    """The papers' texts now against those that related lists were last made from."""

    before: str  # texts_digest of the texts the lists were made from
    after: str  # texts_digest of the texts now
    removed: tuple[str, ...]  # slugs
    changed: tuple[Paper, ...]  # papers whose text is new or not as before


class EarlyRelated:
    """The child that brings related papers up to date, forked before the build cache is
    read: it reads the kept index (65 ms at 10,000 papers) on the other core meanwhile,
    then waits for the change. It needs the papers of changed texts only, when the index
    is in step with the lists the change is against (it was saved by the build that made
    them); else it sends back nothing and the caller computes them as without it."""

    def __init__(self, kept: KeptIndex, k: int) -> None:
        self.kept, self.k = kept, k
        self.inbox = Inbox()
        self.child: InChild[dict[str, Related] | None] = InChild(self._in_child)
        self.inbox.forked()
        self.sent = False
        self.instead: Later[dict[str, tuple[str, ...]]] | None = None  # when not in step

    @classmethod
    def start(cls, kept: KeptIndex | None, files: int, k: int = 5) -> EarlyRelated | None:
        """The child, when there is an index to read and a site (of about `files` papers)
        large enough for related papers to be made in a child."""
        if kept is None or files < MIN_PAPERS_PER_WORKER or not can_fork() or not kept.path.is_file():
            return None
        return cls(kept, k)

    def _in_child(self) -> ThenDo[dict[str, Related] | None] | None:
        index = self.kept.load()
        change: TextChange | None = self.inbox.receive()
        if change is None or texts_digest(index.texts) != change.before:
            return None
        before, removed = index.texts, set(change.removed)  # the update replaces, not changes, it
        texts = {slug: text for slug, text in before.items() if slug not in removed}
        texts.update((paper.slug, text_key(paper)) for paper in change.changed)
        if len(texts) != len(before) - len(removed):  # papers added: slug order again
            texts = dict(sorted(texts.items()))
        if texts_digest(texts) != change.after:
            return None
        edited = {paper.slug for paper in change.changed}
        papers = {text_key(paper): paper for paper in change.changed}
        fresh = _count([paper for text, paper in papers.items() if text not in index.counted], texts)
        try:  # an index that does not hold together (changed by hand, say) raises on the way
            old_lists = index.lists.copy()
            old_digests = {slug: index.counted.digest(before[slug]) for slug in edited if slug in before}
            scored = index.update(texts, fresh, self.k)
            if not index.lists.keys() == index.vectors.keys() == texts.keys():
                return None  # see _lists_of
            differing = {  # what differs from the lists and digests the cache holds
                slug: pair
                for slug in edited.union(scored)
                if (pair := (index.lists[slug], index.counted.digest(texts[slug])))
                != (old_lists.get(slug), old_digests.get(slug, pair[1]))
            }
        except (KeyError, TypeError, AttributeError, ValueError, EOFError):  # as in _lists_and_digests
            return None
        return ThenDo(differing, functools.partial(self.kept.save, index))

    def update(
        self,
        change: TextChange,
        papers: Sequence[Paper],
        terms: dict[str, bytes] | None = None,
        previous: Mapping[str, Related] | None = None,
    ) -> Later[dict[str, tuple[str, ...]]]:
        """`start_related_papers(papers, k, terms, kept, previous)`, from the child: `change`
        leads from the lists of `previous` to `papers`."""
        self._send(change)
        slugs = sorted(paper.slug for paper in papers)

        def finish() -> dict[str, tuple[str, ...]]:
            changed = self.child.result()
            if changed is None:  # not in step: as without this child
                self.instead = start_related_papers(papers, self.k, terms, self.kept, previous)
                return self.instead.result()
            return _merged(slugs, changed, previous or {}, terms)

        return Later(finish, self.close)

    def keep_in_step(self, change: TextChange) -> None:
        """Bring the index up to `change` although its lists are known (texts changed, terms
        did not), so that the next build's child finds it in step."""
        self._send(change)

    def _send(self, change: TextChange | None) -> None:
        if not self.sent:
            self.sent = True
            with contextlib.suppress(BrokenPipeError):  # the child failed: result() raises why
                self.inbox.send(change)

    def close(self) -> None:
        """End the child: at once when it has nothing to do, else once it has saved the index."""
        if self.sent:
            with contextlib.suppress(Exception):  # a failed child costs only the next build's head start
                self.child.result()
        self.child.close()
        self.inbox.close()
        if self.instead is not None:
            self.instead.close()


def _differing(
    slugs: list[str], computed: tuple[list[tuple[str, ...]], list[bytes]], before: Mapping[str, Related]
) -> dict[str, Related]:
    """The papers whose list or digest is not as `before`: what a child sends back (at
    100,000 papers, all of them took longer to pickle and read than to bring up to date)."""
    lists, digests = computed
    return {
        slug: pair
        for slug, pair in zip(slugs, zip(lists, digests, strict=True), strict=True)
        if before.get(slug) != pair
    }


def _lists_and_digests(
    ordered: list[Paper], k: int, kept: KeptIndex | None = None
) -> ThenDo[tuple[list[tuple[str, ...]], list[bytes]]]:
    """The related lists of papers sorted by slug, and each one's `terms_digest`; then,
    the index saved in `kept` for the next build."""
    index = kept.load() if kept is not None else RelatedIndex()
    texts = {paper.slug: text_key(paper) for paper in ordered}
    fresh = _count([paper for paper in ordered if texts[paper.slug] not in index.counted], texts)
    try:
        index.update(texts, fresh, k)
        result = _lists_of(index, texts)
    except (KeyError, TypeError, AttributeError, ValueError, EOFError):  # a kept index that does
        index = RelatedIndex(index.version)  # not hold together (changed by hand, say): afresh
        index.update(texts, _count(ordered, texts), k)
        result = _lists_of(index, texts)
    return ThenDo(result, functools.partial(kept.save, index) if kept is not None else _nothing)


def _nothing() -> None:
    pass


def _count(papers: list[Paper], texts: dict[str, bytes]) -> dict[bytes, Counted]:
    """The term counts of these papers, by text, counted on every core."""
    counted = fork_map(counted_terms, papers, MIN_PAPERS_PER_WORKER)
    return {texts[paper.slug]: counts for paper, counts in zip(papers, counted, strict=True)}


def _lists_of(index: RelatedIndex, texts: dict[str, bytes]) -> tuple[list[tuple[str, ...]], list[bytes]]:
    """The lists and digests of the papers, from an index that must hold exactly them."""
    if not index.lists.keys() == index.vectors.keys() == texts.keys():
        raise KeyError("the index holds other papers")
    return [index.lists[slug] for slug in texts], [index.counted.digest(text) for text in texts.values()]


def terms_digest(counts: Counts) -> bytes:
    """A digest of a paper's term counts, in the order `term_counts` gives them: equal
    digests, equal related lists. (Sorting them first cost more than counting them; the
    same counts in another order, from reordered words, only cost a recomputation.)
    Marshal's version 2 writes equal values as equal bytes: it marks no references and
    no interned strings."""
    return hashlib.blake2b(marshal.dumps(counts, 2), digest_size=16).digest()


def counted_terms(paper: Paper) -> Counted:
    """A paper's term counts and their digest."""
    counts = dict(term_counts(paper.title, paper.body))
    return counts, terms_digest(counts)


def text_key(paper: Paper) -> bytes:
    """What a paper's term counts depend on: its title and abstract (see Paper.text_key)."""
    return paper.text_key


def cached_related_papers(papers: Sequence[Paper], k: int = 5) -> dict[str, tuple[str, ...]]:
    """`related_papers`, reused while no slug, title or body changed (e.g. between dev rebuilds)."""
    texts = tuple(sorted((paper.slug, paper.title, paper.body) for paper in papers))
    return _related_of_texts(texts, k)


@functools.lru_cache(maxsize=1)
def _related_of_texts(texts: tuple[tuple[str, str, str], ...], k: int) -> dict[str, tuple[str, ...]]:
    return related_of_texts(texts, k)


def related_of_texts(texts: Sequence[tuple[str, str, str]], k: int = 5) -> dict[str, tuple[str, ...]]:
    """`related_papers` of (slug, title, body) triples: all it reads, and cheap to send to a process."""
    day = dt.date(1970, 1, 1)
    return related_papers([Paper(slug, day, title, body, "") for slug, title, body in texts], k)


class RelatedViews:
    """The `related` template global: a paper's related papers as the views pages show."""

    def __init__(
        self,
        related: dict[str, tuple[str, ...]],
        views: dict[str, PaperView],
        previous: RelatedViews | None = None,
    ) -> None:
        self.related = related
        self.views = views
        self.keys: dict[str, Hashable] = {}  # by slug, as far as asked for (see `key`)
        self._referrers: dict[str, list[str]] | None = None
        self._papers: dict[str, Paper] | None = None
        if previous is not None:
            self._keep_keys(previous)

    @classmethod
    def kept(
        cls, related: dict[str, tuple[str, ...]], keys: dict[str, Hashable], papers: dict[str, Paper]
    ) -> RelatedViews:
        """What an earlier build left (its lists, its keys, and the papers they were made
        from), as the `previous` of this build's: keys whose papers are unchanged are kept."""
        kept = cls(related, {})
        kept.keys, kept._papers = keys, papers
        return kept

    def papers(self) -> dict[str, Paper]:
        if self._papers is None:
            return {slug: view.paper for slug, view in self.views.items()}
        return self._papers

    def _keep_keys(self, previous: RelatedViews) -> None:
        """Reuse the previous keys of pages whose list, and every paper on it, are unchanged."""
        if previous.related is self.related:
            self._referrers = previous._referrers
            stale = set()
        else:
            stale = {slug for slug, others in self.related.items() if previous.related.get(slug) != others}
            stale |= previous.related.keys() - self.related.keys()
        changed = [
            slug
            for slug, paper in previous.papers().items()
            if (view := self.views.get(slug)) is None or view.paper is not paper
        ]
        stale |= set(changed).union(*(self.referrers().get(slug, ()) for slug in changed))
        self.keys = {slug: key for slug, key in previous.keys.items() if slug not in stale}

    def referrers(self) -> dict[str, list[str]]:
        """Paper -> the papers that list it as related."""
        if self._referrers is None:
            self._referrers = {}
            for slug, others in self.related.items():
                for other in others:
                    self._referrers.setdefault(other, []).append(slug)
        return self._referrers

    def __call__(self, slug: str) -> list[PaperView]:
        return [self.views[other] for other in self.related.get(slug, ())]

    def key(self, slug: str) -> Hashable:
        """What a paper page shows of them, for the render memo: slug, title and day."""
        key = self.keys.get(slug)
        if key is None:
            papers = (self.views[other].paper for other in self.related.get(slug, ()))
            key = self.keys[slug] = tuple((paper.slug, paper.title, paper.day) for paper in papers)
        return key


def _worker() -> None:
    """`python -m generator.related`: (slug, title, body) triples as JSON on stdin, the lists
    as JSON on stdout; the dev server runs this beside itself after a change."""
    texts = [tuple(text) for text in json.load(sys.stdin)]
    json.dump(related_of_texts(texts), sys.stdout)


if __name__ == "__main__":
    _worker()
