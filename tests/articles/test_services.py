"""learn_more(code): what the diagnosis result page links to."""

import pytest

from articles.models import Article
from articles.services import learn_more
from ml.registry import CLASS_CODES, CLASS_NAMES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", CLASS_CODES)
def test_it_returns_the_published_article_for_each_class(code):
    result = learn_more(code)
    assert result["code"] == code
    assert result["name"] == CLASS_NAMES[code]
    assert result["article"].class_label == code
    assert result["article"].published


@pytest.mark.parametrize("code", [c for c in CLASS_CODES if c != "N"])
def test_it_lists_the_related_heart_conditions(code):
    diseases = learn_more(code)["diseases"]
    assert diseases
    assert all(a.category == Article.Category.DISEASE and a.published for a in diseases)


def test_premature_ventricular_contractions_lead_to_the_expected_heart_conditions():
    slugs = {a.slug for a in learn_more("V")["diseases"]}
    assert {"coronary-artery-disease", "heart-attack", "cardiomyopathy", "heart-failure"} <= slugs


def test_it_lists_prevention_articles_with_related_ones_first():
    prevention = learn_more("VF")["prevention"]
    assert prevention
    assert all(a.category == Article.Category.PREVENTION for a in prevention)
    assert prevention[0].slug == "cpr-and-defibrillators"
    assert {a.slug for a in prevention} == set(
        Article.objects.published()
        .filter(category=Article.Category.PREVENTION)
        .values_list("slug", flat=True)
    )


def test_it_lists_the_related_site_guides():
    guides = {a.slug for a in learn_more("A")["guides"]}
    assert "how-to-read-your-result" in guides


def test_it_accepts_lowercase_codes_and_surrounding_spaces():
    assert learn_more(" vf ")["article"].class_label == "VF"


@pytest.mark.parametrize("code", ["", "X", "normal", None, 5, "N; DROP TABLE"])
def test_it_returns_empties_for_unknown_codes(code):
    assert learn_more(code) == {
        "code": "",
        "name": "",
        "article": None,
        "diseases": [],
        "prevention": [],
        "guides": [],
    }


def test_an_unpublished_class_article_is_not_offered():
    Article.objects.filter(class_label="L").update(published=False)
    result = learn_more("L")
    assert result["code"] == "L" and result["name"] == CLASS_NAMES["L"]
    assert result["article"] is None and result["diseases"] == []


def test_unpublished_disease_pages_are_left_out():
    Article.objects.filter(slug="heart-failure").update(published=False)
    assert "heart-failure" not in {a.slug for a in learn_more("L")["diseases"]}


def test_it_needs_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        learn_more("V")
