"""Celery tasks: classify one diagnosis; sweep stale ones back into the queue.

Delivery is at least once (acks_late, reject on worker loss, Redis visibility timeout), so
the task is written to be run any number of times for the same row: only a run that claims
the row (models.DiagnosisQuerySet.claim) does any work, and only the holder of the claim can
write the outcome. While it works, a heartbeat renews the claim's lease (heartbeat.py); the
sweep re-sends a row whose lease ran out because its worker died.
"""
import logging
import threading

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_process_init
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from ml.errors import InputRejected

from . import inference, services, storage
from .heartbeat import Heartbeat
from .models import Diagnosis, DiagnosisFile, SignalResult
from .signals import run_claimed

logger = logging.getLogger(__name__)

# Worth another try later: the database or the storage hiccupped, not the input.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 5

MSG_INTERNAL = (
    "Something went wrong on our side while analysing this file. It was not your fault; "
    "please upload it again later. If it keeps happening, contact us."
)
MSG_TOO_SLOW = (
    "The analysis took too long and was stopped. Try a shorter recording (30 minutes or less)."
)
MSG_TOO_MANY_ATTEMPTS = (
    "We tried to analyse this file several times and each attempt was interrupted. Please "
    "upload it again; if that fails too, try a shorter recording or contact us."
)
MSG_UNAVAILABLE = (
    "The analysis service was unavailable for too long. Please upload the file again later."
)


@worker_process_init.connect
def load_model_in_the_background(**kwargs):
    """Start loading the model as soon as a pool process exists (after the fork), in a thread
    so the process reports ready at once; a task that arrives first waits for the same load.
    Without this each pool process would load it during its first task."""
    threading.Thread(target=_warm_up, name="predictor-warm-up", daemon=True).start()


def _warm_up():
    try:
        inference.get_predictor()
    except Exception:  # the first task will try again and report it
        logger.exception("Could not load the model")


def backoff_seconds(retries):
    return min(2 ** retries * 2, 60)


@shared_task(bind=True, name=services.CLASSIFY_TASK, max_retries=MAX_RETRIES)
def classify_diagnosis(self, pk):
    try:
        diagnosis = Diagnosis.objects.claim_row(pk)
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    if diagnosis is None:
        return _not_claimed(self, pk)

    token = diagnosis.claim_token
    if diagnosis.attempts > settings.ECG_DIAGNOSIS_MAX_ATTEMPTS:
        diagnosis.mark_failed(token, MSG_TOO_MANY_ATTEMPTS)
        return "failed"
    with Heartbeat(pk, token):
        return _run(self, diagnosis, token)


def _run(task, diagnosis, token):
    run_claimed.send(sender=Diagnosis, diagnosis=diagnosis)
    try:
        outcome = inference.analyse(
            diagnosis, keep_leads=lambda leads: _store_leads(diagnosis, token, leads))
        stored = _store_outcome(diagnosis, token, outcome)
        return "done" if stored else "lost-claim"
    except ClaimLost:
        return "lost-claim"
    except InputRejected as exc:
        diagnosis.mark_failed(token, str(exc))
        return "rejected"
    except SoftTimeLimitExceeded:
        diagnosis.mark_failed(token, MSG_TOO_SLOW)
        return "failed"
    except TRANSIENT_ERRORS as exc:
        return _retry_later(task, diagnosis, token, exc)
    except Exception:
        logger.exception("Diagnosis %s failed", diagnosis.pk)
        diagnosis.mark_failed(token, MSG_INTERNAL)
        return "failed"


def _not_claimed(task, pk):
    row = Diagnosis.objects.filter(pk=pk).values("status", "lease_expires_at").first()
    if row is None or row["status"] != Diagnosis.Status.RUNNING:
        return "skipped"  # deleted, or already finished by another delivery
    # Another run holds the claim (or held it and died). Look again when the claim expires;
    # the sweep would find it too, this is only quicker.
    if task.request.retries >= task.max_retries:
        return "skipped"
    wait = (row["lease_expires_at"] - timezone.now()).total_seconds() + 1
    raise task.retry(countdown=max(1.0, wait))


def _retry_later(task, diagnosis, token, exc):
    logger.warning("Diagnosis %s hit a transient error (%s); retrying", diagnosis.pk, exc)
    try:
        if task.request.retries >= task.max_retries:
            diagnosis.mark_failed(token, MSG_UNAVAILABLE)
            return "failed"
        diagnosis.release(token)
    except DatabaseError:
        pass  # the claim expires on its own and the sweep picks the row up
    raise task.retry(exc=exc, countdown=backoff_seconds(task.request.retries))


class ClaimLost(Exception):
    """The row was deleted, or another run took it over, while this run was working on it."""


def _locked_if_claimed(diagnosis, token):
    """The row, locked for this transaction, while this run still holds its claim; else None."""
    return (
        Diagnosis.objects.select_for_update()
        .filter(pk=diagnosis.pk, status=Diagnosis.Status.RUNNING, claim_token=token)
        .first()
    )


def _store_leads(diagnosis, token, leads):
    """Keep the decoded leads (ml.formats .npz) beside the inputs, so the plot and any later
    run read them instead of decoding the upload again. Stored first and removed again if the
    claim was lost, like the trace."""
    name = storage.path_for(diagnosis.owner_id, storage.new_stem(), inference.LEADS_EXT)
    storage.save_exact(name, leads)
    try:
        with transaction.atomic():
            locked = _locked_if_claimed(diagnosis, token)
            if locked is None:
                raise ClaimLost
            DiagnosisFile.objects.create(
                diagnosis=locked, role=DiagnosisFile.Role.LEADS, file=name,
                content_type="application/octet-stream", size=len(leads),
            )
    except BaseException:
        storage.delete_quietly([name])
        raise


def _store_outcome(diagnosis, token, outcome):
    """Write the result; the trace file is stored first and removed again if the row is gone
    or the claim was lost (a deleted diagnosis must not leave a file behind)."""
    if outcome.beats is None and outcome.trace is None:
        # A picture's result is one row update, and mark_done's UPDATE is itself conditional
        # on the claim: no lock and no transaction of its own (two round trips fewer).
        return diagnosis.mark_done(token, **outcome.fields)
    trace_name = None
    if outcome.trace is not None:
        trace_name = storage.path_for(diagnosis.owner_id, storage.new_stem(), "trace")
        storage.save_exact(trace_name, outcome.trace.data)
    try:
        with transaction.atomic():
            locked = _locked_if_claimed(diagnosis, token)
            if locked is None:
                storage.delete_quietly([trace_name])
                return False
            if outcome.beats is not None:
                SignalResult.objects.update_or_create(
                    diagnosis=locked,
                    defaults={**outcome.beats, "trace_fs": outcome.trace.fs,
                              "trace_length": outcome.trace.length,
                              "trace_scale_mv": outcome.trace.scale_mv},
                )
                # A trace from an earlier, interrupted run is replaced.
                for old in locked.files.filter(role=DiagnosisFile.Role.TRACE):
                    old.delete()
                DiagnosisFile.objects.create(
                    diagnosis=locked, role=DiagnosisFile.Role.TRACE, file=trace_name,
                    content_type="application/octet-stream", size=len(outcome.trace.data),
                )
            locked.mark_done(token, **outcome.fields)
    except BaseException:
        storage.delete_quietly([trace_name])
        raise
    return True


@shared_task(name="diagnosis.tasks.requeue_stale")
def requeue_stale():
    return services.requeue_stale()


@shared_task(name="diagnosis.tasks.forget_unrated")
def forget_unrated():
    return services.forget_unrated()
