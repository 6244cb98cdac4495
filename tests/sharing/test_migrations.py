"""Shares and the access log moved from the care app to the sharing app: migrating a
database that has rows in care's tables keeps every row (and its content type), renames the
tables, and the way back gives care its tables again."""
from datetime import timedelta

from django.db import connection
from django.utils import timezone

BEFORE = [("care", "0002_class_names_from_registry"), ("sharing", None)]


def tables():
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def old_rows(apps, patient, doctor):
    """A share, an access-log row and a review as the care app stored them."""
    Diagnosis = apps.get_model("diagnosis", "Diagnosis")
    Share = apps.get_model("care", "Share")
    AuditLog = apps.get_model("care", "AuditLog")
    Review = apps.get_model("care", "Review")
    ContentType = apps.get_model("contenttypes", "ContentType")
    now = timezone.now()
    diagnosis = Diagnosis.objects.create(owner_id=patient.pk, kind="image", input_format="png",
                                         status="done", label="V")
    share = Share.objects.create(patient_id=patient.pk, email=doctor.email, doctor_id=doctor.pk,
                                 status="active", token_hash="a" * 64, expires_at=now,
                                 accepted_at=now - timedelta(days=1))
    entry = AuditLog.objects.create(viewer_id=doctor.pk, viewer_email=doctor.email,
                                    viewer_role="doctor", patient_id=patient.pk,
                                    diagnosis_id=diagnosis.pk, diagnosis_ref=diagnosis.pk,
                                    what="result")
    review = Review.objects.create(diagnosis_id=diagnosis.pk, doctor_id=doctor.pk,
                                   original_label="V", reviewed_label="N", agrees=False)
    content_type = ContentType.objects.get_or_create(app_label="care", model="share")[0]
    return diagnosis.pk, share.pk, entry.pk, review.pk, content_type.pk


def test_shares_and_access_log_rows_move_to_the_sharing_app_with_their_tables(
        migrator, patient, doctor):
    apps = migrator.migrate(BEFORE)
    assert {"care_share", "care_auditlog"} <= tables()
    diagnosis_pk, share_pk, entry_pk, review_pk, type_pk = old_rows(apps, patient, doctor)

    migrator.migrate_to_latest()
    from care.models import Review
    from diagnosis.models import Diagnosis
    from sharing.models import AuditLog, Share

    assert {"sharing_share", "sharing_auditlog"} <= tables()
    assert not {"care_share", "care_auditlog"} & tables()
    share = Share.objects.get(pk=share_pk)
    assert share.status == "active" and share.doctor_id == doctor.pk
    assert AuditLog.objects.get(pk=entry_pk).diagnosis_id == diagnosis_pk
    assert Review.objects.get(pk=review_pk).reviewed_label == "N"
    # The access rule reads the moved table.
    assert list(Diagnosis.objects.visible_to(doctor).values_list("pk", flat=True)) == [
        diagnosis_pk]
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    assert ContentType.objects.get(pk=type_pk).app_label == "sharing"
    # New rows get fresh ids from the renamed tables' sequences.
    assert AuditLog.objects.create(viewer_email="x@example.com", viewer_role="staff",
                                   patient=patient, what="history").pk > entry_pk

    apps = migrator.migrate(BEFORE)
    assert {"care_share", "care_auditlog"} <= tables()
    assert apps.get_model("care", "Share").objects.get(pk=share_pk).doctor_id == doctor.pk
    assert apps.get_model("care", "AuditLog").objects.filter(pk=entry_pk).exists()
    assert apps.get_model("contenttypes", "ContentType").objects.get(pk=type_pk).app_label \
        == "care"
