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


@pytest.mark.parametrize("code", [c.code for c in CLASSES])
def test_every_class_has_an_example_picture_drawn_ahead_of_time_and_served_as_it_is(client,
                                                                                   code):
    from articles.services import example_beat_path

    path = example_beat_path(code)
    assert path is not None and path.parent.parts[-3:] == ("static", "img", "beats")
    with Image.open(path) as image:
        assert (image.format, image.size) == ("PNG", (288, 192))
    response = client.get(reverse("articles:example_beat", kwargs={"code": code}))
    assert response.content == path.read_bytes()


def test_an_unknown_class_has_no_example_beat(client):
    assert client.get(reverse("articles:example_beat", kwargs={"code": "Q"})).status_code == 404
    assert client.get("/learn/beats/n.png").status_code == 404
