"""Untrusted contributions: every file in tests/hostile/ is one attack, with its expected outcome.

A case is either a paper file (`<slug>.md`, copied to content/2025/2025-03-17/) or, for what a
plain text file cannot hold (symbolic links, invalid bytes, huge files, odd file names), a
YAML manifest (`<name>.yaml`) listing the files to create. Both begin with comment lines:

    # attack: what the case tries
    # expect: rendered                          (check passes, the build is harmless)
    # expect: rejected "<message substring>"    (check exits 1 naming the file; the build refuses)
    # shows: text the page shows literally     (repeatable; compared after Unicode NFC)
    # absent: text no page (nor the check report) shows   (repeatable)
    # link: an href that must be on the page exactly as written   (repeatable)

In a paper file they are the first lines of its front matter, where YAML ignores them.
Manifest keys: `files` (each a `path` with `text`, `parts` or `symlink`, and an optional
`encoding`), `outside` (files created in a folder beside the project; `{outside}` in a link
target), and `page` (the page `shows` looks at; default: the case's paper page). A part is
`{text, repeat}`, `{hex}` or `{counter, repeat}` where `{n}` counts from 1 and `{indent}` is
two spaces per step.

`papers check` runs in a subprocess (a hang or even a segfault fails one case, not the run);
the build runs in-process under a time limit. Every built page must stay inside an allow-list
of elements, attributes and URL schemes (see `html_violations`), the JSON-LD must be JSON
that cannot close its <script>, and every XML file must be well-formed.
Any new finding (a fuzz failure, a bug report) becomes one more file in tests/hostile/.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import traceback
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, TypeVar

import html5lib
import pytest
import yaml

from generator.build import build
from generator.errors import PapersError
from tests.conftest import REPO, Project

HOSTILE = Path(__file__).resolve().parent / "hostile"
DAY = "2025-03-17"
CHECK_SECONDS = 30  # generous bounds: a case taking this long is a hang, not a slow machine
BUILD_SECONDS = 60
CHECK_CODE = "import sys; from generator.cli import main; sys.exit(main(sys.argv[1:]))"
COMPANION = """\
---
title: A companion paper on the same day
authors: [Ada Lovelace]
tags: [llm]
---

A perfectly ordinary abstract that sits beside the hostile one, so that day pages, pagers and
feeds list both. We study attention and show that it works well on every benchmark we tried,
while using a fraction of the memory and compute of the baseline model we compare against.
"""

# ---------------------------------------------------------------------------------------------
# The allow-list: what a built page may contain, whatever the content.


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


HTML_NS = "{http://www.w3.org/1999/xhtml}"
MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
HTML_ELEMENTS = words(
    """html head body meta title link script a nav header footer main article section div span p
    h1 h2 h3 h4 h5 h6 ul ol li time strong em code pre blockquote hr br s del u kbd form label
    input button select option datalist noscript details summary sup sub"""
)
MATHML_ELEMENTS = words(
    """math mrow mi mn mo ms mtext mspace msup msub msubsup mfrac msqrt mroot mstyle merror mpadded
    mphantom menclose munder mover munderover mtable mtr mtd mlabeledtr semantics annotation
    mmultiscripts mprescripts none"""
)
ATTRIBUTES = words(
    """class id href src rel lang dir charset name content http-equiv property title type role hidden
    tabindex datetime for action method placeholder autocomplete enterkeyhint defer list value
    start open aria-label aria-labelledby aria-hidden aria-live aria-current aria-describedby"""
)
MATHML_ATTRIBUTES = words(
    """xmlns display mathvariant stretchy fence separator lspace rspace form minsize maxsize accent
    accentunder movablelimits columnalign rowalign columnspacing rowspacing columnlines rowlines
    frame width height depth linethickness displaystyle scriptlevel mathsize symmetric largeop
    notation encoding align alttext"""
)
URL_ATTRIBUTES = ("href", "src", "action")
SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CSP_RE = re.compile(r'http-equiv="Content-Security-Policy" content="([^"]*)"')
SITE_CSP = _CSP_RE.search((REPO / "layouts/_partials/csp.html").read_text(encoding="utf-8"))
JSON_LD_RE = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script", re.S | re.I)


def url_problem(value: str, base_path: str = "/") -> str | None:
    """Why a URL in href/src/action is not allowed: only http(s), mailto and site paths pass."""
    cleaned = "".join(ch for ch in value if ord(ch) > 0x20 and ch != "\x7f")  # as browsers strip them
    scheme = _SCHEME_RE.match(cleaned)
    if scheme:
        return None if scheme.group(1).lower() in SAFE_SCHEMES else f"the scheme `{scheme.group(1)}:`"
    if cleaned.startswith("//") or "\\" in cleaned:
        return "a scheme-relative or backslash URL"
    if cleaned.startswith(("#", "?")):
        return None
    if not cleaned.startswith(base_path):
        return "a relative URL or one outside the site"
    if ".." in cleaned.split("?")[0].split("/"):
        return "a `..` in a site path"
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def element_violations(root: Any, base_path: str = "/", where: str = "", page: bool = True) -> list[str]:
    """Every element, attribute or URL under an html5lib etree node that the allow-list refuses.

    Pages may carry any inert `data-*` attribute (the layouts' scripts read them); rendered
    content (`page=False`: abstracts, titles, feed entries) only Pagefind's.
    """
    found: list[str] = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in ("DOCUMENT_FRAGMENT", "DOCUMENT_ROOT", "<!DOCTYPE>"):
            continue  # comments and html5lib's containers
        name = _local(tag)
        if tag.startswith(MATHML_NS):
            allowed, attributes = name in MATHML_ELEMENTS, MATHML_ATTRIBUTES
        elif tag.startswith(HTML_NS) or "}" not in tag:
            allowed, attributes = name in HTML_ELEMENTS, ATTRIBUTES
        else:
            allowed, attributes = False, frozenset()
        if not allowed:
            found.append(f"{where}<{tag}> is not an allowed element")
        for attribute, value in element.attrib.items():
            local = _local(attribute) if attribute.startswith("{http://www.w3.org/2000/xmlns/") else attribute
            if local.lower().startswith("on") or local.lower() == "style":
                found.append(f"{where}<{name} {attribute}> is an event handler or a style")
            elif not (
                local in attributes
                or local.startswith(("data-pagefind-", "aria-"))
                or (page and local.startswith("data-") and name not in MATHML_ELEMENTS)
            ):
                found.append(f"{where}<{name} {attribute}> is not an allowed attribute")
            if local in URL_ATTRIBUTES:
                problem = url_problem(value, base_path)
                if problem:
                    found.append(f"{where}<{name} {local}={value!r}> has {problem}")
        if name == "script":
            found += _script_violations(element, base_path, where)
        if name == "meta" and "http-equiv" in element.attrib:
            expected = {"Content-Security-Policy": SITE_CSP.group(1) if SITE_CSP else None}
            expected["refresh"] = f"0; url={base_path}archive/"  # the folder pages' only target
            kind = element.attrib["http-equiv"]
            if kind not in expected or element.attrib.get("content") != expected[kind]:
                found.append(
                    f"{where}<meta http-equiv={element.attrib['http-equiv']!r}> is not the site's CSP "
                    "or redirect"
                )
        if name == "base" or (name == "link" and "import" in element.attrib.get("rel", "")):
            found.append(f"{where}<{name}> may change where links point")
    return found


def _script_violations(element: Any, base_path: str, where: str) -> list[str]:
    text = element.text or ""
    if "src" in element.attrib:
        if not element.attrib["src"].startswith(f"{base_path}assets/") or text.strip():
            return [f"{where}<script src={element.attrib['src']!r}> is not one of the site's own scripts"]
        return []
    if element.attrib.get("type") != "application/ld+json":
        return [f"{where}an inline <script> that is not JSON-LD: {text[:80]!r}"]
    if "</script" in text.lower() or "<!--" in text:
        return [f"{where}the JSON-LD contains `</script` or `<!--`"]
    try:
        json.loads(text)
    except ValueError as error:
        return [f"{where}the JSON-LD is not JSON: {error}"]
    return []


class _NestedLinks(HTMLParser):
    """Counts <a> start tags met inside an open <a>: invalid HTML, which html5lib's tree
    repairs silently (it closes the outer link)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = self.nested = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.nested += self.depth > 0
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.depth = max(0, self.depth - 1)


def html_violations(html: str, base_path: str = "/", where: str = "") -> list[str]:
    """A whole page: the parsed tree against the allow-list, links inside links, and the raw
    JSON-LD blocks."""
    document = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    found = element_violations(document, base_path, where)
    links = _NestedLinks()
    links.feed(html)
    if links.nested:
        found.append(f"{where}{links.nested} link(s) inside a link")
    for block in JSON_LD_RE.findall(html):
        if "<!--" in block or "<script" in block.lower():
            found.append(f"{where}the raw JSON-LD contains `<!--` or `<script`")
        try:
            json.loads(block)
        except ValueError as error:
            found.append(f"{where}the raw JSON-LD is not JSON: {error}")
    return found


def fragment_violations(html: str, base_path: str = "/", where: str = "") -> list[str]:
    """A fragment (an abstract, a title) against the allow-list: no head elements either."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=True)
    found = element_violations(fragment, base_path, where, page=False)
    for element in fragment.iter():
        if isinstance(element.tag, str) and _local(element.tag) in ("script", "meta", "link", "title"):
            found.append(f"{where}<{_local(element.tag)}> inside rendered content")
    return found


def site_violations(out: Path, base_path: str = "/") -> list[str]:
    """Every page and XML file of a built site against the allow-list."""
    found: list[str] = []
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out).as_posix()
        if not path.is_file() or relative.startswith("pagefind/"):
            continue
        if path.suffix == ".html":
            found += html_violations(path.read_text(encoding="utf-8"), base_path, f"{relative}: ")
        elif path.suffix == ".xml":
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as error:
                found.append(f"{relative}: not well-formed XML: {error}")
                continue
            for content in root.iter("{http://www.w3.org/2005/Atom}content"):
                found += fragment_violations(content.text or "", base_path, f"{relative} <content>: ")
    return found


def page_text(html: str) -> str:
    """What a reader sees in the page body: text nodes, whitespace collapsed, NFC."""
    document = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    body = document.find(f"{HTML_NS}body")
    text = "".join((body if body is not None else document).itertext())
    return unicodedata.normalize("NFC", " ".join(text.split()))


def page_hrefs(html: str) -> set[str]:
    document = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=True)
    return {a.attrib["href"] for a in document.iter(f"{HTML_NS}a") if "href" in a.attrib}


# ---------------------------------------------------------------------------------------------
# Cases.


@dataclass
class Case:
    name: str
    path: Path
    attack: str = ""
    expect: str = ""  # "rendered" or "rejected"
    message: str = ""
    shows: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        if self.manifest:
            return [str(entry["path"]) for entry in self.manifest["files"]]
        return [f"content/{DAY[:4]}/{DAY}/{self.path.stem}.md"]

    @property
    def page(self) -> str:
        default = f"papers/{Path(self.files[0]).stem}/index.html"
        return str(self.manifest.get("page", default))


_HEADER_RE = re.compile(r"^# (attack|expect|shows|absent|link): ?(.*)$")
_EXPECT_RE = re.compile(r'^(rendered|rejected "(.+)")$')


def load_case(path: Path) -> Case:
    text = path.read_text(encoding="utf-8")
    case = Case(path.stem, path)
    lines = text.split("\n")
    for line in lines[1:] if path.suffix == ".md" else lines:
        if line.strip() == "---":
            break
        match = _HEADER_RE.match(line)
        if not match:
            if path.suffix == ".yaml" and not line.startswith("#"):
                break
            continue
        key, value = match.groups()
        if key == "attack":
            case.attack = value
        elif key == "expect":
            expect = _EXPECT_RE.match(value)
            assert expect, f'{path.name}: `# expect: {value}` is neither rendered nor rejected "..."'
            case.expect = expect.group(1).split(" ")[0]
            case.message = expect.group(2) or ""
        elif key == "shows":
            case.shows.append(value)
        elif key == "absent":
            case.absent.append(value)
        else:
            case.links.append(value)
    if path.suffix == ".yaml":
        case.manifest = yaml.safe_load(text)
        assert isinstance(case.manifest, dict) and case.manifest.get("files"), f"{path.name}: no files"
    assert case.attack and case.expect, f"{path.name}: needs `# attack:` and `# expect:` lines"
    return case


def all_cases() -> list[Case]:
    return [load_case(p) for p in sorted(HOSTILE.iterdir()) if p.suffix in (".md", ".yaml")]


def _part_bytes(part: dict[str, Any], encoding: str) -> bytes:
    if "hex" in part:
        return bytes.fromhex(str(part["hex"]))
    repeat = int(part.get("repeat", 1))
    if "counter" in part:
        template = str(part["counter"])
        text = "".join(template.format(n=n, indent="  " * (n - 1)) for n in range(1, repeat + 1))
        return text.encode(encoding)
    return str(part["text"]).encode(encoding) * repeat


def _inside(root: Path, relative: str) -> Path:
    target = root / relative
    assert os.path.normpath(target).startswith(str(root)), f"{relative} leaves the project"
    return target


def materialize(case: Case, root: Path, outside: Path) -> Project:
    """The project of a case: the standard test project, a companion paper, and the case's files."""
    project = Project(root)
    project.write(f"content/{DAY[:4]}/{DAY}/companion-paper.md", COMPANION)
    if not case.manifest:
        project.write(case.files[0], case.path.read_bytes())
        return project
    for relative, text in (case.manifest.get("outside") or {}).items():
        target = outside / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for entry in case.manifest["files"]:
        target = _inside(root, str(entry["path"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_file():
            target.unlink()
        if "symlink" in entry:
            target.symlink_to(str(entry["symlink"]).replace("{outside}", str(outside)))
            continue
        encoding = str(entry.get("encoding", "utf-8"))
        if "parts" in entry:
            data = b"".join(_part_bytes(part, encoding) for part in entry["parts"])
        else:
            data = str(entry["text"]).encode(encoding)
        target.write_bytes(data)
    return project


# ---------------------------------------------------------------------------------------------
# Running a case.

T = TypeVar("T")


class Hang(Exception):
    pass


def within(seconds: float, work: Callable[[], T]) -> T:
    """Run `work` in a thread; raise Hang if it has not finished after `seconds`."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as error:  # re-raised in the caller, with the worker's traceback
            box["error"], box["trace"] = error, traceback.format_exc()

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise Hang(f"still running after {seconds} s")
    if "error" in box:
        box["error"].trace = box["trace"]
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


@dataclass
class Outcome:
    case: Case
    result: str = ""  # "rejected", "rendered", "crashed" or "wrong"
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    message: str = ""  # the error that rejected the case


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run(
        [sys.executable, "-c", CHECK_CODE, "--root", str(root), "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=CHECK_SECONDS,
        check=False,
    )


def run_case(case: Case, workdir: Path) -> Outcome:
    outcome = Outcome(case)
    project = materialize(case, workdir / "site", workdir / "outside")
    out = workdir / "public"
    start = time.perf_counter()
    crashed = outcome.failures.append
    try:
        check = run_check(project.root)
    except subprocess.TimeoutExpired:
        crashed(f"`papers check` hung: no answer after {CHECK_SECONDS} s")
        outcome.result, outcome.seconds = "crashed", time.perf_counter() - start
        return outcome
    report = check.stdout + check.stderr
    errors = [line for line in check.stderr.splitlines() if ": error: " in line]
    message = next((e for e in errors if case.message and case.message in e), "")
    outcome.message = message.split(": error: ", 1)[-1]
    if check.returncode not in (0, 1) or "Traceback" in report:
        crashed(f"`papers check` crashed (exit {check.returncode}):\n{report[-3000:]}")
    if check.returncode < 0:  # killed by a signal (a segfault): the same in-process would end the run
        outcome.result, outcome.seconds = "crashed", time.perf_counter() - start
        return outcome
    try:
        result = within(BUILD_SECONDS, lambda: build(project.root, out=out, search=False))
        built_error: PapersError | None = None
    except PapersError as error:
        result, built_error = None, error
    except Hang as error:
        crashed(f"the build hung: {error}")
        result = built_error = None
    except Exception as error:
        crashed(f"the build crashed: {type(error).__name__}: {error}\n{getattr(error, 'trace', '')[-3000:]}")
        result = built_error = None
    outcome.seconds = time.perf_counter() - start
    if (project.root / "pwned").exists():
        crashed("a command from the content ran")
    if outcome.failures:
        outcome.result = "crashed"
        return outcome
    wrong = outcome.failures.append
    for text in case.absent:
        if text in report:
            wrong(f"the check report shows {text!r}")
    if case.expect == "rejected":
        _expect_rejected(case, check, errors, built_error, out, wrong)
    else:
        _expect_rendered(case, check, errors, result is not None, out, wrong)
    outcome.result = "wrong" if outcome.failures else case.expect
    return outcome


def _expect_rejected(
    case: Case,
    check: subprocess.CompletedProcess[str],
    errors: list[str],
    built_error: PapersError | None,
    out: Path,
    wrong: Callable[[str], None],
) -> None:
    if check.returncode != 1:
        wrong(f"`papers check` exited {check.returncode}, not 1:\n{check.stdout}{check.stderr}")
    named = [e for e in errors if case.message in e]
    if not named:
        wrong(f"no error mentions {case.message!r}:\n{check.stderr[-2000:]}")
    elif not any(e.startswith(tuple(case.files)) for e in named):
        wrong(f"the error does not name the file ({', '.join(case.files)}): {named[0]}")
    if built_error is None:
        wrong("the build did not refuse the content")
    elif not any(case.message in p.message for p in built_error.problems):
        wrong(f"the build refused for another reason: {built_error}")
    if out.exists():
        wrong("a refused build left an output folder")


def _expect_rendered(
    case: Case,
    check: subprocess.CompletedProcess[str],
    errors: list[str],
    built: bool,
    out: Path,
    wrong: Callable[[str], None],
) -> None:
    if check.returncode != 0 or errors:
        wrong(f"`papers check` refused the content:\n{check.stderr[-2000:]}")
    if not built:
        wrong("the build refused the content")
        return
    wrong_markup = site_violations(out)
    for problem in wrong_markup[:20]:
        wrong(problem)
    pages = {p.relative_to(out).as_posix(): p for p in out.rglob("*.html")}
    texts = {name: page_text(path.read_text(encoding="utf-8")) for name, path in pages.items()}
    if case.shows or case.links:
        if case.page not in pages:
            wrong(f"the page {case.page} was not built")
            return
        text = texts[case.page]
        for expected in case.shows:
            wanted = unicodedata.normalize("NFC", " ".join(expected.split()))
            if wanted not in text:
                wrong(f"{case.page} does not show {expected!r} literally")
        hrefs = page_hrefs(pages[case.page].read_text(encoding="utf-8"))
        for link in case.links:
            if link not in hrefs:
                wrong(f"{case.page} has no link to exactly {link!r}")
    for absent in case.absent:
        for name, text in texts.items():
            if absent in text:
                wrong(f"{name} shows {absent!r}")


# ---------------------------------------------------------------------------------------------
# Tests.

CASES = all_cases()
OUTCOMES: dict[str, Outcome] = {}


def test_the_corpus_covers_every_attack_kind() -> None:
    names = {case.name for case in CASES}
    assert len(CASES) >= 60
    for needed in ("html-in-title", "yaml-billion-laughs", "symlink-file", "huge-file", "invalid-utf8"):
        assert needed in names
    assert {case.expect for case in CASES} == {"rendered", "rejected"}


def test_the_allow_list_accepts_the_ordinary_site(sample_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(sample_project.root, out=out, search=False)
    assert site_violations(out) == []


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<p onclick="x">a</p>',
        '<a href="javascript:alert(1)">a</a>',
        '<a href="JaVa&#09;Script:alert(1)">a</a>',
        '<a href="data:text/html,x">a</a>',
        '<a href="//evil.example/">a</a>',
        '<p style="color:red">a</p>',
        "<img src=x>",
        '<svg><a href="https://x">a</a></svg>',
        '<math><mi xlink:href="https://x">a</mi></math>',
    ],
)
def test_the_allow_list_refuses_injected_markup(snippet: str) -> None:
    assert fragment_violations(snippet), snippet


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_case(case: Case, tmp_path: Path) -> None:
    outcome = run_case(case, tmp_path)
    OUTCOMES[case.name] = outcome
    details = "\n".join(f"  - {failure}" for failure in outcome.failures)
    assert not outcome.failures, f"{case.path.name} ({case.attack}), expected {case.expect}:\n{details}"


def test_summary(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The table of outcomes (shown with `pytest -s`); cases not run yet are run here."""
    for case in CASES:
        if case.name not in OUTCOMES:
            OUTCOMES[case.name] = run_case(case, tmp_path_factory.mktemp(case.name))
    outcomes = [OUTCOMES[case.name] for case in CASES]
    width = max(len(o.case.name) for o in outcomes)
    print(f"\n{'case':<{width}}  {'expected':<8}  {'outcome':<8}  seconds  message")
    for o in outcomes:
        print(
            f"{o.case.name:<{width}}  {o.case.expect:<8}  {o.result:<8}  {o.seconds:7.2f}  {o.message[:70]}"
        )
    counts = {
        kind: sum(o.result == kind for o in outcomes) for kind in ("rejected", "rendered", "crashed", "wrong")
    }
    print(
        "\n| cases tried | rejected with a message | rendered harmlessly | crashed | other failures |\n"
        "|---|---|---|---|---|\n"
        f"| {len(outcomes)} | {counts['rejected']} | {counts['rendered']} | {counts['crashed']} "
        f"| {counts['wrong']} |"
    )
    assert counts["crashed"] == 0, [o.case.name for o in outcomes if o.result == "crashed"]
