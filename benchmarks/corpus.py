"""Generate a deterministic synthetic project for benchmarks: `--papers N --days D --seed S`.

Titles, abstracts and author names are resampled from the real papers in `content/` and
the Hugging Face samples beside the repository, with TeX mixed in, so the generator sees
text like real abstracts rather than lorem ipsum. The output is a complete project folder
(layouts, site.yaml, content/) that `papers --root DIR build` can build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "samples" / "hf-daily-api"
TEX_SNIPPETS = [
    "$O(n \\log n)$",
    "$\\alpha$",
    "$\\mathcal{L}_{\\text{KL}}$",
    "$x^2 + y^2 = z^2$",
    "$\\sim 3\\times$",
    "Fr\\'echet",
    "\\emph{significantly}",
    "50\\%",
    "\\textbf{state-of-the-art}",
    "$$\\sum_{i=1}^{n} w_i x_i$$",
]


def real_texts() -> tuple[list[str], list[str], list[str]]:
    """Titles, abstracts and author names from the real data at hand."""
    titles: list[str] = []
    abstracts: list[str] = []
    authors: list[str] = []
    for path in sorted((REPO / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front, _, body = text.removeprefix("---\n").partition("\n---\n")
        meta = yaml.safe_load(front) or {}
        titles.append(str(meta.get("title", "")))
        abstracts.append(body.strip())
    for path in sorted(SAMPLES.glob("*.json")) if SAMPLES.is_dir() else []:
        for item in json.loads(path.read_text(encoding="utf-8")):
            paper = item.get("paper", {})
            titles.append(" ".join(str(paper.get("title", "")).split()))
            abstracts.append(" ".join(str(paper.get("summary", "")).split()))
            authors += [a["name"] for a in paper.get("authors", []) if a.get("name")]
    titles = [t for t in titles if t]
    abstracts = [a for a in abstracts if a]
    return titles, abstracts, authors or ["Ada Lovelace", "Alan Turing", "Grace Hopper"]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def make_abstract(rng: random.Random, abstracts: list[str]) -> str:
    pool = sentences(rng.choice(abstracts)) + sentences(rng.choice(abstracts))
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(5, 9)))
    words = " ".join(chosen).split()
    for _ in range(rng.randint(0, 3)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(TEX_SNIPPETS))
    return " ".join(words)


def make_title(rng: random.Random, titles: list[str], index: int) -> str:
    left = rng.choice(titles).split(":")[0]
    right = rng.choice(titles).split(":")[-1].strip()
    return f"{left}: {right} ({index})" if left != right else f"{left} ({index})"


def generate(out: Path, papers: int, days: int, seed: int) -> None:
    rng = random.Random(seed)
    titles, abstracts, authors = real_texts()
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(REPO / "layouts", out / "layouts")
    shutil.copy(REPO / "site.yaml", out / "site.yaml")
    with (out / "site.yaml").open("a", encoding="utf-8") as config:
        # The Hugo twin makes no images; run.py times the cards in a row of their own.
        config.write("social_cards: false\n")
    (out / "content").mkdir(parents=True)
    shutil.copy(REPO / "content" / "tags.yaml", out / "content" / "tags.yaml")
    vocabulary = sorted(yaml.safe_load((REPO / "content" / "tags.yaml").read_text(encoding="utf-8")))
    start = dt.date(2025, 1, 1)
    for index in range(papers):
        day = start + dt.timedelta(days=index * days // papers)
        arxiv = f"{day:%y%m}.{index % 90000 + 10000:05d}"  # unique within a month
        fields = {
            "title": make_title(rng, titles, index),
            "arxiv": arxiv,
            "authors": rng.sample(authors, k=min(len(authors), rng.randint(1, 8))),
            "tags": rng.sample(vocabulary, k=rng.randint(1, 3)),
            "upvotes": rng.randint(0, 200),
        }
        folder = out / "content" / f"{day.year}" / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        front = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1_000_000)
        (folder / f"{arxiv}.md").write_text(
            f"---\n{front}---\n\n{make_abstract(rng, abstracts)}\n", encoding="utf-8"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=0, help="default: papers / 50")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out, args.papers, args.days or max(1, args.papers // 50), args.seed)
    print(f"wrote {args.papers} papers to {args.out}")


if __name__ == "__main__":
    main()
