"""A recording is decoded once, by the worker: its leads are kept beside the upload (.npz), the
plot's trace is drawn from them, and a later run reads them instead of the upload."""
import pytest

from diagnosis import inference, storage, tasks
from diagnosis.models import Diagnosis, DiagnosisFile, SignalResult
from diagnosis.tasks import classify_diagnosis
from diagnosis.trace import trace_of_leads
from ml.formats import Recording, read_recording
from tests.factories import make_diagnosis
from tests.inputs import excerpt_record, post_upload, stored_files, upload

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _stored(f):
    with f.file.open("rb") as fh:
        return fh.read()


@pytest.fixture
def analysed(mitdb, patient_client, tmp_path):
    """A 60-second WFDB upload of record 208 (two leads) after one run of the worker, and its
    original header."""
    header = excerpt_record(mitdb, "208", tmp_path / "in", seconds=60, start_s=120)
    dat = header.with_suffix(".dat")
    response = post_upload(patient_client, [upload(header.name, header.read_bytes()),
                                            upload(dat.name, dat.read_bytes())])
    assert response.status_code == 201, response.content
    d = Diagnosis.objects.get(pk=response.json()["id"])
    assert classify_diagnosis.apply(args=[d.pk]).get() == "done"
    d.refresh_from_db()
    return d, header


def test_the_worker_keeps_every_decoded_lead_beside_the_upload(analysed, media_root):
    d, header = analysed

    [leads] = d.files.filter(role=DiagnosisFile.Role.LEADS)
    stored = Recording.from_npz(_stored(leads))
    original = read_recording(header)

    assert leads.file.name.endswith(".npz") and leads.size == len(_stored(leads))
    assert leads.file.name.startswith(storage.user_folder(d.owner_id) + "/")
    assert stored.lead_names == original.lead_names == ("MLII", "V1")
    assert (stored.fs, stored.main, stored.format) == (360.0, 0, "wfdb")
    assert (stored.samples == original.samples).all()
    assert sorted(d.files.values_list("role", flat=True)) == ["input", "input", "leads",
                                                               "trace"]
    assert stored_files(media_root) == sorted(f.file.name for f in d.files.all())


def test_the_plot_trace_is_drawn_from_the_stored_leads(analysed):
    d, _ = analysed
    leads = d.files.get(role=DiagnosisFile.Role.LEADS)
    trace_file = d.files.get(role=DiagnosisFile.Role.TRACE)

    expected = trace_of_leads(_stored(leads))

    assert _stored(trace_file) == expected.data
    result = SignalResult.objects.get(diagnosis=d)
    assert (result.trace_fs, result.trace_length, result.trace_scale_mv) == \
        (expected.fs, expected.length, expected.scale_mv)


def test_a_later_run_reads_the_stored_leads_not_the_upload(analysed):
    d, _ = analysed
    first = (d.label, d.counts, SignalResult.objects.get(diagnosis=d).labels)
    # The upload itself is damaged now: decoding it again would fail.
    for f in d.input_files:
        storage.delete_quietly([f.file.name])
        storage.save_exact(f.file.name, b"damaged")
    Diagnosis.objects.filter(pk=d.pk).update(status=Diagnosis.Status.QUEUED, attempts=0)

    assert classify_diagnosis.apply(args=[d.pk]).get() == "done"

    d.refresh_from_db()
    assert (d.label, d.counts, SignalResult.objects.get(diagnosis=d).labels) == first
    assert d.files.filter(role=DiagnosisFile.Role.LEADS).count() == 1
    assert d.files.filter(role=DiagnosisFile.Role.TRACE).count() == 1


def test_leads_are_not_kept_for_a_run_that_lost_its_claim(patient, media_root):
    d = make_diagnosis(patient, kind="signal", status="queued")
    before = stored_files(media_root)
    token = Diagnosis.objects.claim(d.pk)
    Diagnosis.objects.filter(pk=d.pk).update(status=Diagnosis.Status.QUEUED)  # taken away

    with pytest.raises(tasks.ClaimLost):
        tasks._store_leads(d, token, b"npz bytes")

    assert stored_files(media_root) == before
    assert not d.files.filter(role=DiagnosisFile.Role.LEADS).exists()


def test_a_recording_refused_by_its_content_keeps_no_leads(patient_client, media_root):
    flat = "time,II\n" + "\n".join(f"{i / 250:.4f},0.0" for i in range(5000))
    response = post_upload(patient_client, [upload("flat.csv", flat.encode())])

    assert classify_diagnosis.apply(args=[response.json()["id"]]).get() == "rejected"

    d = Diagnosis.objects.get()
    assert d.status == "failed" and "flat line" in d.error_message
    assert inference.stored_leads(d) is None
    assert stored_files(media_root) == [d.input_files[0].file.name]
