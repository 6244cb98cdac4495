"""Geometry of the metrics page's inline SVG charts (the template only draws what is here)."""
from ml.registry import CLASS_CODES, CLASS_NAMES

DAY_CHART_WIDTH = 720
DAY_CHART_HEIGHT = 180
DAY_CHART_TOP = 12  # room above the tallest bar for its value
CLASS_ROW_HEIGHT = 28


def nice_ceiling(value):
    """The smallest 1, 2 or 5 times a power of ten that is >= value (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def day_bars(per_day):
    """Bars of the uploads-per-day chart from [(date, uploads, failed)]: the failed part of
    each bar is drawn on top of the rest in a second colour."""
    top = nice_ceiling(max((n for _, n, _ in per_day), default=0))
    slot = DAY_CHART_WIDTH / max(len(per_day), 1)
    usable = DAY_CHART_HEIGHT - DAY_CHART_TOP
    bars = []
    for i, (day, n, failed) in enumerate(per_day):
        height = usable * n / top
        failed_height = usable * failed / top
        bars.append({
            "day": day, "n": n, "failed": failed,
            "x": round(i * slot + slot * 0.1, 2), "width": round(slot * 0.8, 2),
            "y": round(DAY_CHART_HEIGHT - height, 2), "height": round(height, 2),
            "failed_y": round(DAY_CHART_HEIGHT - height, 2),
            "failed_height": round(failed_height, 2),
        })
    return {"bars": bars, "max": top, "width": DAY_CHART_WIDTH, "height": DAY_CHART_HEIGHT,
            "mid": top / 2, "mid_y": DAY_CHART_TOP + usable / 2, "top_y": DAY_CHART_TOP}


CLASS_CHART_WIDTH = 520
CLASS_LABEL_WIDTH = 280  # room for the longest "<class name> (<code>)"
CLASS_VALUE_WIDTH = 80
CLASS_BAR_HEIGHT = 16


def class_bars(counts):
    """Rows of the class-distribution chart: label, bar (user units) and value."""
    total = sum(counts.values())
    bar_width = CLASS_CHART_WIDTH - CLASS_LABEL_WIDTH - CLASS_VALUE_WIDTH
    rows = []
    for i, code in enumerate(CLASS_CODES):
        n = counts.get(code, 0)
        share = n / total if total else 0
        y = i * CLASS_ROW_HEIGHT + (CLASS_ROW_HEIGHT - CLASS_BAR_HEIGHT) / 2
        rows.append({"code": code, "name": CLASS_NAMES[code], "n": n,
                     "percent": round(100 * share, 1), "bar": round(bar_width * share, 2),
                     "y": y, "text_y": y + CLASS_BAR_HEIGHT - 3})
    return {"rows": rows, "total": total, "width": CLASS_CHART_WIDTH,
            "height": CLASS_ROW_HEIGHT * len(CLASS_CODES), "bar_x": CLASS_LABEL_WIDTH,
            "bar_width": bar_width, "bar_height": CLASS_BAR_HEIGHT}
