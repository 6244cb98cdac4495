"""Golden uploads: a fixed set of files gives the same labels and messages as recorded.

Each file goes through the upload view and the worker's task (run in this process), and
what a patient would see (refusal message, status, finding, beat counts, per-beat labels,
error message) is compared with ``golden/uploads.json``. The file was written by this test on
main before a restructuring, so a refactor that changes any answer fails here.

The answers depend on the model: the golden file names the model version it was made with,
and a run with another model says so instead of reporting every difference. After a
deliberate model change, write the file again with ``ECG_GOLDEN_WRITE=1`` and review the diff.
"""
import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from diagnosis.models import Diagnosis
from diagnosis.tasks import classify_diagnosis
from tests.inputs import beat_png, excerpt_record, post_upload, real_beat_png, upload, write_edf

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

GOLDEN = Path(__file__).parent / "golden" / "uploads.json"


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _mitdb_mlii(mitdb, name, start_s, seconds):
    import wfdb

    rec = wfdb.rdrecord(str(mitdb / name), channels=[0])
    first = int(start_s * rec.fs)
    return rec.p_signal[first:first + int(seconds * rec.fs), 0], float(rec.fs)


def _csv_with_times(mitdb, name, start_s, seconds):
    x, fs = _mitdb_mlii(mitdb, name, start_s, seconds)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "MLII"])
    for i, v in enumerate(x):
        writer.writerow([f"{i / fs:.6f}", f"{v:.4f}"])
    return out.getvalue().encode()


def _edf(tmp_path, mitdb, name, start_s, seconds):
    x, fs = _mitdb_mlii(mitdb, name, start_s, seconds)
    path = tmp_path / "golden.edf"
    write_edf(path, [x], fs, ["ECG II"])
    return path.read_bytes()


def _wfdb(tmp_path, mitdb, name, start_s, seconds):
    header = excerpt_record(mitdb, name, tmp_path / f"wfdb-{name}", seconds, start_s)
    return [upload(header.name, header.read_bytes()),
            upload(header.with_suffix(".dat").name, header.with_suffix(".dat").read_bytes())]


def cases(tmp_path, mitdb):
    """(case name, files) for every golden upload."""
    return [
        ("picture, PVC of 208", [upload("pvc.png", real_beat_png(mitdb, "208", "V"))]),
        ("picture, normal beat of 100", [upload("n.png", real_beat_png(mitdb, "100", "N"))]),
        ("picture, LBBB of 214", [upload("l.png", real_beat_png(mitdb, "214", "L"))]),
        ("picture, RBBB of 212", [upload("r.png", real_beat_png(mitdb, "212", "R"))]),
        ("picture, PAC of 232", [upload("a.png", real_beat_png(mitdb, "232", "A"))]),
        ("picture, drawn beat as JPEG", [upload("drawn.jpg", beat_png(fmt="JPEG"))]),
        ("WFDB, 60 s of 208", _wfdb(tmp_path, mitdb, "208", 120, 60)),
        ("WFDB, 60 s of 232", _wfdb(tmp_path, mitdb, "232", 300, 60)),
        ("CSV with times, 30 s of 119", [upload("119.csv", _csv_with_times(mitdb, "119", 60, 30))]),
        ("EDF, 30 s of 214", [upload("214.edf", _edf(tmp_path, mitdb, "214", 60, 30))]),
        ("refused: blank picture",
         [upload("blank.png", _png(Image.new("RGB", (200, 120), "white")))]),
        ("refused: text named .png", [upload("fake.png", b"hello, this is not a picture\n")]),
        ("refused: CSV too short", [upload("short.csv", b"time,ecg\n0,0.1\n0.01,0.2\n")]),
        ("refused: flat signal",
         [upload("flat.csv", ("time,ecg\n" + "".join(
             f"{i / 360:.5f},0.0\n" for i in range(3600))).encode())]),
    ]


def _message(text):
    """The patient's message without a leading “file name”: prefix, so a check that moves
    from the upload request to the worker (which reads the file once) compares equal."""
    return re.sub(r"^“[^”]*”: ", "", text or "")


def outcome(client, files):
    """What the patient is told about ``files``: a refusal (at upload or by the worker, the
    same to them), or the finished result."""
    response = post_upload(client, files)
    if response.status_code != 201:
        assert response.status_code == 400, response.content
        return {"outcome": "refused", "message": _message(response.json().get("error"))}
    pk = response.json()["id"]
    classify_diagnosis.apply(args=[pk])
    d = Diagnosis.objects.get(pk=pk)
    if d.status != "done":
        assert d.status == "failed", d.status
        return {"outcome": "refused", "message": _message(d.error_message)}
    result = {"outcome": "result", "label": d.label, "kind": d.kind, "format": d.input_format,
              "model_version": d.model_version, "analysis_mode": d.analysis_mode,
              "leads_used": d.leads_used}
    if d.kind == "signal":
        result["counts"] = d.counts
        result["beats"] = " ".join(d.signal.beat_labels())
        result["vf_episodes"] = d.vf_episodes
    return result


def test_fixed_uploads_give_the_recorded_labels_and_messages(patient_client, tmp_path, mitdb):
    got = {name: outcome(patient_client, files) for name, files in cases(tmp_path, mitdb)}
    if os.environ.get("ECG_GOLDEN_WRITE") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    expected = json.loads(GOLDEN.read_text())
    versions = {r.get("model_version") for r in expected.values()} - {None, ""}
    served = {r.get("model_version") for r in got.values()} - {None, ""}
    assert served == versions, (
        f"the golden file was made with model {versions}, this run served {served}: after a "
        "deliberate model change run this test with ECG_GOLDEN_WRITE=1 and review the diff")
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name


def test_the_golden_set_covers_every_kind_of_upload():
    expected = json.loads(GOLDEN.read_text())
    done = [r for r in expected.values() if r["outcome"] == "result"]
    assert {r["format"] for r in done} >= {"png", "jpeg", "wfdb", "csv", "edf"}
    refusals = [r["message"] for r in expected.values() if r["outcome"] == "refused"]
    assert len(refusals) >= 4 and all(len(m) > 30 for m in refusals)
    # The recordings' beat labels are stored as one class code per beat.
    beats = [r["beats"] for r in done if r["kind"] == "signal"]
    assert len(beats) == 4 and all(len(b.split()) > 10 for b in beats)
    assert all(set(b.split()) <= {"N", "L", "R", "A", "V", "VF"} for b in beats)
