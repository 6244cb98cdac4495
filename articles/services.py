"""What other parts of the site ask of the articles app."""

from pathlib import Path

from django.contrib.staticfiles import finders

from ml.registry import BY_CODE, CLASS_CODES, CLASSES

from .models import Article

BEAT_IMAGE_CACHE_SECONDS = 60 * 60 * 24
# Where the example beat pictures are, among the static files.
EXAMPLE_BEATS = "img/beats"


def _normalise_code(code):
    code = (code or "").strip().upper() if isinstance(code, str) else ""
    return code if code in CLASS_CODES else ""


def learn_more(code):
    """The reading a patient needs after a beat was labelled ``code`` (an ``ml.registry`` code).

    Returns a dict::

        {
          "code": "V",                      # the code, normalised; "" when unknown
          "name": "Premature Ventricular Contraction",   # the registry's name; ""
          "article": <Article> or None,     # the class's published article (its
                                            # registry article_slug)
          "diseases": [<Article>, ...],     # published heart-condition articles related to it
          "prevention": [<Article>, ...],   # published prevention articles, related ones first
          "guides": [<Article>, ...],       # published "using this site" articles related to
                                            # it (e.g. how to read your result)
        }

    Every ``Article`` has ``title``, ``summary`` and ``get_absolute_url()``. An unknown or
    empty code, or a class whose article is missing or unpublished, gives ``None`` and empty
    lists, never an exception. Lowercase codes ("vf") are accepted.
    """
    code = _normalise_code(code)
    result = {
        "code": code,
        "name": BY_CODE[code].name if code else "",
        "article": None,
        "diseases": [],
        "prevention": [],
        "guides": [],
    }
    if not code:
        return result
    article = Article.objects.published().filter(slug=BY_CODE[code].article_slug).first()
    if article is None:
        return result
    related = list(article.related_articles())
    result["article"] = article
    result["diseases"] = [a for a in related if a.category == Article.Category.DISEASE]
    result["guides"] = [a for a in related if a.category == Article.Category.SITE]
    related_prevention = [a for a in related if a.category == Article.Category.PREVENTION]
    other_prevention = (
        Article.objects.published()
        .filter(category=Article.Category.PREVENTION)
        .exclude(pk__in=[a.pk for a in related_prevention])
        .in_site_order()
    )
    result["prevention"] = related_prevention + list(other_prevention)
    return result


def class_overview():
    """Every class in the registry's order, each with its published article (or None)."""
    slugs = [c.article_slug for c in CLASSES]
    articles = {a.slug: a for a in Article.objects.published().filter(slug__in=slugs)}
    return [
        {"code": c.code, "name": c.name, "article": articles.get(c.article_slug)}
        for c in CLASSES
    ]


def example_beat_path(code):
    """The example beat picture of class ``code``: a file drawn ahead of time by
    ``python -m ml.reports.examples`` and shipped in static/img/beats/; None for an unknown
    code."""
    if code not in CLASS_CODES:
        return None
    found = finders.find(f"{EXAMPLE_BEATS}/{code}.png")
    return Path(found) if found else None


def example_beat_png(code):
    """PNG bytes of the example beat of ``code`` (see example_beat_path), or None."""
    path = example_beat_path(code)
    return path.read_bytes() if path else None
