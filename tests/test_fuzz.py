"""Fuzzing the whole pipeline: any front matter and any Markdown, from file text to HTML.

Loading and validation (`check_source`) may only return problems or raise `PapersError`;
whatever passes renders to HTML inside the allow-list of tests/test_hostile.py (no script,
no event handler, no style, no URL scheme beyond http(s) and mailto), and its JSON-LD stays
JSON that cannot close its <script>. A few examples also go through a whole build.

The budget is fixed for CI: `PAPERS_FUZZ_EXAMPLES` examples per test (default 200). For a
longer run on demand, raise it, e.g.

    PAPERS_FUZZ_EXAMPLES=20000 python3 -m pytest tests/test_fuzz.py -q

Hypothesis keeps failing examples in .hypothesis/ and replays them first. Every finding is
fixed and then becomes a regular case in tests/hostile/ (one file per attack).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import build
from generator.config import SiteConfig
from generator.content import check_source
from generator.errors import PapersError
from generator.load import SourceFile, decode_utf8
from generator.model import Tag
from generator.views import PaperView
from tests.conftest import Project
from tests.test_hostile import fragment_violations, site_violations

EXAMPLES = int(os.environ.get("PAPERS_FUZZ_EXAMPLES", "200"))
BUILDS = max(3, min(25, EXAMPLES // 20))  # whole builds cost a few tenths of a second each
DAY = dt.date(2025, 3, 17)
VOCABULARY = {slug: Tag(slug, slug.title()) for slug in ("llm", "diffusion", "robotics")}
CONFIG = SiteConfig(title="Fuzz", base_url="https://example.org/sub/")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Pieces that mean something to Markdown, TeX, HTML, Jinja2, YAML or a browser.
# fmt: off
TOKENS = [
    "*", "**", "_", "__", "`", "```", "~~", "~", "--", "---", "[", "]", "(", ")", "![", "](", "<", ">",
    "</", "/>", "&", "&#", ";", "&#106;", "&lt;", "&colon;", "\\", "\\\\", "$", "$$", "\\(", "\\)", "\\[",
    "\\]", "{", "}", "\\text{", "\\emph{", "\\textbf{", "\\textsc{", "\\texttt{", "\\url{", "\\href{",
    "\\'", "\\`e", "\\v{c}", "\\ss", "\\%", "\\frac{a}{b}", "^", "_{", "#", "## ", "> ", "- ", "* ", "1. ",
    "|", "=", "\n", "\n\n", "    ", "\t", " ", "http://", "https://example.org/x", "mailto:a@b.org",
    "javascript:", "JaVaScRiPt:", "data:", "vbscript:", "java\tscript:", "www.example.org", "a@b.org",
    "<script>", "</script>", "<!--", "-->", "<img src=x onerror=alert(1)>", "<a href=\"", "\" onclick=\"",
    "style=", "{{ 7*7 }}", "{% raw %}", "{% include 'base.html' %}", "{#", "#}", "\u202e", "\u2067", "\u200d",
    "\u200b", "\ufeff", "\u0301", "\u2028", "\x0c", "\x1b", "\x00", "\uffff", "é", "ß", "∑", "漢", "😀",
    "'", '"', ":", ": ", "!", "?", "%", "@", "0", "42", "alert(1)", "word", "Attention",
]
# fmt: on
markdown = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=60).map("".join)
line = st.lists(st.sampled_from([t for t in TOKENS if "\n" not in t]) | st.text(max_size=6), max_size=12).map(
    "".join
)
scalar = st.one_of(
    line, markdown, st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.dates()
)
value = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(line, inner, max_size=3),
    max_leaves=10,
)
FIELDS = ["title", "authors", "arxiv", "tags", "links", "tldr", "keywords", "organization", "submitted_by"]
front_matter = st.fixed_dictionaries(
    {"title": line | markdown},
    optional={
        "authors": st.lists(line, max_size=5) | value,
        "tags": st.lists(st.sampled_from([*VOCABULARY, "<b>", "llm"]), max_size=3) | value,
        "links": st.dictionaries(
            st.sampled_from(["code", "project", "data", "pdf", "video", "evil"]),
            line | st.sampled_from(["https://example.org/a", "javascript:alert(1)", 'https://x.org/"><b>']),
            max_size=3,
        )
        | value,
        "tldr": line | markdown,
        "keywords": st.lists(line, max_size=4) | value,
        "organization": line,
        "submitted_by": line,
        "upvotes": value,
        "arxiv": line | st.sampled_from(["2503.12345", "2503.12345v2", "hep-th/9901001"]),
        "date": value,
        "extra": value,
    },
)


def source(text: str, slug: str = "fuzzed-paper") -> SourceFile:
    label = f"content/{DAY.year}/{DAY.isoformat()}/{slug}.md"
    return SourceFile(Path(label), label, DAY, slug, text)


def dump(front: dict[str, Any]) -> str:
    return yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000)


def check_rendering(paper: Any) -> None:
    """Everything a template shows of a paper stays inside the allow-list."""
    view = PaperView(paper)
    for name in ("title_html", "body_html", "tldr_html"):
        html = getattr(view, name)
        if html is not None:
            assert fragment_violations(str(html), CONFIG.base_path) == [], (name, str(html))
    json_ld = str(view.json_ld(CONFIG))
    assert "<" not in json_ld and ">" not in json_ld and "&" not in json_ld, json_ld
    data = json.loads(json_ld)
    assert data["name"] == view.title_text
    assert isinstance(view.bibtex(CONFIG), str) and isinstance(view.excerpt, str)


def check_text(text: str) -> None:
    try:
        paper, problems = check_source(source(text), VOCABULARY)
    except PapersError:
        return
    errors = [p for p in problems if p.severity == "error"]
    assert (paper is None) == bool(errors), problems
    if paper is not None:
        check_rendering(paper)


@FUZZ
@given(front=front_matter, body=markdown)
def test_any_front_matter_and_body_gives_problems_or_safe_html(front: dict[str, Any], body: str) -> None:
    try:
        text = f"---\n{dump(front)}---\n\n{body}\n"
    except yaml.YAMLError:
        return
    check_text(text)


@FUZZ
@given(yaml_text=st.lists(st.sampled_from(TOKENS) | line, max_size=30).map("".join), body=markdown)
def test_any_yaml_text_gives_problems_or_safe_html(yaml_text: str, body: str) -> None:
    check_text(f"---\ntitle: {yaml_text}\n{yaml_text}\n---\n{body}")


@FUZZ
@given(data=st.binary(max_size=400) | markdown.map(lambda text: text.encode("utf-8", "surrogatepass")))
def test_any_bytes_give_problems_or_safe_html(data: bytes) -> None:
    text, problem = decode_utf8("fuzzed.md", data)
    if text is None:
        assert problem is not None and problem.severity == "error"
        return
    check_text(text)


@FUZZ
@given(body=markdown, title=line)
def test_a_valid_paper_with_any_abstract_renders_safely(body: str, title: str) -> None:
    text = f"---\ntitle: {json.dumps('Paper ' + title)}\n---\n\n{body}\n"
    paper, problems = check_source(source(text), VOCABULARY)
    if paper is not None:
        check_rendering(paper)
    else:
        assert any(p.severity == "error" for p in problems)


@settings(
    max_examples=BUILDS,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(front=front_matter, body=markdown)
def test_a_whole_build_of_any_accepted_paper_is_safe(
    tmp_path_factory: pytest.TempPathFactory, front: dict[str, Any], body: str
) -> None:
    text = f"---\n{dump(front)}---\n\n{body}\n"
    paper, _ = check_source(source(text), VOCABULARY)
    if paper is None:
        return
    folder = tmp_path_factory.mktemp("fuzz-build")
    project = Project(folder / "site")
    project.write(f"content/{DAY.year}/{DAY.isoformat()}/fuzzed-paper.md", text.encode("utf-8"))
    out = folder / "public"
    try:
        build(project.root, out=out, search=False)
    except PapersError:
        return  # e.g. an arXiv id whose slug is not the file name: a site-wide rule
    assert site_violations(out, "/") == []
