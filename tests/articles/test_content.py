"""The team's articles: loaded by the data migration, complete, and re-synced by a command."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from articles.content_sync import CONTENT_DIR, ContentError, load_article_files
from articles.models import Article
from ml.registry import CLASS_CODES

pytestmark = pytest.mark.django_db

REQUIRED_DISEASES = (
    "coronary-artery-disease",
    "heart-failure",
    "cardiomyopathy",
    "hypertension",
    "heart-attack",
)
CLASS_ARTICLE_SECTIONS = (
    "What it is",
    "How it looks on an ECG",
    "Symptoms",
    "Causes",
    "Related heart conditions",
    "What to do next",
    "When to call emergency services",
)


def test_every_class_label_has_a_published_article_after_migrations():
    for code in CLASS_CODES:
        article = Article.objects.published().get(class_label=code)
        assert article.category == Article.Category.ARRHYTHMIA


def test_each_class_article_covers_the_required_sections():
    for article in Article.objects.exclude(class_label=""):
        titles = [entry["title"] for entry in article.toc]
        for section in CLASS_ARTICLE_SECTIONS:
            assert any(t.startswith(section) for t in titles), (article.slug, section)


def test_the_required_disease_pages_are_published():
    published = set(
        Article.objects.published()
        .filter(category=Article.Category.DISEASE)
        .values_list("slug", flat=True)
    )
    assert set(REQUIRED_DISEASES) <= published


def test_every_class_article_leads_to_related_heart_conditions():
    for article in Article.objects.exclude(class_label="").exclude(class_label="N"):
        diseases = article.related_articles().filter(category=Article.Category.DISEASE)
        assert diseases.exists(), article.slug
        # ... and the body links to them too.
        for disease in diseases:
            assert disease.get_absolute_url() in article.body_html, (article.slug, disease.slug)


def test_prevention_and_site_guides_exist():
    slugs = set(Article.objects.published().values_list("slug", flat=True))
    assert {
        "healthy-heart-habits",
        "how-to-record-a-good-ecg",
        "how-to-read-your-result",
        "what-this-site-does-not-detect",
    } <= slugs


def test_every_team_article_has_sources_and_a_review_date():
    files = load_article_files()
    assert len(files) >= 17
    for f in files:
        article = Article.objects.get(slug=f.slug)
        assert article.medical_review_date is not None
        urls = list(article.references.values_list("url", flat=True))
        assert len(urls) >= 3, f.slug
        assert all(url.startswith("https://") for url in urls), f.slug


def test_article_bodies_contain_no_raw_html_and_every_article_link_resolves():
    for article in Article.objects.all():
        assert "<" not in article.body.replace("<-", ""), article.slug
        assert "article:" not in article.body_html, article.slug


def test_sync_is_idempotent():
    out = StringIO()
    call_command("sync_articles", stdout=out)
    assert "created 0, updated 0" in out.getvalue()


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_sync_applies_an_edited_file(content_copy):
    edit(
        content_copy / "heart-failure.md",
        "## Symptoms",
        "## Symptoms\n\nA sentence added by an editor about oedema.\n\n## Signs",
    )
    edit(content_copy / "heart-failure.md", "published: yes", "published: no")
    out = StringIO()
    call_command("sync_articles", "--content-dir", str(content_copy), stdout=out)
    assert "updated heart-failure" in out.getvalue()
    article = Article.objects.get(slug="heart-failure")
    assert "added by an editor" in article.body_html
    assert any(entry["title"] == "Signs" for entry in article.toc)
    assert article.published is False


def test_sync_adds_a_new_file_with_its_references_and_links(content_copy):
    (content_copy / "sleep-apnoea.md").write_text(
        "---\ntitle: Sleep apnoea\ncategory: disease\nsummary: Pauses in breathing at night.\n"
        "medical_review_date: 2026-11-25\nrelated: hypertension\nreferences:\n"
        "  - NHS: Sleep apnoea | https://www.nhs.uk/conditions/sleep-apnoea/\n---\n"
        "## What it is\n\nSee [high blood pressure](article:hypertension).\n",
        encoding="utf-8",
    )
    call_command("sync_articles", "--content-dir", str(content_copy), stdout=StringIO())
    article = Article.objects.get(slug="sleep-apnoea")
    assert article.published
    assert list(article.references.values_list("url", flat=True)) == [
        "https://www.nhs.uk/conditions/sleep-apnoea/"
    ]
    assert list(article.related.values_list("slug", flat=True)) == ["hypertension"]
    assert 'href="/learn/hypertension/"' in article.body_html


def test_a_dry_run_changes_nothing(content_copy):
    edit(content_copy / "heart-failure.md", "title: Heart failure", "title: Changed title")
    out = StringIO()
    call_command("sync_articles", "--content-dir", str(content_copy), "--dry-run", stdout=out)
    assert "Would have updated heart-failure" in out.getvalue()
    assert Article.objects.get(slug="heart-failure").title == "Heart failure"


def test_a_bad_file_stops_the_sync_and_changes_nothing(content_copy):
    edit(content_copy / "heart-failure.md", "title: Heart failure", "title: Changed title")
    (content_copy / "broken.md").write_text("no header here\n", encoding="utf-8")
    with pytest.raises(CommandError, match="broken.md"):
        call_command("sync_articles", "--content-dir", str(content_copy), stdout=StringIO())
    assert Article.objects.get(slug="heart-failure").title == "Heart failure"


def write_one(tmp_path, header, body="## Part\n\ntext\n"):
    (tmp_path / "example.md").write_text(f"---\n{header}---\n{body}", encoding="utf-8")
    return tmp_path


GOOD_HEADER = (
    "title: Example\ncategory: site\nsummary: S.\nmedical_review_date: 2026-11-25\n"
    "references:\n  - Source | https://example.org/\n"
)


def test_the_parser_accepts_a_minimal_good_file(tmp_path):
    [parsed] = load_article_files(write_one(tmp_path, GOOD_HEADER))
    assert parsed.slug == "example" and parsed.references == [("Source", "https://example.org/")]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (GOOD_HEADER.replace("https://example.org/", "javascript:alert(1)"), "http"),
        (GOOD_HEADER.replace("category: site", "category: gossip"), "category"),
        (GOOD_HEADER + "class_label: V\n", "only an arrhythmia"),
        (
            GOOD_HEADER.replace("category: site", "category: arrhythmia") + "class_label: Q\n",
            "class_label",
        ),
        (GOOD_HEADER + "related: no-such-article\n", "unknown articles"),
        (GOOD_HEADER + "colour: red\n", "unknown header line"),
        (GOOD_HEADER.replace("2026-11-25", "25/11/2026"), "YYYY-MM-DD"),
        (GOOD_HEADER.replace("references:\n  - Source | https://example.org/\n", ""), "missing"),
        (GOOD_HEADER.replace("Source | ", ""), "Title | https"),
    ],
)
def test_the_parser_rejects_bad_headers_with_a_clear_message(tmp_path, header, message):
    with pytest.raises(ContentError, match=message):
        load_article_files(write_one(tmp_path, header))


def test_the_parser_rejects_links_to_unknown_articles_in_the_body(tmp_path):
    with pytest.raises(ContentError, match="nowhere"):
        load_article_files(write_one(tmp_path, GOOD_HEADER, "See [x](article:nowhere).\n"))


def test_the_parser_rejects_a_class_label_on_another_article_than_the_registrys(tmp_path):
    header = GOOD_HEADER.replace("category: site", "category: arrhythmia") + "class_label: V\n"
    (tmp_path / "extra-beats.md").write_text(f"---\n{header}---\ntext\n", encoding="utf-8")
    with pytest.raises(ContentError, match="belongs to the article "
                                           "premature-ventricular-contractions.md"):
        load_article_files(tmp_path)


def test_an_empty_content_folder_is_an_error(tmp_path):
    with pytest.raises(ContentError, match="no article files"):
        load_article_files(tmp_path)
