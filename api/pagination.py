from django.conf import settings
from rest_framework.pagination import PageNumberPagination


class HistoryPagination(PageNumberPagination):
    """Pages of results: the site's page size unless ``page_size`` asks for another."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        self.page_size = settings.ECG_HISTORY_PAGE_SIZE
        return super().get_page_size(request)


class BeatPagination(PageNumberPagination):
    page_size = 500
    page_size_query_param = "page_size"
    max_page_size = 5000
