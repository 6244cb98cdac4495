"""The staff metrics page."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import charts, figures
from .forms import MetricsRangeForm


@login_required
@never_cache
def metrics(request):
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied("Staff only")
    form = MetricsRangeForm(request.GET or None)
    start, end = form.dates()
    if not form.is_bound:
        form = MetricsRangeForm(initial={"date_from": start, "date_to": end})
    summary = figures.summary(figures.DateRange(start, end))
    return render(request, "metrics/metrics.html", {
        "form": form, "m": summary,
        "day_chart": charts.day_bars(summary["per_day"]),
        "class_chart": charts.class_bars(summary["classes"]),
    }, status=400 if form.errors else 200)
