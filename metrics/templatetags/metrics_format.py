"""Filters of the metrics page."""
from django import template

register = template.Library()


@register.filter
def percent(value, digits=1):
    """A ratio in [0, 1] as "12.5%", or "–" when there is nothing to divide."""
    if value is None:
        return "–"
    return f"{100 * value:.{int(digits)}f}%"


@register.filter
def seconds(value):
    """A duration in seconds, readable: "0.8 s", "42 s", "3 min 5 s", "2 h 4 min"."""
    if value is None:
        return "–"
    if value < 10:
        return f"{value:.1f} s"
    whole = round(value)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
