"""History: the user's own diagnoses, newest first, paginated, filtered, exported, deleted."""
import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from diagnosis.models import Diagnosis, DiagnosisFile
from tests.factories import make_diagnosis
from tests.inputs import stored_files

pytestmark = pytest.mark.django_db


def ids_on(response):
    return [row["diagnosis"].pk for row in response.context["rows"]]


def test_it_lists_only_my_diagnoses_newest_first(patient_client, patient, other_patient):
    now = timezone.now()
    old = make_diagnosis(patient, when=now - timedelta(days=3))
    new = make_diagnosis(patient, when=now - timedelta(hours=1))
    make_diagnosis(other_patient, when=now)

    response = patient_client.get("/diagnosis/history/")

    assert response.status_code == 200
    assert ids_on(response) == [new.pk, old.pk]


def test_it_is_paginated(patient_client, patient, settings):
    settings.ECG_HISTORY_PAGE_SIZE = 3
    now = timezone.now()
    made = [make_diagnosis(patient, when=now - timedelta(minutes=i)) for i in range(7)]

    first = patient_client.get("/diagnosis/history/")
    third = patient_client.get("/diagnosis/history/?page=3")

    assert ids_on(first) == [d.pk for d in made[:3]]
    assert ids_on(third) == [made[6].pk]
    assert 'aria-current="page"' in third.content.decode()


def test_it_filters_by_class_status_and_date(patient_client, patient):
    now = timezone.now()
    v_old = make_diagnosis(patient, label="V", when=now - timedelta(days=10))
    v_new = make_diagnosis(patient, label="V", when=now - timedelta(days=1))
    normal = make_diagnosis(patient, label="N", when=now - timedelta(days=1))
    failed = make_diagnosis(patient, status="failed", when=now - timedelta(days=1))

    by_class = patient_client.get("/diagnosis/history/?label=V")
    by_status = patient_client.get("/diagnosis/history/?status=failed")
    since = (now - timedelta(days=2)).date().isoformat()
    by_date = patient_client.get(f"/diagnosis/history/?label=V&date_from={since}")
    until = (now - timedelta(days=5)).date().isoformat()
    by_end = patient_client.get(f"/diagnosis/history/?date_to={until}")

    assert ids_on(by_class) == [v_new.pk, v_old.pk]
    assert ids_on(by_status) == [failed.pk]
    assert ids_on(by_date) == [v_new.pk]
    assert ids_on(by_end) == [v_old.pk]
    assert normal.pk not in ids_on(by_class)


def test_a_reversed_date_range_is_explained_not_ignored_silently(patient_client, patient):
    make_diagnosis(patient)
    response = patient_client.get("/diagnosis/history/?date_from=2026-02-01&date_to=2026-01-01")
    assert "must not be after" in response.content.decode()


def test_the_csv_export_respects_the_filters(patient_client, patient, other_patient):
    v = make_diagnosis(patient, kind="signal", label="V", original_name="=HYPERLINK(1)")
    make_diagnosis(patient, label="N")
    make_diagnosis(other_patient, label="V")

    response = patient_client.get("/diagnosis/history/export.csv?label=V")

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["id"]) for r in rows] == [v.pk]
    row = rows[0]
    assert row["finding_code"] == "V" and row["finding"] == "Premature Ventricular Contraction"
    assert row["beats"] == "60" and row["beats_V"] == "1" and row["beats_N"] == "59"
    assert row["heart_rate_bpm"] == "60.0" and row["model_version"] == "abc123def456"
    assert row["file"] == "'=HYPERLINK(1)"  # no formula reaches a spreadsheet


def test_deleting_asks_first_then_removes_the_row_and_its_files(
        patient_client, patient, media_root, django_capture_on_commit_callbacks):
    d = make_diagnosis(patient, kind="signal", label="V")
    keep = make_diagnosis(patient)
    names = [f.file.name for f in d.files.all()]
    assert len(names) == 3 and all(n in stored_files(media_root) for n in names)

    confirm = patient_client.get(f"/diagnosis/{d.pk}/delete/")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert Diagnosis.objects.filter(pk=d.pk).exists()

    pk = d.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = patient_client.post(f"/diagnosis/{pk}/delete/")

    assert response.status_code == 302 and response["Location"] == "/diagnosis/history/"
    assert not Diagnosis.objects.filter(pk=pk).exists()
    assert not DiagnosisFile.objects.filter(diagnosis_id=pk).exists()
    assert stored_files(media_root) == [keep.files.get().file.name]


def test_deleting_the_user_deletes_their_files(patient, other_patient, media_root,
                                              django_capture_on_commit_callbacks):
    make_diagnosis(patient, kind="signal")
    make_diagnosis(patient)
    theirs = make_diagnosis(other_patient)

    with django_capture_on_commit_callbacks(execute=True):
        patient.delete()

    assert stored_files(media_root) == [theirs.files.get().file.name]


def test_a_rolled_back_deletion_keeps_the_files(patient, media_root):
    from django.db import transaction

    d = make_diagnosis(patient)
    pk, before = d.pk, stored_files(media_root)

    with pytest.raises(RuntimeError), transaction.atomic():
        d.delete()
        raise RuntimeError("changed my mind")

    assert Diagnosis.objects.filter(pk=pk).exists()
    assert stored_files(media_root) == before
