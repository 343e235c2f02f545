"""Turn a Daily Papers project into a Hugo site: `python3 benchmarks/hugo_site.py PROJECT DEST`.

DEST gets the skeleton in `benchmarks/hugo/` (config and templates), the project's
stylesheet and scripts as static files, and one Hugo content file per paper:
`content/YYYY/YYYY-MM-DD/slug.md` becomes `content/papers/slug.md` whose front matter
Hugo understands (title, date, slug, `days` and `tags` taxonomies, authors, arxiv,
upvotes) and whose body is the abstract as it is. Each tag of `content/tags.yaml` gets a
term page with its name and description, and each day one with its date written out and
its neighbours (the Python site finds those while it builds; Hugo is handed them). `benchmarks/run.py` does this once, before timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import yaml

SKELETON = Path(__file__).resolve().parent / "hugo"
FIELDS = ("authors", "arxiv", "upvotes")


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    front, _, body = text.removeprefix("---\n").partition("\n---\n")
    return yaml.safe_load(front) or {}, body


def dump(front: dict[str, object], body: str) -> str:
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1_000_000)
    return f"---\n{text}---\n{body}"


def convert(project: Path, dest: Path) -> int:
    """Write the Hugo site for `project` into `dest` (replaced); return the number of papers."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(SKELETON, dest)
    assets = project / "layouts" / "assets"
    if assets.is_dir():
        shutil.copytree(assets, dest / "static" / "assets")
    papers = dest / "content" / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    count = 0
    sources = sorted((project / "content").glob("*/*/*.md"))
    for path in sources:
        day = dt.date.fromisoformat(path.parent.name)
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        slug = path.stem
        front: dict[str, object] = {
            "title": str(meta.get("title", slug)),
            "date": day.isoformat(),
            "slug": slug,
            "days": [day.isoformat()],
            "tags": list(meta.get("tags") or []),  # type: ignore[call-overload]
        }
        front.update({name: meta[name] for name in FIELDS if name in meta})
        # Dots in a file name read as a language code to Hugo: the slug keeps them instead.
        (papers / f"{slug.replace('.', '-')}.md").write_text(dump(front, body), encoding="utf-8")
        count += 1
    days = sorted({path.parent.name for path in sources})
    for index, name in enumerate(days):  # a term page per day, with its neighbours
        folder = dest / "content" / "days" / name
        folder.mkdir(parents=True, exist_ok=True)
        date = dt.date.fromisoformat(name)
        front = {"title": f"{date:%B} {date.day}, {date.year}", "day": name}
        if index > 0:
            front["older"] = days[index - 1]
        if index + 1 < len(days):
            front["newer"] = days[index + 1]
        (folder / "_index.md").write_text(dump(front, ""), encoding="utf-8")
    vocabulary = project / "content" / "tags.yaml"
    tags = yaml.safe_load(vocabulary.read_text(encoding="utf-8")) if vocabulary.is_file() else {}
    for slug, tag in (tags or {}).items():
        folder = dest / "content" / "tags" / slug
        folder.mkdir(parents=True, exist_ok=True)
        front = {"title": tag.get("name", slug), "description": tag.get("description", "")}
        (folder / "_index.md").write_text(dump(front, ""), encoding="utf-8")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path, help="a project folder, e.g. one benchmarks/corpus.py wrote")
    parser.add_argument("dest", type=Path, help="the Hugo site to write (replaced)")
    args = parser.parse_args()
    count = convert(args.project, args.dest)
    print(f"wrote a Hugo site of {count} papers to {args.dest}")


if __name__ == "__main__":
    main()
