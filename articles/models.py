from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, models
from django.db.models import Q
from django.urls import reverse
from django.utils.safestring import mark_safe

from ml.registry import CLASS_CODES, CLASS_NAMES

from .rendering import render_markdown, sanitize_html

CLASS_LABEL_CHOICES = [(code, CLASS_NAMES[code]) for code in CLASS_CODES]
http_url_validator = URLValidator(schemes=["http", "https"])


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user):
        """Staff see drafts too (to preview them); everyone else only published articles."""
        if user is not None and user.is_active and user.is_staff:
            return self.all()
        return self.published()

    def search(self, query, *, full_text=None):
        """Articles matching ``query``, best first.

        PostgreSQL: full-text search (English stemming, websearch syntax, ranked with the
        title above the summary above the body). Elsewhere, or with ``full_text=False``:
        every word must appear, case-insensitively, in the title, summary or body.
        """
        query = (query or "").strip()
        if not query:
            return self.none()
        if full_text is None:
            full_text = connection.vendor == "postgresql"
        if full_text:
            return self._full_text_search(query)
        return self._substring_search(query)

    def _full_text_search(self, query):
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        # Computed per query rather than stored: a few dozen articles cost nothing to scan,
        # and the model keeps working on SQLite.
        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("summary", weight="B", config="english")
            + SearchVector("body", weight="C", config="english")
        )
        search_query = SearchQuery(query, search_type="websearch", config="english")
        return (
            self.annotate(rank=SearchRank(vector, search_query))
            .filter(rank__gt=0)
            .order_by("-rank", "position", "title")
        )

    def _substring_search(self, query):
        condition = Q()
        for word in query.split()[:10]:
            condition &= (
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
            )
        return self.filter(condition).in_site_order()

    def in_site_order(self):
        """Category by category in the order of ``Article.Category``, then by position."""
        rank = models.Case(
            *(
                models.When(category=value, then=models.Value(i))
                for i, value in enumerate(Article.Category.values)
            ),
            default=models.Value(len(Article.Category.values)),
            output_field=models.IntegerField(),
        )
        return self.annotate(category_rank=rank).order_by("category_rank", "position", "title")


class Article(models.Model):
    class Category(models.TextChoices):
        # Declaration order is the order of the sections on the Learn page.
        ARRHYTHMIA = "arrhythmia", "Heart rhythms we detect"
        DISEASE = "disease", "Heart conditions"
        PREVENTION = "prevention", "Prevention and healthy-heart habits"
        SITE = "site", "Using this site"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    class_label = models.CharField(
        max_length=4,
        choices=CLASS_LABEL_CHOICES,
        blank=True,
        help_text="For an arrhythmia article: the classifier's label it explains.",
    )
    summary = models.TextField(help_text="One or two plain sentences shown in lists.")
    body = models.TextField(
        help_text="Markdown. Use ## and ### headings (they build the table of contents); "
        "link another article with [text](article:its-slug). Raw HTML is sanitised."
    )
    body_html = models.TextField(editable=False, default="")
    toc = models.JSONField(editable=False, default=list)
    related = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="related_from",
        help_text="Shown beside the article; an arrhythmia's related heart conditions go here.",
    )
    medical_review_date = models.DateField(help_text="When the text was last checked.")
    reviewed_by = models.CharField(max_length=200, blank=True)
    published = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Order within the category (smaller first)."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["class_label"],
                condition=~Q(class_label=""),
                name="articles_one_article_per_class_label",
            ),
            models.CheckConstraint(
                condition=Q(class_label="") | Q(category="arrhythmia"),
                name="articles_class_label_only_on_arrhythmias",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "toc"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.class_label and self.category != self.Category.ARRHYTHMIA:
            raise ValidationError(
                {"class_label": "Only an arrhythmia article can explain a classifier label."}
            )

    def render(self):
        rendered = render_markdown(self.body)
        self.body_html = rendered.html
        self.toc = rendered.toc

    @property
    def html(self):
        """The body for a page. Sanitised again on the way out: body_html is only a cache,
        and a row written around ``save()`` (a raw UPDATE, a restored dump) must not be
        trusted."""
        return mark_safe(sanitize_html(self.body_html))  # noqa: S308 - sanitised just now

    def related_articles(self, user=None):
        """Articles this one lists as related or that list this one, visible to ``user``
        (published ones only when no user is given), in site order."""
        base = Article.objects.visible_to(user) if user is not None else Article.objects.published()
        linked = Article.related.through.objects.filter(
            Q(from_article=self) | Q(to_article=self)
        ).values_list("from_article_id", "to_article_id")
        ids = {pk for pair in linked for pk in pair} - {self.pk}
        return base.filter(pk__in=ids).in_site_order()


class Reference(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500, validators=[http_url_validator])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.title
