from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from ml.registry import CLASS_CODES

from . import services
from .forms import SearchForm
from .model_card import card_figures
from .models import Article


@require_safe
def index(request):
    form = SearchForm(request.GET)
    query = form.query()
    visible = Article.objects.visible_to(request.user)
    results = list(visible.search(query)) if query else None
    articles = list(visible.in_site_order()) if results is None else []
    sections = [
        {"label": label, "articles": [a for a in articles if a.category == value]}
        for value, label in Article.Category.choices
    ]
    return render(
        request,
        "articles/index.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "sections": sections,
            "has_articles": bool(articles),
            "nav_section": "learn",
        },
    )


@require_safe
def detail(request, slug):
    article = get_object_or_404(Article.objects.visible_to(request.user), slug=slug)
    return render(
        request,
        "articles/detail.html",
        {
            "article": article,
            "references": article.references.all(),
            "related": article.related_articles(request.user),
            "nav_section": "learn",
        },
    )


@require_safe
def about(request):
    return render(
        request,
        "articles/about.html",
        {
            "card": card_figures(settings.ECG_MODEL_DIR, settings.ECG_LEADS_MODEL_DIR),
            "classes": services.class_overview(),
            "nav_section": "about",
        },
    )


@require_safe
def info(request):
    return render(
        request,
        "articles/info.html",
        {"classes": services.class_overview(), "nav_section": "learn"},
    )


@require_safe
@cache_control(public=True, max_age=services.BEAT_IMAGE_CACHE_SECONDS)
def example_beat(request, code):
    if code not in CLASS_CODES:
        raise Http404("No such class.")
    return HttpResponse(services.example_beat_png(code), content_type="image/png")
