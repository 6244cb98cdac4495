"""The Info page: the six classes side by side, each with an example beat and its article."""
import io

import pytest
from django.urls import reverse
from PIL import Image

from articles.models import Article
from ml.registry import CLASSES

pytestmark = pytest.mark.django_db


def test_info_lists_the_six_classes_with_their_articles_and_example_beats(client):
    response = client.get(reverse("info"))
    assert response.status_code == 200
    content = response.content.decode()
    assert len(response.context["classes"]) == 6
    for c in CLASSES:
        assert c.name in content
        article = Article.objects.get(class_label=c.code)
        assert article.get_absolute_url() in content
        assert reverse("articles:example_beat", kwargs={"code": c.code}) in content
    # Side by side, in the model's order.
    positions = [content.index(f'beat-class-{c.code}"') for c in CLASSES]
    assert positions == sorted(positions)


def test_info_leaves_out_the_link_of_an_unpublished_article(client):
    article = Article.objects.get(class_label="A")
    Article.objects.filter(pk=article.pk).update(published=False)
    content = client.get(reverse("info")).content.decode()
    assert article.get_absolute_url() not in content
    assert "Premature Atrial Contraction" in content


@pytest.mark.parametrize("code", [c.code for c in CLASSES])
def test_each_example_beat_is_a_png_image(client, code):
    response = client.get(reverse("articles:example_beat", kwargs={"code": code}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.width > 16 and image.height > 16


def test_example_beats_are_drawn_once_and_then_served_from_the_cache():
    from django.core.cache import cache

    from articles.services import example_beat_cache_key, example_beat_png

    assert cache.get(example_beat_cache_key("V")) is None
    first = example_beat_png("V")
    assert cache.get(example_beat_cache_key("V")) == first
    cache.set(example_beat_cache_key("V"), b"cached bytes")
    assert example_beat_png("V") == b"cached bytes"


def test_an_unknown_class_has_no_example_beat(client):
    assert client.get(reverse("articles:example_beat", kwargs={"code": "Q"})).status_code == 404
    assert client.get("/learn/beats/n.png").status_code == 404
