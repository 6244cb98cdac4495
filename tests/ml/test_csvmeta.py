"""Single-lead exports that carry their own rate and units (ml/formats/csvmeta.py): Apple
Health's Apple Watch ECG CSV and PhysioNet's samples.csv, written by tests/inputs.py from
real MIT-BIH signal, read back in millivolts at the rate the file states."""
import numpy as np
import pytest

from ml import InputRejected
from ml.formats import csvtable, read_recording, sniff
from tests.inputs import apple_health_csv, physionet_samples_csv, record_lead_mv


@pytest.fixture(scope="module")
def watch_mv(mitdb):
    """30 s of record 100's first lead resampled to the watch's 512 Hz, in mV."""
    return record_lead_mv(mitdb, "100", 30, fs=512)


@pytest.fixture(scope="module")
def leads_mv(mitdb):
    return record_lead_mv(mitdb, "100", 12), record_lead_mv(mitdb, "101", 12)


def write(tmp_path, data, name="ecg.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_it_reads_an_apple_health_export_at_its_stated_rate_in_millivolts(tmp_path, watch_mv):
    data = apple_health_csv(watch_mv)

    rec = read_recording(write(tmp_path, data))

    assert sniff(data) == "csv" and not csvtable.needs_rate(data)
    assert (rec.fs, rec.lead_names, rec.format) == (512.0, ("I",), "csv")
    np.testing.assert_allclose(rec.main_lead(), watch_mv, atol=1e-5)


def test_it_reads_a_german_export_with_decimal_commas_and_no_unit_line(tmp_path, watch_mv):
    data = apple_health_csv(watch_mv, language="de", decimal_comma=True, lead_lines=False)

    rec = read_recording(write(tmp_path, data))

    assert rec.fs == 512.0 and not csvtable.needs_rate(data)
    # No unit line: values spanning hundreds are microvolts, as for any CSV.
    np.testing.assert_allclose(rec.main_lead(), watch_mv, atol=1e-5)


def test_the_upload_check_accepts_an_apple_export_without_a_rate(watch_mv):
    csvtable.check_head("ECG_2026-11-30.csv", apple_health_csv(watch_mv))


def test_a_damaged_apple_export_is_refused_naming_the_line(tmp_path, watch_mv):
    data = apple_health_csv(watch_mv).replace(b"\n12", b"\nabc12", 1)
    line = data.decode().splitlines().index(next(
        ln for ln in data.decode().splitlines() if ln.startswith("abc"))) + 1

    with pytest.raises(InputRejected, match=f"line {line}"):
        csvtable.check_head("ecg.csv", data)
    with pytest.raises(InputRejected, match=f"Line {line}"):
        read_recording(write(tmp_path, data))


def test_a_rate_that_contradicts_the_apple_export_is_refused(tmp_path, watch_mv):
    with pytest.raises(InputRejected, match="does not match"):
        read_recording(write(tmp_path, apple_health_csv(watch_mv)), fs=250)


def test_it_reads_physionet_samples_with_clock_times_and_picks_mlii(tmp_path, leads_mv):
    data = physionet_samples_csv(leads_mv, ["V5", "MLII"], fs=360)

    rec = read_recording(write(tmp_path, data, "samples.csv"))

    assert sniff(data) == "csv" and not csvtable.needs_rate(data)
    assert rec.fs == 360.0 and rec.lead_names == ("V5", "MLII") and rec.lead == "MLII"
    np.testing.assert_allclose(rec.main_lead(), leads_mv[1], atol=6e-4)


def test_it_reads_physionet_samples_with_times_in_seconds(tmp_path, leads_mv):
    data = physionet_samples_csv(leads_mv, ["MLII", "V1"], fs=360, time="seconds")

    rec = read_recording(write(tmp_path, data, "samples.csv"))

    assert rec.fs == 360.0 and rec.lead == "MLII"


def test_physionet_samples_numbered_without_times_need_the_rate(tmp_path, leads_mv):
    data = physionet_samples_csv(leads_mv, ["MLII", "V1"], fs=360, time="samples")
    path = write(tmp_path, data, "samples.csv")

    assert csvtable.needs_rate(data)
    with pytest.raises(InputRejected, match="sampling rate"):
        csvtable.check_head("samples.csv", data)
    csvtable.check_head("samples.csv", data, rate_later=True)
    with pytest.raises(InputRejected, match="sampling rate"):
        read_recording(path)
    assert read_recording(path, fs=360).fs == 360.0


def test_a_plain_csv_without_times_needs_the_rate_and_one_with_times_does_not(leads_mv):
    x = leads_mv[0]
    plain = ("ecg\n" + "\n".join(f"{v:.3f}" for v in x)).encode()
    timed = ("time_ms,ecg\n" + "\n".join(f"{1000 * i / 360:.3f},{v:.3f}"
                                          for i, v in enumerate(x))).encode()

    assert csvtable.needs_rate(plain) and not csvtable.needs_rate(timed)
    csvtable.check_head("plain.csv", plain, rate_later=True)
    with pytest.raises(InputRejected, match="sampling rate"):
        csvtable.check_head("plain.csv", plain)
