from django.conf import settings
from django.core.paginator import Paginator


def page_context(request, queryset, per_page=None):
    """Template context for one page of ``queryset``: the page, the elided page numbers and
    the request's other query parameters (filters), so page links keep the filters.
    Rendered by templates/includes/pagination.html."""
    paginator = Paginator(queryset, per_page or settings.ECG_HISTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "query": query.urlencode(),
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
    }
