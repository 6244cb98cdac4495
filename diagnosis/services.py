"""What the views and the worker do with diagnoses: create (with the per-person limits and
duplicate uploads collapsed), enqueue, sweep, requeue, delete."""
import logging
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from . import inference, live, storage
from .models import Diagnosis, DiagnosisFile, announce_state
from .validators import CheckedUpload, UploadLimited, rewrite_wfdb_header

logger = logging.getLogger(__name__)

# Uploads that count against ECG_UPLOAD_MAX_PENDING: waiting or being analysed.
PENDING = (Diagnosis.Status.QUEUED, Diagnosis.Status.RUNNING)
# The worker's task, published by name: the tasks module imports this one, not the reverse.
CLASSIFY_TASK = "diagnosis.tasks.classify_diagnosis"
# Publishing must not hang an upload request when the broker is down: a few quick tries,
# then the row simply stays queued for the sweep.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2,
                        "interval_max": 0.5}


@dataclass
class PlannedFile:
    """A checked file with the random name it will be stored under."""

    name: str
    content: bytes
    content_type: str
    original_name: str
    role: str = DiagnosisFile.Role.INPUT

    @property
    def basename(self):
        return self.name.rsplit("/", 1)[-1]


def plan_files(owner_id, checked: CheckedUpload):
    """Storage names for the files of ``checked``; a WFDB header is rewritten to match them.

    All files of one upload share one random stem, so a record stays "<stem>.hea" with
    "<stem>.dat" beside it, as WFDB expects.
    """
    stem = storage.new_stem()
    header = checked.wfdb_header
    data_parts = [p for p in checked.parts if p.wfdb_name]
    data_names = {
        p.wfdb_name: stem if len(data_parts) == 1 else f"{stem}_{i}"
        for i, p in enumerate(data_parts)
    }
    planned = []
    for part in checked.parts:
        content = part.content
        if part is header:
            text = content.decode("utf-8-sig", errors="replace")
            renamed = {old: f"{new}.dat" for old, new in data_names.items()}
            content = rewrite_wfdb_header(text, stem, renamed).encode("utf-8")
            base = stem
        elif part.wfdb_name:
            base = data_names[part.wfdb_name]
        else:
            base = stem
        planned.append(PlannedFile(storage.path_for(owner_id, base, part.ext), content,
                                   part.content_type, part.original_name))
    return planned


def create_diagnosis(owner, checked: CheckedUpload, planned=None, input_fs=None,
                     content_hash="", original_name=None, seconds_shown=None):
    """Store the files, write the row (queued) and enqueue it once the row is committed.

    If anything fails before the commit, the files already written are removed again:
    a refused or failed upload leaves nothing behind.
    """
    planned = planned or plan_files(owner.pk, checked)
    saved = []
    try:
        for f in planned:
            saved.append(storage.save_exact(f.name, f.content))
        # No savepoint inside a caller's transaction (submit_upload's): a failure here
        # propagates and rolls the whole of it back anyway; two round trips fewer.
        with transaction.atomic(savepoint=False):
            diagnosis = Diagnosis.objects.create(
                owner=owner,
                kind=checked.kind,
                input_format=checked.input_format,
                original_name=(checked.original_name if original_name is None
                               else original_name[:255]),
                input_fs=input_fs,
                seconds_shown=seconds_shown,
                content_hash=content_hash,
                # Written with the row, as it is sent once committed (one query fewer than
                # writing it after sending); enqueue clears it if the broker refuses.
                enqueued_at=None if checked.needs_rate else timezone.now(),
                # Kept, not queued, until its owner gives the rate (give_rate).
                status=(Diagnosis.Status.NEEDS_RATE if checked.needs_rate
                        else Diagnosis.Status.QUEUED),
            )
            DiagnosisFile.objects.bulk_create(
                DiagnosisFile(diagnosis=diagnosis, role=f.role, file=f.name,
                              original_name=f.original_name, content_type=f.content_type,
                              size=len(f.content))
                for f in planned
            )
            pk = diagnosis.pk
            if not checked.needs_rate:
                transaction.on_commit(lambda: enqueue(pk, recorded=True), robust=True)
    except BaseException:
        storage.delete_quietly(saved)
        raise
    return diagnosis


def enqueue(pk, recorded=False):
    """Hand a diagnosis to the worker and note when (``enqueued_at``); False (and the row
    stays queued, ``enqueued_at`` empty) if the broker is down. ``recorded``: the row already
    holds the time (create_diagnosis writes it with the row)."""
    queued = Diagnosis.objects.filter(pk=pk, status=Diagnosis.Status.QUEUED)
    try:
        current_app.send_task(CLASSIFY_TASK, args=[pk], retry=True,
                              retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # any broker or network error: the sweep sends it later
        logger.warning("Could not send diagnosis %s to the broker; it stays queued", pk,
                       exc_info=True)
        if recorded:
            queued.update(enqueued_at=None)
        return False
    if not recorded:
        queued.update(enqueued_at=timezone.now())
    return True


def requeue_stale(now=None, limit=500):
    """Send stale rows (see DiagnosisQuerySet.stale) to the worker again; returns how many."""
    pks = list(Diagnosis.objects.stale(now).order_by("queued_at").values_list("pk", flat=True)
               [:limit])
    sent = sum(1 for pk in pks if enqueue(pk))
    if pks:
        logger.info("Re-sent %d of %d stale diagnoses", sent, len(pks))
    return sent


def forget_unrated(now=None):
    """Delete kept uploads that still wait for their sampling rate (Status.NEEDS_RATE) after
    ECG_NEEDS_RATE_KEEP_HOURS, with their files: a file nobody can analyse is not kept for
    ever. Returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.ECG_NEEDS_RATE_KEEP_HOURS)
    stale = Diagnosis.objects.filter(status=Diagnosis.Status.NEEDS_RATE, queued_at__lt=cutoff)
    deleted = 0
    for diagnosis in stale.order_by("pk")[:500]:
        diagnosis.delete()  # its files go with it (signals.delete_stored_file)
        deleted += 1
    if deleted:
        logger.info("Deleted %d uploads that waited for their sampling rate since before %s",
                    deleted, cutoff.isoformat())
    return deleted


def retry_failed(queryset):
    """Put failed diagnoses back in the queue (admin action); returns how many."""
    reset = {
        "status": Diagnosis.Status.QUEUED, "queued_at": timezone.now(), "enqueued_at": None,
        "started_at": None, "finished_at": None, "lease_expires_at": None,
        "claim_token": None, "attempts": 0, "error_message": "",
    }
    with transaction.atomic():
        pks = list(queryset.filter(status=Diagnosis.Status.FAILED).values_list("pk", flat=True))
        Diagnosis.objects.filter(pk__in=pks).update(**reset)
        for pk in pks:
            transaction.on_commit(lambda pk=pk: enqueue(pk), robust=True)
    return len(pks)


def submit_upload(owner, checked: CheckedUpload, input_fs=None, now=None, seconds_shown=None):
    """Everything after the upload checks: store and queue, or hand back the same diagnosis
    for the same upload. The recording is decoded once, by the worker; what its content
    checks refuse comes back as a failed diagnosis.

    One person's uploads pass here one at a time (their user row is locked), so the same
    files sent several times at once (a double click, a retrying client) find the first
    one's diagnosis instead of making more; then the per-person limits apply
    (``check_upload_limits``, UploadLimited). ``seconds_shown``: the time span a picture's
    trace shows, when its owner gave it (forms.UploadForm checked it).
    """
    now = now or timezone.now()
    digest = checked.content_hash(input_fs, seconds_shown)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()
        window = now - timedelta(seconds=settings.ECG_UPLOAD_DEDUPE_WINDOW_S)
        # One query finds both the same upload sent just before and how many are pending.
        same = Q(content_hash=digest, queued_at__gte=window) & ~Q(status=Diagnosis.Status.FAILED)
        pending = Q(status__in=PENDING)
        found = Diagnosis.objects.filter(same | pending, owner=owner).aggregate(
            same=Min("pk", filter=same), pending=Count("pk", filter=pending))
        if found["same"] is not None:
            return Diagnosis.objects.get(pk=found["same"])
        check_upload_limits(owner, now, pending=found["pending"])
        return create_diagnosis(owner, checked, input_fs=input_fs, content_hash=digest,
                                seconds_shown=seconds_shown)


def check_upload_limits(owner, now=None, pending=None):
    """Refuse (UploadLimited) an upload over the person's limits: uploads still waiting or
    being analysed (ECG_UPLOAD_MAX_PENDING; ``pending``: their number when the caller counted
    them already), uploads per minute and per day (ECG_UPLOADS_PER_MINUTE,
    ECG_UPLOADS_PER_DAY, counted in the cache)."""
    now = now or timezone.now()
    if pending is None:
        pending = Diagnosis.objects.filter(owner=owner, status__in=PENDING).count()
    if pending >= settings.ECG_UPLOAD_MAX_PENDING:
        raise UploadLimited(
            f"You have {pending} uploads waiting to be analysed. Please wait until some are "
            "done before uploading more.")
    limits = ((settings.ECG_UPLOADS_PER_MINUTE, 60, "a minute"),
              (settings.ECG_UPLOADS_PER_DAY, 86400, "a day"))
    # The site's caches count (ecgsite/cache.py): one Redis round trip for both windows.
    counts = cache.count([
        (f"diagnosis:uploads:{owner.pk}:{seconds}:{int(now.timestamp()) // seconds}",
         seconds + 60) for _, seconds, _ in limits])
    for (limit, _, when), count in zip(limits, counts, strict=True):
        if count > limit:
            raise UploadLimited(
                f"You have uploaded {limit} files in {when}, the most we accept. Please try "
                "again later.")


def give_rate(diagnosis, fs, now=None):
    """Give the sampling rate ``fs`` (Hz, checked by forms.RateForm) to a kept CSV upload
    that waits for it (Status.NEEDS_RATE) and queue it; the diagnosis as it is then. A second
    answer (another tab, a double click) finds it queued already and changes nothing; None
    when it was deleted meanwhile."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = Diagnosis.objects.filter(
            pk=diagnosis.pk, status=Diagnosis.Status.NEEDS_RATE
        ).update(status=Diagnosis.Status.QUEUED, input_fs=float(fs), queued_at=now,
                 enqueued_at=None)
        if not updated:
            return Diagnosis.objects.filter(pk=diagnosis.pk).first()
        pk = diagnosis.pk
        transaction.on_commit(lambda: enqueue(pk), robust=True)
        announce_state(pk, Diagnosis.Status.QUEUED)
    return Diagnosis.objects.get(pk=pk)


def submit_recording(owner, recording, name=""):
    """A recording that arrives already decoded (leads of numbers, through the API), as an
    ``ml.formats.Recording`` that passed its checks: stored as the worker stores the leads it
    decodes from a file, so the worker reads it as it reads any kept leads. The same
    per-person limits as uploaded files apply (one person's submissions pass in turn)."""
    planned = [PlannedFile(
        storage.path_for(owner.pk, storage.new_stem(), inference.LEADS_EXT), recording.to_npz(),
        "application/octet-stream", "", role=DiagnosisFile.Role.LEADS,
    )]
    checked = CheckedUpload(Diagnosis.Kind.SIGNAL, recording.format)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=owner.pk).exists()
        check_upload_limits(owner)
        return create_diagnosis(owner, checked, planned, original_name=name)


def queue_position(diagnosis):
    """How many queued uploads (anyone's) are ahead of this one."""
    if diagnosis.status != Diagnosis.Status.QUEUED:
        return 0
    return Diagnosis.objects.filter(
        status=Diagnosis.Status.QUEUED, queued_at__lt=diagnosis.queued_at
    ).count()


def picture_result(diagnosis, wait):
    """A picture just uploaded, once analysed: its upload answer may wait for the result
    (``wait`` seconds from the request, bounded as for status_after), one request fewer than
    uploading and then asking for the status. Only pictures wait: they are analysed in
    milliseconds, while a recording's page shows its progress, so it answers at once. The
    diagnosis as it was if it was deleted meanwhile (its status then answers 404)."""
    if diagnosis.kind != Diagnosis.Kind.IMAGE or not wait:
        return diagnosis
    return status_after(diagnosis, ",".join(PENDING), wait) or diagnosis


def status_after(diagnosis, since, wait):
    """The diagnosis once its status is none of ``since`` (one status, or several separated
    by commas, as the page last saw them), waiting up to ``wait`` seconds (a string from the
    request, bounded by ECG_STATUS_MAX_WAIT_S) for the worker to change it (diagnosis.live);
    None if it was deleted meanwhile. Without ``since`` it answers at once."""
    seen = frozenset(s.strip() for s in (since or "").split(",")[:len(Diagnosis.Status)])
    if diagnosis.status not in seen:
        return diagnosis
    # Each read fetches the whole row, so the last one is the answer: three queries for a
    # wait that ends with the result (the view's, one once subscribed, one on the wake-up).
    latest = [diagnosis]

    def read_state():
        latest[0] = Diagnosis.objects.filter(pk=diagnosis.pk).first()
        return None if latest[0] is None else latest[0].status

    live.wait_for_change(diagnosis.pk, seen, live.clamp_wait(wait), read_state,
                         diagnosis.status)
    return latest[0]
