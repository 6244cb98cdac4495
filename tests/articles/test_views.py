"""The Learn index (by category, with search) and the article page."""

import datetime

import pytest
from django.urls import reverse

from articles.models import Article, Reference

pytestmark = pytest.mark.django_db

REVIEWED = datetime.date(2026, 11, 25)


def make_article(slug, *, published=True, category=Article.Category.DISEASE, body=None, **extra):
    return Article.objects.create(
        title=extra.pop("title", slug.replace("-", " ").capitalize()),
        slug=slug,
        category=category,
        summary=extra.pop("summary", f"Summary of {slug}."),
        body=body if body is not None else f"## Overview\n\nText about {slug}.",
        medical_review_date=REVIEWED,
        published=published,
        **extra,
    )


def test_the_index_lists_published_articles_under_their_category(client):
    response = client.get(reverse("articles:index"))
    assert response.status_code == 200
    content = response.content.decode()
    for label in Article.Category.labels:
        assert label in content
    heart_failure = Article.objects.get(slug="heart-failure")
    assert heart_failure.get_absolute_url() in content
    # Categories come in the declared order.
    positions = [content.index(label) for label in Article.Category.labels]
    assert positions == sorted(positions)


def test_the_index_hides_drafts_from_visitors_and_shows_them_to_staff(client, staff):
    draft = make_article("secret-draft", published=False, title="A secret draft")
    assert draft.get_absolute_url() not in client.get(reverse("articles:index")).content.decode()
    client.force_login(staff)
    content = client.get(reverse("articles:index")).content.decode()
    assert draft.get_absolute_url() in content
    assert "Draft" in content


def test_an_article_page_shows_contents_body_sources_and_related_articles(client):
    article = Article.objects.get(class_label="V")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert article.title in content
    for entry in article.toc:
        assert f'href="#{entry["id"]}"' in content
        assert f'id="{entry["id"]}"' in content
    for reference in article.references.all():
        assert reference.url in content
    assert reverse("articles:detail", kwargs={"slug": "heart-failure"}) in content
    assert "Last medical review" in content
    assert "not a medical device" in content


def test_related_articles_work_in_both_directions(client):
    disease = make_article("rare-disease")
    arrhythmia = make_article("odd-beat", category=Article.Category.ARRHYTHMIA)
    arrhythmia.related.add(disease)
    assert disease.get_absolute_url() in client.get(arrhythmia.get_absolute_url()).content.decode()
    assert arrhythmia.get_absolute_url() in client.get(disease.get_absolute_url()).content.decode()


def test_unpublished_related_articles_are_not_listed_for_visitors(client):
    article = make_article("visible-one")
    draft = make_article("hidden-one", published=False)
    article.related.add(draft)
    assert draft.get_absolute_url() not in client.get(article.get_absolute_url()).content.decode()


def test_an_unpublished_article_is_404_for_visitors_and_patients(client, patient):
    draft = make_article("not-yet", published=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(patient)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_an_unpublished_article_is_visible_to_staff_with_a_draft_banner(client, staff):
    draft = make_article("not-yet", published=False, title="Work in progress")
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Work in progress" in response.content.decode()
    assert "Draft: this article is not published" in response.content.decode()


def test_an_unknown_article_is_404(client):
    assert (
        client.get(reverse("articles:detail", kwargs={"slug": "no-such-thing"})).status_code == 404
    )


def test_html_smuggled_into_the_database_is_sanitised_on_the_page(client):
    article = make_article("smuggled")
    Article.objects.filter(pk=article.pk).update(
        body_html='<p>fine</p><script>alert("x")</script><img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">link</a>'
    )
    content = client.get(article.get_absolute_url()).content.decode()
    assert "fine" in content
    assert 'alert("x")' not in content
    assert "onerror" not in content
    assert "javascript:alert(2)" not in content


def test_search_finds_an_article_by_a_word_in_its_body_on_postgresql(client):
    make_article("quokka-article", body="## Part\n\nThe zygodactylous quokka appears here.")
    response = client.get(reverse("articles:index"), {"q": "zygodactylous"})
    assert response.status_code == 200
    results = response.context["results"]
    assert [a.slug for a in results] == ["quokka-article"]
    assert "1 article found" in response.content.decode()


def test_full_text_search_matches_other_forms_of_a_word_and_ranks_titles_first():
    make_article("body-only", body="## Part\n\nSome people report fainting spells.")
    make_article("in-title", title="Fainting and you", body="## Part\n\nNothing else.")
    results = list(Article.objects.search("faints", full_text=True))
    slugs = [a.slug for a in results]
    assert {"body-only", "in-title"} <= set(slugs)
    assert slugs.index("in-title") < slugs.index("body-only")
    # The plain substring fallback cannot do this: "faints" is not in either text.
    fallback = {a.slug for a in Article.objects.search("faints", full_text=False)}
    assert not {"body-only", "in-title"} & fallback


def test_the_substring_fallback_finds_body_words_and_needs_every_word():
    make_article("both-words", body="## Part\n\nA zygodactylous wallaby.")
    make_article("one-word", body="## Part\n\nA zygodactylous parrot.")
    assert {a.slug for a in Article.objects.search("ZYGODACTYLOUS", full_text=False)} == {
        "both-words",
        "one-word",
    }
    assert [a.slug for a in Article.objects.search("zygodactylous wallaby", full_text=False)] == [
        "both-words"
    ]


def test_search_does_not_show_drafts_to_visitors(client):
    make_article("draft-hit", published=False, body="## Part\n\nzygodactylous")
    response = client.get(reverse("articles:index"), {"q": "zygodactylous"})
    assert list(response.context["results"]) == []
    assert "No article matches" in response.content.decode()


def test_search_with_odd_syntax_or_an_overlong_query_does_not_fail(client):
    for q in ['"unbalanced', "a & | ! ( )", "-", "x" * 500]:
        response = client.get(reverse("articles:index"), {"q": q})
        assert response.status_code == 200


def test_search_finds_the_team_articles_by_everyday_words(client):
    response = client.get(reverse("articles:index"), {"q": "palpitations"})
    slugs = {a.slug for a in response.context["results"]}
    assert {"premature-atrial-contractions", "premature-ventricular-contractions"} <= slugs


def test_references_are_listed_in_order(client):
    article = make_article("with-refs")
    Reference.objects.create(article=article, title="Second", url="https://b.example", position=2)
    Reference.objects.create(article=article, title="First", url="https://a.example", position=1)
    content = client.get(article.get_absolute_url()).content.decode()
    assert content.index("First") < content.index("Second")
    assert 'href="https://a.example" rel="noopener noreferrer"' in content


def test_the_learn_page_uses_full_text_search_on_postgresql(client):
    make_article("body-only", body="## Part\n\nSome people report zygodactylous fainting spells.")
    response = client.get(reverse("articles:index"), {"q": "faints zygodactyly"})
    # Stemming matches "faints" to "fainting": the substring fallback would find nothing.
    assert "body-only" not in {
        a.slug for a in Article.objects.search("faints zygodactyly", full_text=False)
    }
    assert "body-only" in {a.slug for a in response.context["results"]}
