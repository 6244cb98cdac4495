"""The PDF report's rhythm strip stays inside its 10-s strip (issue 16, defect 1)."""
import pytest
from django.core.files.storage import default_storage
from reportlab.graphics.shapes import PolyLine

from diagnosis import trace
from diagnosis.models import DiagnosisFile, SignalResult
from diagnosis.pdf import WIDTH, _rhythm_strip
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db


def _line_xs(drawing):
    lines = [shape for shape in drawing.contents if isinstance(shape, PolyLine)]
    assert len(lines) == 1
    return lines[0].points[0::2]


def test_the_pdf_strip_line_ends_at_the_strip_and_not_in_the_margin(patient):
    d = make_diagnosis(patient, kind="signal", label="V")

    drawing, page = _rhythm_strip(d)

    xs = _line_xs(drawing)
    assert page["end_s"] - page["start_s"] == page["page_seconds"]
    assert max(xs) <= WIDTH + 1e-6
    assert max(xs) >= 0.99 * WIDTH  # and it does reach the strip's end


def test_a_reduced_page_spans_exactly_its_samples(patient):
    d = make_diagnosis(patient, kind="signal", label="V")
    result = SignalResult.objects.get(diagnosis=d)
    stored = d.files.get(role=DiagnosisFile.Role.TRACE)

    with default_storage.open(stored.file.name, "rb") as fh:
        page = trace.read_page(fh, result, 2, 10, d.fs)

    assert len(page["values"]) <= trace.MAX_POINTS
    last_t = (len(page["values"]) - 1) * page["dt"]
    samples = round(10 * result.trace_fs)
    assert last_t == pytest.approx((samples - 1) / result.trace_fs)
