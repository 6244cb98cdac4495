from django import template

register = template.Library()


@register.filter
def percent(value, digits=1):
    """A fraction (0.9123) shown as a percentage ("91.2%"); a dash when there is none."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.{int(digits)}f}%"
