"""`site.yaml` -> `SiteConfig`: typed, with unknown keys reported as errors."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.errors import PapersError, Problem, did_you_mean
from generator.frontmatter import normalize_newlines, parse_yaml_mapping
from generator.validate import CONTROL_RE, check_url

CONFIG_NAME = "site.yaml"


@dataclass(frozen=True)
class SiteConfig:
    """Everything about the site that is not a paper."""

    title: str = "Daily Papers"
    description: str = "Research papers, one page a day."
    base_url: str = "http://localhost:8000/"
    language: str = "en"
    repository: str = ""
    branch: str = "main"
    feed_size: int = 50
    page_size: int = 50  # papers on a page of a tag, a week or a month
    day_page_size: int = 200  # a day's list stays whole up to a busy day; a bulk import pages
    social_cards: bool = True  # an Open Graph image per paper (about 12 KB each)
    search_index: str = "auto"  # "single", "split" (by month and year), or "auto": split past 5,000 papers

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: `/` at a domain root, `/repo/` on Pages."""
        return urlsplit(self.base_url).path or "/"

    def absolute(self, path: str) -> str:
        """An absolute URL for a site path such as `papers/x/`."""
        return self.base_url + path.lstrip("/")

    def with_base_url(self, base_url: str, source: str = "--base-url") -> SiteConfig:
        return dataclasses.replace(self, base_url=check_base_url(base_url, source, None))

    def with_repository(self, repository: str, source: str = "--repository") -> SiteConfig:
        """The repository "edit this page" links point to, e.g. the fork a deploy runs in."""
        return dataclasses.replace(self, repository=check_repository(repository, source, None))


_FIELDS = {f.name: f for f in dataclasses.fields(SiteConfig)}
_CHOICES = {"search_index": ("auto", "single", "split")}


def _plain_http_url(url: str) -> bool:
    """An absolute http(s) URL without query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed `[` in the host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.query and not parts.fragment


def check_base_url(value: str, path: str, line: int | None) -> str:
    """A base URL must be absolute http(s), of a folder; a trailing slash is added if
    missing, and a path or host in other scripts is written as addresses are (`%C3%BC`,
    `xn--`), as sitemaps require."""
    if not value:  # `--base-url "$PAGES_URL"` with the variable unset: not localhost, silently
        raise PapersError.single(
            path,
            "base_url is empty",
            "give the address the site is served from, e.g. https://owner.github.io/repo/",
            line,
        )
    if any(c.isspace() or not c.isprintable() or c in '"<>`' for c in value):  # urlsplit drops newlines
        raise PapersError.single(
            path,
            f"base_url {value[:200]!r} has a space or an invisible character (or a quote or an angle bracket)",
            "write the address as the browser's address bar shows it, e.g. https://owner.github.io/repo/",
            line,
        )
    if "?" in value or "#" in value:  # `?x` and `#x` after every page's link
        raise PapersError.single(
            path,
            f"base_url `{value}` has a query (`?...`) or a fragment (`#...`): links could not follow it",
            "leave them out: the site's folder alone, e.g. https://owner.github.io/repo/",
            line,
        )
    if not _plain_http_url(value):
        raise PapersError.single(
            path,
            f"base_url `{value}` is not an absolute http(s) URL",
            "use the address the site is served from, e.g. https://owner.github.io/repo/",
            line,
        )
    problem = _folder_problem(urlsplit(value).path)
    if problem:
        raise PapersError.single(path, f"base_url `{value}` {problem[0]}", problem[1], line)
    why = check_url(value)  # a port past 65535, `user@` (every page would publish it)
    if why:
        raise PapersError.single(path, f"base_url {why}", "e.g. https://owner.github.io/repo/", line)
    value = value if value.isascii() else _ascii_address(value)
    return value if value.endswith("/") else value + "/"


# What a base URL ending in one of these names: a page, not the folder the site is in.
_PAGE_SUFFIXES = (".html", ".htm", ".xml", ".json", ".php")


def _folder_problem(site_path: str) -> tuple[str, str] | None:
    """What makes the path of a base URL no folder for a site's links (message, hint)."""
    if "//" in site_path or "\\" in site_path:
        return (
            "has an empty folder (`//`) or a backslash in its path: links starting with it would "
            "name another host (`//feed.xml` is the host feed.xml)",
            "write the path with single slashes, e.g. https://owner.github.io/repo/",
        )
    segments = [unquote(segment) for segment in site_path.split("/")]  # `%2e%2e` is `..` to a browser
    if {".", ".."} & set(segments):
        return "has `.` or `..` folders in its path", "write the path they lead to"
    if segments[-1].lower().endswith(_PAGE_SUFFIXES):
        return (
            "names a page, not the folder the site is in",
            "leave the page's name out: https://owner.github.io/repo/",
        )
    return None


def _ascii_address(url: str) -> str:
    """`url` as links write it: its host in punycode (`xn--`, IDNA 2008: `faß` is not
    `fass`), the rest percent-encoded, as Markdown links are (and sitemaps require)."""
    from markdown_it import MarkdownIt  # for the rare address in other scripts: not imported for builds

    return MarkdownIt().normalizeLink(url)


def check_repository(value: str, path: str, line: int | None) -> str:
    """A repository is an http(s) URL (or empty: no edit links); a trailing slash is dropped.
    Checked as the links of papers are: every page's "edit this page" link starts with it."""
    value = value.strip()
    if value and (
        why := check_url(value) or (None if _plain_http_url(value) else f"`{value}` is not an http(s) URL")
    ):
        raise PapersError.single(path, f"repository {why}", "e.g. https://github.com/owner/repo", line)
    return value.rstrip("/")


_URL_CHECKS = {"base_url": check_base_url, "repository": check_repository}


# A BCP 47 language tag (`en`, `pt-BR`, `zh-Hant`): it names Pagefind's files, so nothing else.
_LANGUAGE_RE = re.compile(r"(?:[A-Za-z]{2,8}|[xXiI])(?:-[A-Za-z0-9]{1,8})*")


def _text_problem(key: str, value: str) -> tuple[str, str] | None:
    """What is wrong with a text setting (message, hint), if anything."""
    if key == "language" and not _LANGUAGE_RE.fullmatch(value):
        hint = f"write `{value.replace('_', '-')}`" if _LANGUAGE_RE.fullmatch(value.replace("_", "-")) else ""
        return f"`language` must be a language tag, not `{value}`", hint or "e.g. `en`, `de` or `pt-BR`"
    if not value.strip() and key in ("title", "base_url", "language"):
        return f"`{key}` is empty", f"write a value or remove `{key}:`"
    if CONTROL_RE.search(value):  # a newline is fine: a description may be a YAML block
        return f"`{key}` must be without control characters", "retype the value"
    if key == "branch" and not _branch_name(value):
        return f"`branch` `{value}` is not a branch name git allows", "e.g. `main`, as `git branch` shows it"
    return None


# What git refuses in a branch name (`git check-ref-format --branch`): spaces, controls,
# `~^:?*[\`, `..`, `@{`, `//`, a `/` or `.` at either end, a part starting with `.`.
_NOT_IN_BRANCH_RE = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|^[/.-]|[/.]$|/\.|\.lock$|^@$")


def _branch_name(value: str) -> bool:
    """Whether git allows `value` as a branch name (leniently: `HEAD` passes)."""
    return bool(value) and _NOT_IN_BRANCH_RE.search(value) is None


def load_config(root: Path) -> SiteConfig:
    """Read `root/site.yaml`; a missing file means the defaults."""
    path = root / CONFIG_NAME
    label = CONFIG_NAME
    if path.is_dir():  # the defaults would stand in for settings someone meant to write
        raise PapersError.single(
            label,
            "this is a folder, not the site's settings file",
            "replace it by a file of YAML (see the project's own), or remove it",
        )
    if not path.is_file():
        return SiteConfig()
    try:
        text = normalize_newlines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise PapersError.single(label, f"cannot read the site config: {error}") from None
    front, problems = parse_yaml_mapping(label, text, example="title: Daily Papers")
    if front is None:
        raise PapersError(problems)
    values: dict[str, Any] = {}
    for key, value in front.values.items():
        line = front.line_of(key)
        field = _FIELDS.get(key)
        if field is None:
            guess = did_you_mean(key, _FIELDS)
            problems.append(
                Problem(
                    label,
                    line,
                    f"unknown setting `{key}`",
                    f"did you mean `{guess}`?" if guess else f"known settings: {', '.join(_FIELDS)}",
                )
            )
            continue
        expected = {"int": int, "bool": bool}.get(str(field.type), str)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            what = {int: "a whole number", bool: "true or false"}.get(expected, "text")
            problems.append(Problem(label, line, f"`{key}` must be {what}"))
            continue
        if isinstance(value, int) and expected is int and not 1 <= value <= 10_000:
            problems.append(Problem(label, line, f"`{key}` must be between 1 and 10000"))
            continue
        if key in _URL_CHECKS and isinstance(value, str):
            try:
                value = _URL_CHECKS[key](value, label, line)
            except PapersError as error:
                problems.extend(error.problems)
                continue
        if isinstance(value, str) and (problem := _text_problem(key, value)):
            problems.append(Problem(label, line, problem[0], problem[1]))
            continue
        if key in _CHOICES and value not in _CHOICES[key]:
            problems.append(Problem(label, line, f"`{key}` must be one of: {', '.join(_CHOICES[key])}"))
            continue
        values[key] = value
    if problems:
        raise PapersError(problems)
    return SiteConfig(**values)
