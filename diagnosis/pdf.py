"""The downloadable PDF report of one diagnosis (reportlab, drawn from the stored rows)."""
import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ml import registry

from . import presenters, readings, trace, urgency
from .models import DiagnosisFile, SignalResult
from .reliability import finding_reliability

WIDTH = A4[0] - 4 * cm - 12  # the frame's text width (6 pt padding on each side)


def _styles():
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "h2": base["Heading2"],
        "body": base["BodyText"],
        "strong": ParagraphStyle("strong", parent=base["BodyText"], fontName="Helvetica-Bold"),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10,
                                textColor=colors.HexColor("#444444")),
        "alert": ParagraphStyle("alert", parent=base["BodyText"], textColor=colors.white,
                                backColor=colors.HexColor("#A3001B"), borderPadding=6,
                                fontName="Helvetica-Bold"),
        "warn": ParagraphStyle("warn", parent=base["BodyText"], borderPadding=6,
                               backColor=colors.HexColor("#FFF3CD")),
    }


def _p(text, style):
    return Paragraph(escape(str(text)), style)


def _when(value):
    return timezone.localtime(value).strftime("%d %b %Y %H:%M %Z") if value else "-"


def _is_doctor(viewer):
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_verified_doctor)


def render_report(d, viewer=None):
    s = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm,
                            topMargin=1.8 * cm, bottomMargin=1.8 * cm,
                            title=f"ECG report {d.pk}", author=settings.SITE_NAME)
    owner = d.owner
    facts = [
        ["Patient", owner.name_and_email],
        ["Date of birth", owner.date_of_birth.strftime("%d %b %Y") if owner.date_of_birth
         else "not given"],
        ["Uploaded", _when(d.queued_at)],
        ["Analysed", _when(d.finished_at)],
        ["Input", f"{d.get_kind_display()}: {d.original_name} ({d.input_format.upper()})"],
        ["Model version", d.model_version or "-"],
        ["Report created", _when(timezone.now())],
    ]
    if d.analysis_mode:
        facts.insert(5, ["Analysis", d.analysis_mode.capitalize()])
    if d.leads_used:
        facts.insert(6, ["Leads analysed", f"{', '.join(d.leads_used)} ({d.analysis_mode})"])
    span = presenters.time_span_shown(d)
    if span:
        facts.insert(-2, ["Time span shown", span])
    story = [
        _p(f"{settings.SITE_NAME}: ECG analysis report", s["title"]),
        _table([[_p(k, s["body"]), _p(v, s["body"])] for k, v in facts], [4 * cm, None]),
        Spacer(1, 8),
    ]
    done = d.status == d.Status.DONE
    reading = readings.reading_of(d) if done else None
    advice = urgency.assess(d, for_doctor=_is_doctor(viewer), reading=reading)
    story.append(_p("Finding", s["h2"]))
    if reading is not None and reading.by_doctor:
        # A doctor's reading leads; the model's finding follows as what it was.
        doctor = reading.doctor
        story.append(_p(f"Doctor's reading: {reading.name}"
                        + (f" ({reading.code})" if reading.code in registry.CLASS_NAMES else "")
                        + f", by {doctor.doctor or 'a doctor'} on {_when(doctor.when)}.",
                        s["strong"]))
        if doctor.notes:
            story.append(_p(f"Doctor's notes: {doctor.notes}", s["body"]))
        story.append(_p("The model's finding" + (", which the doctor's reading replaces"
                                                 if reading.differs else "") + ":", s["body"]))
    if done:
        rel = finding_reliability(d)
        # One honest number first (how often this finding was right on unseen patients),
        # the model's own confidence second.
        story.append(_p(f"{d.label_name} ({d.label})", s["body"]))
        if rel:
            story.append(_p(f"Right on patients the model never saw: {rel.precision:.0%} of "
                            f"the time ({rel.mode_words}).", s["strong"]))
        story.append(_p(f"The model's own confidence: {d.confidence:.0%}"
                        + ("" if rel else " (no measured figure on unseen patients describes "
                           "this model)") + ".", s["small"]))
        if rel:
            story.append(_p(
                f"On {rel.n:,} test heartbeats from patients the model had never seen, "
                f"{rel.precision:.0%} of the beats it called {rel.name} really were, and it "
                f"found {rel.recall:.0%} of the {rel.support:,} real ones.",
                s["warn"] if rel.unreliable else s["body"]))
            if rel.unreliable:
                story.append(_p("This finding is more often wrong than right: do not rely "
                                "on it without a doctor reading the ECG.", s["warn"]))
            if rel.hidden:
                shares = "; ".join(f"{h.percent}% of the {h.name} beats" for h in rel.hidden)
                story.append(_p(
                    f"It gave this label to other kinds of beat more often than it recognised "
                    f"them ({shares}): a beat called {rel.name} may really be one of those.",
                    s["warn"]))
        if d.low_confidence:
            story.append(_p("The model is not sure about this result: treat it as a guess.",
                            s["warn"]))
    else:
        story.append(_p(f"Not analysed: {d.error_message}", s["warn"]))
    if advice:
        style = s["alert"] if advice.level == urgency.EMERGENCY else s["body"]
        story += [Spacer(1, 6), _p(f"{advice.label}: {advice.headline}", style),
                  _bullets(advice.steps, s["body"]), _p(urgency.RED_FLAGS, s["body"])]
    if d.probabilities:
        title = ("Probability of each class" if d.kind == d.Kind.IMAGE
                 else "Average probability of each class over all beats")
        story += [_p(title, s["h2"]), _probability_chart(d)]
    if d.kind == d.Kind.SIGNAL and d.counts:
        story += _signal_section(d, s)
    story += _input_section(d, s)
    story += [
        Spacer(1, 12),
        _p(urgency.DISCLAIMER, s["small"]),
        _p("Guidance based on: " + "; ".join(t for t, _ in urgency.REFERENCES) + ".",
           s["small"]),
    ]
    doc.build(story)
    return buffer.getvalue()


def _table(rows, widths):
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#DDDDDD")),
    ]))
    return table


def _bullets(items, style):
    return ListFlowable([ListItem(_p(i, style), leftIndent=12) for i in items],
                        bulletType="bullet", start="•")


def _probability_chart(d):
    row_h, label_w = 16, 6.5 * cm
    bar_w = WIDTH - label_w - 1.5 * cm
    drawing = Drawing(WIDTH, row_h * registry.N_CLASSES + 4)
    for i, (code, name, p) in enumerate(d.sorted_probabilities()):
        y = drawing.height - (i + 1) * row_h
        drawing.add(String(0, y + 4, f"{name} ({code})", fontSize=8))
        drawing.add(Rect(label_w, y + 2, bar_w, row_h - 5, fillColor=colors.HexColor("#EEEEEE"),
                         strokeColor=None))
        drawing.add(Rect(label_w, y + 2, max(0.5, bar_w * p), row_h - 5, strokeColor=None,
                         fillColor=colors.HexColor(registry.get(code).colour)))
        drawing.add(String(label_w + bar_w + 4, y + 4, f"{p:.1%}", fontSize=8))
    return drawing


def _signal_section(d, s):
    rows = [["Class", "Beats", "Share"]] + [
        [f"{r['name']} ({r['code']})", str(r["count"]), f"{r['percent']}%"]
        for r in presenters.count_rows(d)
    ]
    hr = f"{d.heart_rate_bpm:.0f} beats per minute" if d.heart_rate_bpm else "not measured"
    out = [
        _p("Beats per class", s["h2"]),
        _table(rows, [8 * cm, 3 * cm, 3 * cm]),
        Spacer(1, 6),
        _p(f"Recording length {presenters.clock(d.duration_s)} at {d.fs:g} Hz; "
           f"{d.beat_count} beats; average heart rate {hr}.", s["body"]),
    ]
    episodes = presenters.vf_rows(d)
    if episodes:
        text = "; ".join(f"{e['start']}-{e['end']} ({e['seconds']} s)" for e in episodes)
        out.append(_p(f"Ventricular fibrillation/flutter episodes: {text}", s["body"]))
    strip = _rhythm_strip(d)
    if strip is not None:
        drawing, page = strip
        out.append(KeepTogether([
            _p(f"Rhythm strip, {presenters.clock(page['start_s'])} to "
               f"{presenters.clock(page['end_s'])}", s["h2"]), drawing,
            _p("Each beat is marked with its class code; the full record can be browsed on "
               "the result page.", s["small"]),
        ]))
    return out


def _strip_page(d, result):
    """The page to print: where the headline finding first appears (else the start)."""
    labels = result.beat_labels()
    start_s = 0.0
    if d.vf_episodes:
        start_s = d.vf_episodes[0][0]
    elif d.label != registry.BASELINE_CLASS and d.label in labels:
        start_s = result.samples[labels.index(d.label)] / d.fs
    return int(start_s // settings.ECG_PLOT_PAGE_SECONDS)


def _rhythm_strip(d):
    result = SignalResult.objects.filter(diagnosis=d).first()
    trace_file = d.files.filter(role=DiagnosisFile.Role.TRACE).first()
    if result is None or trace_file is None:
        return None
    with default_storage.open(trace_file.file.name, "rb") as fh:
        page = trace.read_page(fh, result, _strip_page(d, result),
                               settings.ECG_PLOT_PAGE_SECONDS, d.fs, d.vf_episodes)
    values = page["values"]
    if not values:
        return None
    height = 5 * cm
    drawing = Drawing(WIDTH, height)
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    seconds = page["page_seconds"]

    def x_of(t):
        return (t - page["start_s"]) / seconds * WIDTH

    def y_of(v):
        return 0.6 * cm + (v - lo) / span * (height - 1.4 * cm)

    for second in range(int(seconds) + 1):  # 1-second grid
        drawing.add(Line(second / seconds * WIDTH, 0.5 * cm, second / seconds * WIDTH, height,
                         strokeColor=colors.HexColor("#F3C1C1"), strokeWidth=0.3))
    for start, end in page["vf_episodes"]:
        x0, x1 = max(0, x_of(start)), min(WIDTH, x_of(end))
        drawing.add(Rect(x0, 0.5 * cm, x1 - x0, height - 0.5 * cm, strokeColor=None,
                         fillColor=colors.Color(0.64, 0, 0.1, alpha=0.12)))
    # The line stops where the page's samples (and the strip's seconds) end, never in the
    # margin beyond.
    shown = min(seconds, page["end_s"] - page["start_s"])
    points = []
    for i, v in enumerate(values):
        t = i * page["dt"]
        if t > shown:
            break
        points += [t / seconds * WIDTH, y_of(v)]
    drawing.add(PolyLine(points, strokeColor=colors.black, strokeWidth=0.5))
    for t, code, _confidence in page["beats"]:
        colour = colors.HexColor(registry.get(code).colour)
        drawing.add(Line(x_of(t), 0.45 * cm, x_of(t), height - 0.5 * cm, strokeColor=colour,
                         strokeWidth=0.4, strokeDashArray=[1, 2]))
        drawing.add(String(x_of(t), height - 0.4 * cm, code, fontSize=7, fillColor=colour,
                           textAnchor="middle"))
    drawing.add(String(0, 0, f"{seconds} s, 1 s grid; amplitude {lo:.1f} to {hi:.1f} mV",
                       fontSize=7, fillColor=colors.HexColor("#444444")))
    return drawing, page


def _input_section(d, s):
    images = [f for f in d.input_files if f.is_image]
    if not images:
        return []
    from PIL import Image as PILImage

    with default_storage.open(images[0].file.name, "rb") as fh:
        pil = PILImage.open(io.BytesIO(fh.read()))
        pil.seek(0)
        png = io.BytesIO()
        pil.convert("RGB").save(png, format="PNG")
    png.seek(0)
    w, h = pil.size
    scale = min(7 * cm / w, 5 * cm / h)
    return [KeepTogether([_p("Uploaded image", s["h2"]),
                          Image(png, width=w * scale, height=h * scale, hAlign="LEFT")])]
