"""The articles written by the team live as Markdown files in ``articles/content/``.

Each file is ``<slug>.md``: a small front-matter header between two ``---`` lines, then the
Markdown body::

    ---
    title: Premature ventricular contractions (PVCs)
    category: arrhythmia
    class_label: V
    summary: One or two plain sentences.
    position: 5
    published: yes
    medical_review_date: 2026-11-25
    reviewed_by: Who checked it
    related: heart-failure, cardiomyopathy
    references:
      - NHS: Heart palpitations | https://www.nhs.uk/conditions/heart-palpitations/
    ---
    ## What it is
    ...

``category`` is one of arrhythmia, disease, prevention, site; ``class_label`` (arrhythmia
articles only) a code from ``ml.registry``, allowed only on the article the registry names
for that class (``BeatClass.article_slug``); ``position`` orders articles within a category;
``related`` lists slugs; a header line starting with ``#`` is a comment.

``sync_articles`` creates or updates the rows from the files (the data migration and the
``sync_articles`` management command both call it). It takes the model classes as arguments
so that a migration can hand in its historical models.
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ml.registry import BY_CODE, CLASS_CODES

from .rendering import article_slugs_linked, render_markdown

CONTENT_DIR = Path(__file__).resolve().parent / "content"
CATEGORIES = ("arrhythmia", "disease", "prevention", "site")
REQUIRED = ("title", "category", "summary", "medical_review_date", "references")
KNOWN = (*REQUIRED, "class_label", "position", "published", "reviewed_by", "related")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_url_ok = URLValidator(schemes=["http", "https"])


class ContentError(ValueError):
    """A content file is malformed; the message names the file and what is wrong."""


@dataclass
class ArticleFile:
    slug: str
    title: str
    category: str
    summary: str
    body: str
    medical_review_date: datetime.date
    references: list  # [(title, url)]
    class_label: str = ""
    position: int = 100
    published: bool = True
    reviewed_by: str = ""
    related: list = field(default_factory=list)


@dataclass
class SyncReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)


def _split_front_matter(text, name):
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(f"{name}: must start with a '---' line opening the header")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(f"{name}: the header is not closed by a '---' line") from None
    return lines[1:end], "\n".join(lines[end + 1 :]).strip() + "\n"


def _parse_header(lines, name):
    values, list_key = {}, None
    for number, raw in enumerate(lines, start=2):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        stripped = line.strip()
        if stripped.startswith("- "):
            if list_key is None:
                raise ContentError(f"{name}, line {number}: a list item outside a list")
            values[list_key].append(stripped[2:].strip())
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in KNOWN:
            raise ContentError(f"{name}, line {number}: unknown header line {line!r}")
        if key in values:
            raise ContentError(f"{name}, line {number}: {key} is given twice")
        value = value.strip()
        if key == "references":
            values[key], list_key = [], key
            if value:
                raise ContentError(f"{name}, line {number}: list references one per '- ' line")
        else:
            values[key], list_key = value, None
    return values


def _parse_reference(item, name):
    title, sep, url = item.rpartition("|")
    title, url = title.strip(), url.strip()
    if not sep or not title:
        raise ContentError(f"{name}: a reference must read 'Title | https://...': {item!r}")
    try:
        _url_ok(url)
    except ValidationError:
        raise ContentError(f"{name}: reference URL must be http(s): {url!r}") from None
    return title, url


def parse_article_file(path):
    """An ``ArticleFile`` from one content file, or ``ContentError`` saying what is wrong."""
    path = Path(path)
    name, slug = path.name, path.stem
    if not _SLUG.match(slug):
        raise ContentError(f"{name}: the file name must be a slug (a-z, 0-9, hyphens)")
    header, body = _split_front_matter(path.read_text(encoding="utf-8"), name)
    values = _parse_header(header, name)
    missing = [key for key in REQUIRED if not values.get(key)]
    if missing:
        raise ContentError(f"{name}: missing {', '.join(missing)}")
    if values["category"] not in CATEGORIES:
        raise ContentError(f"{name}: category must be one of {', '.join(CATEGORIES)}")
    class_label = values.get("class_label", "")
    if class_label and class_label not in CLASS_CODES:
        raise ContentError(f"{name}: class_label must be one of {', '.join(CLASS_CODES)}")
    if class_label and values["category"] != "arrhythmia":
        raise ContentError(f"{name}: only an arrhythmia article can have a class_label")
    if class_label and BY_CODE[class_label].article_slug != slug:
        raise ContentError(
            f"{name}: class_label {class_label} belongs to the article "
            f"{BY_CODE[class_label].article_slug}.md (ml/registry.py names each class's article)"
        )
    try:
        reviewed = datetime.date.fromisoformat(values["medical_review_date"])
    except ValueError:
        raise ContentError(f"{name}: medical_review_date must be YYYY-MM-DD") from None
    try:
        position = int(values.get("position", 100))
    except ValueError:
        raise ContentError(f"{name}: position must be a whole number") from None
    published = values.get("published", "yes").lower()
    if published not in ("yes", "no"):
        raise ContentError(f"{name}: published must be yes or no")
    related = [s.strip() for s in values.get("related", "").split(",") if s.strip()]
    return ArticleFile(
        slug=slug,
        title=values["title"],
        category=values["category"],
        summary=values["summary"],
        body=body,
        medical_review_date=reviewed,
        references=[_parse_reference(item, name) for item in values["references"]],
        class_label=class_label,
        position=position,
        published=published == "yes",
        reviewed_by=values.get("reviewed_by", ""),
        related=related,
    )


def load_article_files(content_dir=CONTENT_DIR):
    """Every content file parsed and cross-checked (related and linked slugs exist)."""
    paths = sorted(Path(content_dir).glob("*.md"))
    if not paths:
        raise ContentError(f"no article files (*.md) in {content_dir}")
    files = [parse_article_file(p) for p in paths]
    slugs = {f.slug for f in files}
    for f in files:
        unknown = [s for s in f.related + article_slugs_linked(f.body) if s not in slugs]
        if unknown:
            raise ContentError(f"{f.slug}.md: refers to unknown articles {', '.join(unknown)}")
    return files


def _fields(model):
    return {f.name for f in model._meta.get_fields()}


def sync_articles(article_model, reference_model, content_dir=CONTENT_DIR):
    """Make the rows match the content files; rows without a file are left alone.

    The caller runs this inside a transaction (a migration does; the command does too), so
    a bad file leaves the database as it was.
    """
    files = load_article_files(content_dir)
    # Only fields the given (possibly historical) model has: an old migration must keep
    # working after new fields are added.
    known = _fields(article_model)
    report, rows = SyncReport(), {}
    for f in files:
        rendered = render_markdown(f.body)
        wanted = {
            "title": f.title,
            "category": f.category,
            "class_label": f.class_label,
            "summary": f.summary,
            "body": f.body,
            "body_html": rendered.html,
            "toc": rendered.toc,
            "medical_review_date": f.medical_review_date,
            "reviewed_by": f.reviewed_by,
            "published": f.published,
            "position": f.position,
        }
        wanted = {k: v for k, v in wanted.items() if k in known}
        article = article_model.objects.filter(slug=f.slug).first()
        if article is None:
            if f.class_label:
                # A hand-made article may hold the label; the file's article takes it over.
                article_model.objects.filter(class_label=f.class_label).update(class_label="")
            article = article_model.objects.create(slug=f.slug, **wanted)
            report.created.append(f.slug)
            changed = True
        else:
            changed = any(getattr(article, k) != v for k, v in wanted.items())
            if changed:
                if f.class_label:
                    article_model.objects.filter(class_label=f.class_label).exclude(
                        pk=article.pk
                    ).update(class_label="")
                for k, v in wanted.items():
                    setattr(article, k, v)
                article.save()
        refs = list(article.references.order_by("position", "id").values_list("title", "url"))
        if refs != [tuple(r) for r in f.references]:
            article.references.all().delete()
            reference_model.objects.bulk_create(
                reference_model(article=article, title=title, url=url, position=i)
                for i, (title, url) in enumerate(f.references)
            )
            changed = True
        rows[f.slug] = article
        if article.slug not in report.created:
            (report.updated if changed else report.unchanged).append(f.slug)
    for f in files:
        article = rows[f.slug]
        wanted_ids = {rows[s].pk for s in f.related}
        if set(article.related.values_list("pk", flat=True)) != wanted_ids:
            article.related.set(wanted_ids)
            if f.slug in report.unchanged:
                report.unchanged.remove(f.slug)
                report.updated.append(f.slug)
    return report
