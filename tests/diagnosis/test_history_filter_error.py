"""A reversed date range in the history filter (issue 16, defect 6): the message sits above
the filter bar, whose children stay its fields and buttons, and no unfiltered list is shown
under filters that were not applied."""
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_diagnosis, share_between

from .html_tree import parse

pytestmark = pytest.mark.django_db
REVERSED = "date_from=2026-02-01&date_to=2026-01-01"


def _bar_and_error(html):
    tree = parse(html)
    bar = tree.find("form", cls="form-inline")
    return bar, tree.find(id="filter-error")


def test_the_error_is_above_the_filter_bar_and_no_result_is_listed(patient_client, patient):
    make_diagnosis(patient, when=timezone.now() - timedelta(days=1))

    response = patient_client.get(f"/diagnosis/history/?{REVERSED}")
    bar, error = _bar_and_error(response.content.decode())

    assert error is not None and "must not be after" in " ".join(error.all_text())
    assert all(child.classes & {"field", "btn-group"} for child in bar.children)
    assert bar.attrs.get("aria-describedby") == "filter-error"
    assert response.context["rows"] == []
    assert "until the filter above is corrected" in response.content.decode()


def test_the_csv_of_a_reversed_range_holds_no_rows(patient_client, patient):
    make_diagnosis(patient)

    response = patient_client.get(f"/diagnosis/history/export.csv?{REVERSED}")

    assert response.content.decode().strip().count("\n") == 0  # the header only


def test_a_doctors_view_of_a_patient_does_the_same(client, patient, doctor):
    share_between(patient, doctor)
    make_diagnosis(patient)
    client.force_login(doctor)

    response = client.get(f"/doctors/patients/{patient.pk}/?{REVERSED}")
    bar, error = _bar_and_error(response.content.decode())

    assert response.status_code == 200 and error is not None
    assert all(child.classes & {"field", "btn-group"} for child in bar.children)
    assert list(response.context["page"].object_list) == []
