"""What other parts of the site ask of the articles app."""

import hashlib
import io
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from ml.registry import BY_CODE, CLASS_CODES, CLASSES

from .models import Article

BEAT_IMAGE_CACHE_SECONDS = 60 * 60 * 24


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


def example_beat_cache_key(code):
    # The data folder is part of the key: pointing the site at other records redraws them.
    data_dir_id = hashlib.sha256(str(settings.ECG_DATA_DIR).encode()).hexdigest()[:12]
    return f"articles:example-beat:{code}:{data_dir_id}"


def example_beat_png(code):
    """PNG bytes of ``ml``'s example beat for ``code``, or None for an unknown code.

    Drawn from the configured data folder when it exists, otherwise ``ml`` draws a
    synthetic beat. Cached: drawing from a real record means reading it from disk.
    """
    code = code if code in CLASS_CODES else ""
    if not code:
        return None
    key = example_beat_cache_key(code)
    png = cache.get(key)
    if png is None:
        from ml.examples import example_beat_image

        data_dir = settings.ECG_DATA_DIR
        image = example_beat_image(code, data_dir=data_dir if Path(data_dir).is_dir() else None)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        png = buffer.getvalue()
        cache.set(key, png, BEAT_IMAGE_CACHE_SECONDS)
    return png
