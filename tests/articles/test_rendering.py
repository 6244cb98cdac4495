"""Article Markdown becomes sanitised HTML; nothing executable survives."""

import pytest

from articles.models import Article
from articles.rendering import render_markdown, sanitize_html


def html_of(markdown_text):
    return render_markdown(markdown_text).html


def test_it_removes_script_tags_and_their_content():
    html = html_of("Hello\n\n<script>alert('x')</script>\n\nworld")
    assert "<script" not in html.lower()
    assert "alert" not in html
    assert "Hello" in html and "world" in html


def test_it_drops_javascript_links_written_in_markdown():
    html = html_of("[click me](javascript:alert(1))")
    assert "javascript" not in html.lower()
    assert "click me" in html


@pytest.mark.parametrize(
    "raw",
    [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
    ],
)
def test_it_drops_links_with_other_schemes_than_http_https_and_mailto(raw):
    html = html_of(raw)
    assert "href" not in html
    assert "x" in html


def test_it_removes_event_attributes():
    html = html_of(
        '<img src="x" onerror="alert(1)">\n\n'
        '<p onclick="alert(2)" onmouseover="alert(3)">para</p>\n\n'
        '<a href="https://example.org" onclick="alert(4)">link</a>'
    )
    assert "onerror" not in html and "onclick" not in html and "onmouseover" not in html
    assert "alert" not in html
    assert "<img" not in html  # no images at all: the site loads nothing from elsewhere
    assert "para" in html


def test_it_removes_iframes_styles_and_forms():
    html = html_of(
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
        '<form action="https://evil.example"><input name="p"></form><p style="color:red">t</p>'
    )
    for fragment in ("<iframe", "<style", "display:none", "<form", "<input", "style="):
        assert fragment not in html
    assert "t" in html


def test_links_get_noopener_noreferrer_and_keep_safe_urls():
    html = html_of("[NHS](https://www.nhs.uk/) and [mail](mailto:team@example.org)")
    assert 'href="https://www.nhs.uk/"' in html
    assert 'href="mailto:team@example.org"' in html
    assert html.count('rel="noopener noreferrer"') == 2


def test_article_links_resolve_to_the_article_page():
    html = html_of("See [heart failure](article:heart-failure).")
    assert 'href="/learn/heart-failure/"' in html


def test_headings_build_the_table_of_contents():
    rendered = render_markdown("## What it is\n\ntext\n\n### On an ECG & more\n\nmore\n\n## Causes")
    assert [(e["level"], e["title"]) for e in rendered.toc] == [
        (2, "What it is"),
        (3, "On an ECG & more"),
        (2, "Causes"),
    ]
    for entry in rendered.toc:
        assert f'id="{entry["id"]}"' in rendered.html


def test_markdown_tables_and_lists_survive():
    html = html_of("- one\n- two\n\n| a | b |\n|---|--:|\n| 1 | 2 |")
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<table>" in html and 'align="right"' in html


def test_sanitize_html_is_safe_on_empty_input():
    assert sanitize_html(None) == ""
    assert sanitize_html("") == ""


@pytest.mark.django_db
def test_saving_an_article_caches_the_sanitised_html():
    article = Article.objects.create(
        title="T",
        slug="t",
        category=Article.Category.SITE,
        summary="s",
        body="## Part\n\n<script>alert(1)</script>[x](javascript:alert(2))",
        medical_review_date="2026-11-25",
    )
    article.refresh_from_db()
    assert "<script" not in article.body_html and "javascript" not in article.body_html
    assert article.toc == [{"id": "part", "title": "Part", "level": 2}]


@pytest.mark.django_db
def test_html_written_around_save_is_sanitised_again_on_the_way_out():
    article = Article.objects.create(
        title="T",
        slug="t",
        category="site",
        summary="s",
        body="ok",
        medical_review_date="2026-11-25",
    )
    Article.objects.filter(pk=article.pk).update(
        body_html='<p onclick="alert(1)">hi</p><script>alert(2)</script>'
    )
    article.refresh_from_db()
    assert str(article.html) == "<p>hi</p>"
