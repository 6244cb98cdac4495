"""Editing articles in the admin, with a preview of the rendered text."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import admin_login

pytestmark = pytest.mark.django_db

UNSAFE_DRAFT = "## Draft part\n\n<script>alert(1)</script>[x](javascript:alert(2)) <b onclick=y>b"


@pytest.fixture
def staff_client(client, staff):
    return admin_login(client, staff)


def test_the_change_form_shows_the_sanitised_preview_of_the_saved_text(staff_client):
    article = Article.objects.get(slug="heart-failure")
    Article.objects.filter(pk=article.pk).update(
        body_html='<h2 id="x">Saved heading</h2><script>alert(1)</script>'
    )
    response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Preview (as saved)" in content
    assert "Saved heading" in content
    assert "<script>alert(1)</script>" not in content
    assert reverse("admin:articles_article_preview") in content
    assert "js/articles-admin.js" in content


def test_the_preview_endpoint_renders_and_sanitises_unsaved_text(staff_client):
    response = staff_client.post(
        reverse("admin:articles_article_preview"),
        {"body": UNSAFE_DRAFT},
    )
    assert response.status_code == 200
    data = response.json()
    assert "<h2" in data["html"] and "Draft part" in data["html"]
    assert "<script" not in data["html"] and "javascript" not in data["html"]
    assert "onclick" not in data["html"]
    assert data["toc"] == [{"id": "draft-part", "title": "Draft part", "level": 2}]


def test_the_preview_endpoint_refuses_get_and_non_staff(client, staff_client, patient):
    url = reverse("admin:articles_article_preview")
    assert staff_client.get(url).status_code == 405
    client.logout()
    client.force_login(patient)
    response = client.post(url, {"body": "x"})
    assert response.status_code == 302  # sent to the login page, nothing rendered


def test_the_preview_endpoint_refuses_huge_text(staff_client):
    response = staff_client.post(reverse("admin:articles_article_preview"), {"body": "x" * 200_001})
    assert response.status_code == 400
    assert "too long" in response.json()["error"]


def test_staff_can_create_an_article_with_references_in_the_admin(staff_client):
    response = staff_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Sleep apnoea",
            "slug": "sleep-apnoea",
            "category": "disease",
            "class_label": "",
            "summary": "Breathing pauses at night.",
            "body": "## What it is\n\nPauses <script>x()</script> in breathing.",
            "related": [Article.objects.get(slug="hypertension").pk],
            "medical_review_date": "2026-11-25",
            "reviewed_by": "Editor",
            "position": "8",
            "references-TOTAL_FORMS": "1",
            "references-INITIAL_FORMS": "0",
            "references-MIN_NUM_FORMS": "0",
            "references-MAX_NUM_FORMS": "1000",
            "references-0-position": "0",
            "references-0-title": "NHS: Sleep apnoea",
            "references-0-url": "https://www.nhs.uk/conditions/sleep-apnoea/",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="sleep-apnoea")
    assert article.published is False  # new articles start as drafts
    assert "<script" not in article.body_html and "What it is" in article.body_html
    assert article.references.get().url == "https://www.nhs.uk/conditions/sleep-apnoea/"


def test_the_admin_refuses_a_javascript_reference_and_a_class_label_on_a_disease(staff_client):
    response = staff_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Bad",
            "slug": "bad",
            "category": "disease",
            "class_label": "V",
            "summary": "s",
            "body": "b",
            "medical_review_date": "2026-11-25",
            "position": "1",
            "references-TOTAL_FORMS": "1",
            "references-INITIAL_FORMS": "0",
            "references-MIN_NUM_FORMS": "0",
            "references-MAX_NUM_FORMS": "1000",
            "references-0-position": "0",
            "references-0-title": "Evil",
            "references-0-url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200
    assert not Article.objects.filter(slug="bad").exists()
    content = response.content.decode()
    assert "Only an arrhythmia article can explain a classifier label" in content
    assert "Enter a valid URL" in content


def test_the_publish_action_publishes_the_selected_articles(staff_client):
    article = Article.objects.get(slug="heart-failure")
    Article.objects.filter(pk=article.pk).update(published=False)
    response = staff_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.published
