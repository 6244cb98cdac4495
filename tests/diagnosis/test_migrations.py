"""Stored beat labels move from one digit per beat (a position in the class order of the
time: N, L, R, A, V, VF) to class codes, with the rows in place, and back."""
import pytest

BEFORE = [("diagnosis", "0002_class_names_from_registry")]
LEGACY_DIGITS = "0450123"
CODES = ["N", "V", "VF", "N", "L", "R", "A"]


def old_signal_result(apps, owner, labels):
    Diagnosis = apps.get_model("diagnosis", "Diagnosis")
    SignalResult = apps.get_model("diagnosis", "SignalResult")
    diagnosis = Diagnosis.objects.create(owner_id=owner.pk, kind="signal", input_format="wfdb",
                                         status="done", label="VF")
    SignalResult.objects.create(diagnosis=diagnosis, samples=list(range(len(labels))),
                                labels=labels, confidences=[0.9] * len(labels), trace_fs=360.0,
                                trace_length=10, trace_scale_mv=0.001)
    return diagnosis.pk


def test_stored_beat_digits_become_class_codes_and_go_back_to_digits(migrator, patient):
    pk = old_signal_result(migrator.migrate(BEFORE), patient, LEGACY_DIGITS)
    empty = old_signal_result(migrator.migrate(BEFORE), patient, "")

    migrator.migrate_to_latest()
    from diagnosis.models import SignalResult

    assert SignalResult.objects.get(pk=pk).beat_labels() == CODES
    assert SignalResult.objects.get(pk=pk).labels == CODES
    assert SignalResult.objects.get(pk=empty).beat_labels() == []

    apps = migrator.migrate(BEFORE)
    OldSignalResult = apps.get_model("diagnosis", "SignalResult")
    assert OldSignalResult.objects.get(pk=pk).labels == LEGACY_DIGITS
    assert OldSignalResult.objects.get(pk=empty).labels == ""


def test_codes_the_digit_format_cannot_hold_stop_the_way_back_with_a_message(migrator, patient):
    pk = old_signal_result(migrator.migrate(BEFORE), patient, "01")
    migrator.migrate_to_latest()
    from diagnosis.models import SignalResult

    SignalResult.objects.filter(pk=pk).update(labels=["N", "AF"])

    with pytest.raises(ValueError, match=f"diagnosis {pk} use the classes AF"):
        migrator.migrate(BEFORE)
