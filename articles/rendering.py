"""Article Markdown to safe HTML, plus the table of contents taken from its headings.

Every path from an article body to a page goes through ``sanitize_html``: the Markdown
renderer passes raw HTML through untouched, so the sanitiser (nh3, a maintained Rust
sanitiser) is what stands between a careless or malicious editor and a visitor's browser.
"""

import html
import re
from dataclasses import dataclass, field

import markdown
import nh3
from django.urls import NoReverseMatch, reverse

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "dl", "dt", "em", "h2", "h3",
        "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup",
        "table", "tbody", "td", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
# No images: the site works offline and must not load third-party content; no style or
# class: the look comes from the site's own CSS.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "th": {"align"},
    "td": {"align"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    clean_content_tags={"script", "style"},
    strip_comments=True,
)

# [text](article:some-slug) links one article to another without hard-coding the URL.
_ARTICLE_LINK = re.compile(r"\]\(article:([a-z0-9-]+)((?:#[A-Za-z0-9_-]+)?)\)")


@dataclass(frozen=True)
class Rendered:
    html: str
    toc: list = field(default_factory=list)  # [{"id", "title", "level"}], h2 and h3 only


def sanitize_html(fragment):
    """``fragment`` with everything outside the allowed tags, attributes and URL schemes removed."""
    return _cleaner.clean(fragment or "")


def article_url(slug):
    try:
        return reverse("articles:detail", kwargs={"slug": slug})
    except NoReverseMatch:
        return f"/learn/{slug}/"


def _resolve_article_links(text):
    return _ARTICLE_LINK.sub(lambda m: f"]({article_url(m.group(1))}{m.group(2)})", text)


def _flatten_toc(tokens):
    entries = []
    for token in tokens:
        # The toc extension hands back names HTML-escaped; templates escape again.
        entries.append(
            {"id": token["id"], "title": html.unescape(token["name"]), "level": token["level"]}
        )
        entries.extend(_flatten_toc(token["children"]))
    return entries


def render_markdown(text):
    """Render article Markdown to sanitised HTML and a flat table of contents."""
    md = markdown.Markdown(
        extensions=["toc", "tables", "sane_lists", "smarty"],
        extension_configs={
            "toc": {"toc_depth": "2-3"},
            "tables": {"use_align_attribute": True},
        },
        output_format="html",
    )
    raw = md.convert(_resolve_article_links(text or ""))
    return Rendered(html=sanitize_html(raw), toc=_flatten_toc(md.toc_tokens))


def article_slugs_linked(text):
    """The slugs named by ``article:`` links in a Markdown body, in order of appearance."""
    return [m.group(1) for m in _ARTICLE_LINK.finditer(text or "")]
