from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from .models import Article, Reference
from .rendering import render_markdown

PREVIEW_MAX_CHARS = 200_000


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 1
    fields = ("position", "title", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "category",
        "class_label",
        "published",
        "medical_review_date",
        "updated",
    )
    list_filter = ("category", "published", "class_label")
    list_editable = ("published",)
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("related",)
    readonly_fields = ("rendered_preview", "created", "updated")
    inlines = [ReferenceInline]
    change_form_template = "articles/admin/change_form.html"
    actions = ["publish", "unpublish"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "category", "class_label", "summary")}),
        ("Text", {"fields": ("body", "rendered_preview")}),
        ("Links", {"fields": ("related",)}),
        (
            "Review and publication",
            {
                "fields": (
                    "medical_review_date",
                    "reviewed_by",
                    "published",
                    "position",
                    "created",
                    "updated",
                )
            },
        ),
    )

    class Media:
        js = ("js/articles-admin.js",)
        css = {"all": ("css/articles.css",)}

    @admin.display(description="Preview (as saved)")
    def rendered_preview(self, obj):
        if obj is None or not obj.pk:
            return "Save the article, or use the Preview button under the text."
        toc = format_html_join("", "<li>{}</li>", ((entry["title"],) for entry in obj.toc))
        return format_html(
            '<div class="article-preview"><p><strong>Contents</strong></p><ul>{}</ul>'
            '<div class="article-body">{}</div></div>',
            toc,
            obj.html,  # sanitised by Article.html
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.preview_view))
        return [
            path("preview/", preview, name="articles_article_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request):
        """The sanitised HTML of the Markdown posted from the change form (not saved)."""
        if not (self.has_change_permission(request) or self.has_add_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")
        if len(body) > PREVIEW_MAX_CHARS:
            return JsonResponse({"error": "The text is too long to preview."}, status=400)
        rendered = render_markdown(body)
        return JsonResponse({"html": rendered.html, "toc": rendered.toc})

    def render_change_form(self, request, context, *args, **kwargs):
        context["articles_preview_url"] = reverse("admin:articles_article_preview")
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description="Publish the selected articles")
    def publish(self, request, queryset):
        count = queryset.update(published=True)
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish the selected articles")
    def unpublish(self, request, queryset):
        count = queryset.update(published=False)
        self.message_user(request, f"{count} article(s) unpublished.", messages.SUCCESS)
