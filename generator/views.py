"""What templates show of a paper: its text rendered once, and its citation formats.

A `PaperView` is computed once per paper per build and shared by every page that lists it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from markupsafe import Markup

from generator.config import SiteConfig
from generator.markup import excerpt, render_body_and_text, render_inline, to_text
from generator.model import Paper

LISTED = ("title_html", "title_text", "excerpt", "tldr_html")  # what lists show of a paper
Listed = dict[str, Any]  # a view's LISTED values, by name


@dataclass
class PaperView:
    paper: Paper

    def listed(self, compute: bool = False) -> Listed:
        """What lists show of the paper, as far as rendered (all of it with `compute`)."""
        if compute:
            return {name: getattr(self, name) for name in LISTED}
        return {name: self.__dict__[name] for name in LISTED if name in self.__dict__}

    def fill(self, listed: Listed) -> None:
        """Take what lists show from elsewhere (another process, an earlier build)."""
        self.__dict__.update(listed)

    @cached_property
    def title_html(self) -> Markup:
        return Markup(render_inline(self.paper.title))

    @cached_property
    def title_text(self) -> str:
        return to_text(self.paper.title)

    @cached_property
    def _body(self) -> tuple[str, str]:
        return render_body_and_text(self.paper.body)

    @property
    def body_html(self) -> Markup:
        return Markup(self._body[0])

    @property
    def text(self) -> str:
        return self._body[1]

    @cached_property
    def excerpt(self) -> str:
        return excerpt(self.text, 280)

    @cached_property
    def tldr_html(self) -> Markup | None:
        return Markup(render_inline(self.paper.tldr)) if self.paper.tldr else None

    @cached_property
    def description(self) -> str:
        return excerpt(to_text(self.paper.tldr) if self.paper.tldr else self.text, 200)

    @cached_property
    def bibtex(self) -> str:
        return bibtex(self.paper)

    def json_ld(self, config: SiteConfig) -> Markup:
        """schema.org ScholarlyArticle, safe to put inside <script>."""
        paper = self.paper
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ScholarlyArticle",
            "headline": self.title_text[:110],
            "name": self.title_text,
            "description": self.description,
            "datePublished": paper.day.isoformat(),
            "url": config.absolute(paper.url),
        }
        if paper.authors:
            data["author"] = [{"@type": "Person", "name": name} for name in paper.authors]
        if paper.arxiv:
            data["sameAs"] = paper.arxiv_abs_url
            data["identifier"] = f"arXiv:{paper.arxiv}"
        if paper.keywords:
            data["keywords"] = ", ".join(paper.keywords)
        return Markup(script_json(data))


def script_json(data: object) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _bibtex_value(text: str) -> str:
    """Braces must balance in BibTeX; unbalanced ones are escaped."""
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            break
    if depth != 0:
        text = text.replace("{", "\\{").replace("}", "\\}")
    return " ".join(text.split())


def bibtex(paper: Paper) -> str:
    """A @misc entry (arXiv's own style when the id is known)."""
    key = (paper.arxiv_base or paper.slug).replace("/", ":")
    fields = [("title", "{" + _bibtex_value(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(_bibtex_value(a) for a in paper.authors)))
    fields.append(("year", str(paper.day.year)))
    if paper.arxiv:
        fields += [("eprint", paper.arxiv_base or paper.arxiv), ("archivePrefix", "arXiv")]
        fields.append(("url", f"https://arxiv.org/abs/{paper.arxiv_base}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}"
