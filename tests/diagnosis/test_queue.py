"""The queue rules: claiming, leases, the stale sweep and the task's decisions.

The full path through a real worker is in test_worker.py; here the task is run in-process
(``Task.apply``) to check each decision on its own, against the real database and broker.
"""
import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diagnosis import inference, services
from diagnosis.inference import Outcome
from diagnosis.models import Diagnosis
from diagnosis.signals import run_claimed
from diagnosis.tasks import MSG_TOO_MANY_ATTEMPTS, classify_diagnosis
from ecgsite.celery import app
from tests.diagnosis.broker import CLOSED_PORT_BROKER, broker_url
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    yield client
    client.delete("celery")


@pytest.fixture
def broker_down():
    with broker_url(CLOSED_PORT_BROKER):
        yield


def image_outcome():
    return Outcome(fields={"model_version": "test", "label": "A", "confidence": 0.8,
                           "probabilities": {"N": 0.1, "L": 0.02, "R": 0.02, "A": 0.8,
                                             "V": 0.04, "VF": 0.02},
                           "low_confidence": False})


def test_a_row_is_claimed_once(patient):
    d = make_diagnosis(patient, status="queued")

    token = Diagnosis.objects.claim(d.pk)
    again = Diagnosis.objects.claim(d.pk)

    d.refresh_from_db()
    assert token is not None and again is None
    assert d.status == "running" and d.claim_token == token and d.attempts == 1
    expected = settings.ECG_DIAGNOSIS_LEASE_S
    assert abs((d.lease_expires_at - d.started_at).total_seconds() - expected) < 1


def test_a_claim_returns_the_row_as_written_in_one_query(patient):
    d = make_diagnosis(patient, status="queued", seconds_shown=1.5)

    with CaptureQueriesContext(connection) as queries:
        row = Diagnosis.objects.claim_row(d.pk)

    assert len(queries.captured_queries) == 1
    stored = Diagnosis.objects.get(pk=d.pk)
    assert row.pk == d.pk and row.status == stored.status == "running"
    assert row.claim_token == stored.claim_token and row.attempts == stored.attempts == 1
    assert row.started_at == stored.started_at and row.lease_expires_at == stored.lease_expires_at
    assert (row.owner_id, row.kind, row.seconds_shown) == (patient.pk, d.kind, 1.5)
    assert Diagnosis.objects.claim_row(d.pk) is None


def test_an_expired_claim_can_be_taken_over_and_the_old_holder_can_no_longer_write(patient):
    d = make_diagnosis(patient, status="queued")
    old = Diagnosis.objects.claim(d.pk)
    later = timezone.now() + timedelta(seconds=settings.ECG_DIAGNOSIS_LEASE_S + 1)

    new = Diagnosis.objects.claim(d.pk, now=later)

    assert new is not None and new != old
    assert d.mark_done(old, label="N") is False
    assert d.mark_done(new, label="A") is True
    d.refresh_from_db()
    assert (d.status, d.label, d.attempts) == ("done", "A", 2)


def test_finished_rows_are_never_claimed(patient):
    for status in ("done", "failed"):
        d = make_diagnosis(patient, status=status)
        assert Diagnosis.objects.claim(d.pk) is None


def test_the_sweep_finds_lost_and_abandoned_rows_only(patient, settings):
    settings.ECG_DIAGNOSIS_REQUEUE_AFTER_S = 120
    now = timezone.now()
    ago = lambda s: now - timedelta(seconds=s)  # noqa: E731
    fresh = make_diagnosis(patient, status="queued", when=ago(10))
    never_sent = make_diagnosis(patient, status="queued", when=ago(300))
    sent_recently = make_diagnosis(patient, status="queued", when=ago(300), enqueued_at=ago(30))
    sent_long_ago = make_diagnosis(patient, status="queued", when=ago(900), enqueued_at=ago(800))
    running = make_diagnosis(patient, status="running", when=ago(900),
                             lease_expires_at=now + timedelta(seconds=60))
    abandoned = make_diagnosis(patient, status="running", when=ago(900),
                               lease_expires_at=ago(5))
    make_diagnosis(patient, status="done", when=ago(900))

    stale = set(Diagnosis.objects.stale(now).values_list("pk", flat=True))

    assert stale == {never_sent.pk, sent_long_ago.pk, abandoned.pk}
    assert not stale & {fresh.pk, sent_recently.pk, running.pk}


def test_the_requeue_stale_command_sends_stale_rows_to_the_broker(patient, broker, capsys):
    old = timezone.now() - timedelta(hours=1)
    lost = make_diagnosis(patient, status="queued", when=old)
    make_diagnosis(patient, status="queued")

    call_command("requeue_stale", "--dry-run")
    assert f"{lost.pk}\tqueued" in capsys.readouterr().out
    assert broker.llen("celery") == 0

    call_command("requeue_stale")

    assert "Re-sent 1 stale diagnoses" in capsys.readouterr().out
    assert broker.llen("celery") == 1
    lost.refresh_from_db()
    assert lost.enqueued_at is not None and lost.status == "queued"


def test_the_beat_schedule_runs_the_sweep_every_fifteen_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["diagnosis-requeue-stale"]
    assert entry["task"] == "diagnosis.tasks.requeue_stale" and entry["schedule"] == 15.0
    assert entry["task"] in app.tasks


def test_when_the_broker_is_down_the_row_stays_queued_and_unsent(patient, broker_down):
    d = make_diagnosis(patient, status="queued")

    assert services.enqueue(d.pk) is False

    d.refresh_from_db()
    assert d.status == "queued" and d.enqueued_at is None


def test_a_duplicate_message_for_a_finished_or_deleted_row_does_nothing(patient):
    done = make_diagnosis(patient, status="done", label="V")

    assert classify_diagnosis.apply(args=[done.pk]).get() == "skipped"
    assert classify_diagnosis.apply(args=[999_999]).get() == "skipped"
    done.refresh_from_db()
    assert (done.status, done.label, done.attempts) == ("done", "V", 0)


def test_a_row_whose_runs_keep_dying_is_failed_after_the_last_attempt(patient, settings):
    settings.ECG_DIAGNOSIS_MAX_ATTEMPTS = 3
    d = make_diagnosis(patient, status="running", attempts=3,
                       lease_expires_at=timezone.now() - timedelta(seconds=1))

    assert classify_diagnosis.apply(args=[d.pk]).get() == "failed"

    d.refresh_from_db()
    assert d.status == "failed" and d.error_message == MSG_TOO_MANY_ATTEMPTS


def test_rejected_input_fails_at_once_with_its_message_and_is_not_retried(patient, monkeypatch):
    from ml.errors import InputRejected

    calls = []

    def reject(diagnosis, keep_leads=None):
        calls.append(diagnosis.pk)
        raise InputRejected("This image is blank: upload a picture of one heartbeat.")

    monkeypatch.setattr(inference, "analyse", reject)
    d = make_diagnosis(patient, status="queued")

    assert classify_diagnosis.apply(args=[d.pk]).get() == "rejected"

    d.refresh_from_db()
    assert calls == [d.pk]
    assert d.status == "failed" and d.error_message.startswith("This image is blank")
    assert d.finished_at is not None and d.label == ""


def test_a_transient_database_error_is_retried_and_then_succeeds(patient, monkeypatch):
    calls = []

    def flaky(diagnosis, keep_leads=None):
        calls.append(Diagnosis.objects.get(pk=diagnosis.pk).status)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return image_outcome()

    monkeypatch.setattr(inference, "analyse", flaky)
    d = make_diagnosis(patient, status="queued")

    classify_diagnosis.apply(args=[d.pk])

    d.refresh_from_db()
    assert calls == ["running", "running"]  # released, then claimed again by the retry
    assert d.status == "done" and d.label == "A" and d.attempts == 2


def test_an_unexpected_error_fails_with_a_polite_message(patient, monkeypatch):
    def broken(diagnosis, keep_leads=None):
        raise ZeroDivisionError

    monkeypatch.setattr(inference, "analyse", broken)
    d = make_diagnosis(patient, status="queued")

    assert classify_diagnosis.apply(args=[d.pk]).get() == "failed"

    d.refresh_from_db()
    assert d.status == "failed" and "not your fault" in d.error_message


def test_retry_failed_puts_failed_rows_back_in_the_queue(patient, broker,
                                                        django_capture_on_commit_callbacks):
    failed = make_diagnosis(patient, status="failed")
    done = make_diagnosis(patient, status="done")

    with django_capture_on_commit_callbacks(execute=True):
        count = services.retry_failed(Diagnosis.objects.all())

    failed.refresh_from_db()
    done.refresh_from_db()
    assert count == 1 and broker.llen("celery") == 1
    assert failed.status == "queued" and failed.error_message == "" and failed.attempts == 0
    assert done.status == "done"


def test_a_run_announces_its_claim_before_the_analysis(patient, monkeypatch):
    seen = []

    def on_claim(sender, diagnosis, **kwargs):
        seen.append(("claimed", Diagnosis.objects.get(pk=diagnosis.pk).status))

    def analyse(diagnosis, keep_leads=None):
        seen.append(("analysed", diagnosis.pk))
        return image_outcome()

    monkeypatch.setattr(inference, "analyse", analyse)
    run_claimed.connect(on_claim, dispatch_uid="test-claim")
    try:
        d = make_diagnosis(patient, status="queued")
        assert classify_diagnosis.apply(args=[d.pk]).get() == "done"
        assert classify_diagnosis.apply(args=[d.pk]).get() == "skipped"  # nothing to claim
    finally:
        run_claimed.disconnect(dispatch_uid="test-claim")

    assert seen == [("claimed", "running"), ("analysed", d.pk)]


def test_enqueue_publishes_the_task_by_its_registered_name(patient, broker):
    d = make_diagnosis(patient, status="queued")

    assert services.enqueue(d.pk) is True

    assert services.CLASSIFY_TASK == classify_diagnosis.name and broker.llen("celery") == 1
    message = json.loads(broker.lindex("celery", 0))
    assert message["headers"]["task"] == classify_diagnosis.name
    assert message["headers"]["argsrepr"] == f"[{d.pk}]"
