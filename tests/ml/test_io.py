"""Reading uploaded signals: WFDB, CSV and EDF in, one lead in mV out; bad files rejected with
a message a patient can act on."""
import shutil

import numpy as np
import pytest

from ml import InputRejected
from ml.formats import check_usable, read_signal
from tests.inputs import copy_record, write_edf

FS = 360


@pytest.fixture(scope="module")
def mlii(mitdb):
    """Ten seconds of record 100 (MLII and V5), in mV, straight from the PhysioNet files."""
    import wfdb

    rec = wfdb.rdrecord(str(mitdb / "100"), sampto=10 * FS)
    return rec.p_signal[:, 0].copy(), rec.p_signal[:, 1].copy()


def test_it_reads_a_wfdb_record_and_picks_mlii(mitdb, tmp_path):
    sig = read_signal(copy_record(mitdb, "100", tmp_path))
    assert (sig.format, sig.lead, sig.fs) == ("wfdb", "MLII", 360.0)
    assert sig.samples.shape == (650000,) and sig.samples.dtype == np.float64
    # The first samples of record 100, MLII, in mV (ADC value 995 - 1024 zero, gain 200).
    assert sig.samples[0] == pytest.approx(-0.145)


def test_it_reads_a_wfdb_record_without_mlii_from_its_first_lead(mitdb, tmp_path):
    sig = read_signal(copy_record(mitdb, "102", tmp_path))
    assert sig.lead == "V5"


def test_it_reads_a_wfdb_pair_stored_under_random_names(mitdb, tmp_path):
    copy_record(mitdb, "100", tmp_path)
    shutil.move(tmp_path / "100.hea", tmp_path / "a81f.upload")
    shutil.move(tmp_path / "100.dat", tmp_path / "77c2.upload")
    sig = read_signal(tmp_path / "a81f.upload", dat_path=tmp_path / "77c2.upload")
    assert sig.lead == "MLII" and len(sig.samples) == 650000


def test_it_rejects_a_wfdb_header_without_its_dat_file(mitdb, tmp_path):
    header = copy_record(mitdb, "100", tmp_path)
    (tmp_path / "100.dat").unlink()
    with pytest.raises(InputRejected, match=r"\.dat"):
        read_signal(header)


def test_it_rejects_a_broken_wfdb_header(mitdb, tmp_path):
    header = copy_record(mitdb, "100", tmp_path)
    header.write_text("100 2 360 650000\n100.dat 212 200 11 1024 995 -22131 0 MLII\n")
    with pytest.raises(InputRejected, match="header"):
        read_signal(header)


def test_it_rejects_a_truncated_wfdb_signal_file(mitdb, tmp_path):
    header = copy_record(mitdb, "100", tmp_path)
    data = (tmp_path / "100.dat").read_bytes()
    (tmp_path / "100.dat").write_bytes(data[:1000])
    with pytest.raises(InputRejected):
        read_signal(header)


def test_it_reads_a_csv_with_a_time_column_and_a_header(tmp_path, mlii):
    x, v5 = mlii
    t = np.arange(len(x)) / FS
    path = tmp_path / "ecg.csv"
    np.savetxt(path, np.c_[t, v5, x], delimiter=",", header="time,V5,MLII", comments="",
               fmt="%.6f")
    sig = read_signal(path)
    assert (sig.format, sig.lead, sig.fs) == ("csv", "MLII", 360.0)
    np.testing.assert_allclose(sig.samples, x, atol=1e-6)


def test_it_reads_a_semicolon_csv_with_decimal_commas_and_milliseconds(tmp_path, mlii):
    x, _ = mlii
    ms = np.arange(len(x)) * 1000 / FS
    rows = [f"{a:.3f};{b:.3f}".replace(".", ",") for a, b in zip(ms, x, strict=True)]
    path = tmp_path / "ecg.csv"
    path.write_text("time (ms);ECG\n" + "\n".join(rows) + "\n")
    sig = read_signal(path)
    assert sig.fs == 360.0
    np.testing.assert_allclose(sig.samples, x, atol=1e-3)


def test_it_reads_a_bare_column_when_the_rate_is_given(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.csv"
    np.savetxt(path, x, fmt="%.4f")
    sig = read_signal(path, fs=360)
    assert sig.fs == 360.0 and len(sig.samples) == len(x)


def test_it_converts_a_column_labelled_in_microvolts(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.csv"
    np.savetxt(path, np.c_[np.arange(len(x)) / FS, x * 1000], delimiter=",",
               header="seconds,II [uV]", comments="", fmt="%.6f")
    np.testing.assert_allclose(read_signal(path).samples, x, atol=1e-6)


def test_it_takes_large_unlabelled_values_as_microvolts(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.csv"
    np.savetxt(path, x * 1000, fmt="%.1f")
    np.testing.assert_allclose(read_signal(path, fs=360).samples, x, atol=1e-4)


def test_it_asks_for_the_rate_when_a_csv_has_no_time_column(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.csv"
    np.savetxt(path, x, fmt="%.4f")
    with pytest.raises(InputRejected, match="sampling rate"):
        read_signal(path)


def test_it_rejects_text_in_a_csv_and_says_which_row(tmp_path, mlii):
    x, _ = mlii
    lines = [f"{v:.4f}" for v in x]
    lines[41] = "lead off"
    path = tmp_path / "ecg.csv"
    path.write_text("MLII\n" + "\n".join(lines) + "\n")
    with pytest.raises(InputRejected, match="row 43"):
        read_signal(path, fs=360)


def test_it_rejects_nan_in_a_csv(tmp_path, mlii):
    x, _ = mlii
    x = x.copy()
    x[100] = np.nan
    path = tmp_path / "ecg.csv"
    np.savetxt(path, x, fmt="%.4f")
    with pytest.raises(InputRejected, match="missing"):
        read_signal(path, fs=360)


def test_it_rejects_a_csv_with_an_irregular_time_column(tmp_path, mlii):
    x, _ = mlii
    t = np.arange(len(x)) / FS
    t[1800:] += 0.5  # half a second lost
    path = tmp_path / "ecg.csv"
    np.savetxt(path, np.c_[t, x], delimiter=",", header="time,ECG", comments="", fmt="%.6f")
    with pytest.raises(InputRejected, match="evenly"):
        read_signal(path)


def test_it_rejects_a_csv_that_is_too_short(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.csv"
    np.savetxt(path, x[: 2 * FS], fmt="%.4f")
    with pytest.raises(InputRejected, match="too short"):
        read_signal(path, fs=360)


def test_it_reads_an_edf_file(tmp_path, mlii):
    x, v5 = mlii
    path = tmp_path / "ecg.edf"
    step = write_edf(path, [v5, x], FS, ["ECG V5", "ECG II"], annotations=True)
    sig = read_signal(path)
    assert (sig.format, sig.lead, sig.fs) == ("edf", "ECG II", 360.0)
    np.testing.assert_allclose(sig.samples, x, atol=step)


def test_it_converts_an_edf_channel_in_microvolts(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.edf"
    step = write_edf(path, [x * 1000], FS, ["ECG"], units="uV",
                      physical_range=(-5000, 5000))
    np.testing.assert_allclose(read_signal(path).samples, x, atol=step / 1000)


def test_it_rejects_a_truncated_edf_file(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.edf"
    write_edf(path, [x], FS, ["ECG"])
    path.write_bytes(path.read_bytes()[:600])
    with pytest.raises(InputRejected, match="EDF"):
        read_signal(path)


def test_it_rejects_an_edf_file_with_a_broken_header(tmp_path, mlii):
    x, _ = mlii
    path = tmp_path / "ecg.edf"
    write_edf(path, [x], FS, ["ECG"])
    raw = bytearray(path.read_bytes())
    raw[252:256] = b"ab  "  # number of signals
    path.write_bytes(bytes(raw))
    with pytest.raises(InputRejected, match="EDF"):
        read_signal(path)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not an ECG recording"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>", "not an ECG recording"),
        (b"PK\x03\x04" + b"\x00" * 100, "not an ECG recording"),
        (b"", "empty"),
        (b"hello,world\nthis,is text\n", "numbers are expected"),
    ],
    ids=["png", "pdf", "zip", "empty", "text"],
)
def test_it_rejects_files_that_are_not_signals(tmp_path, content, words):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(InputRejected, match=words):
        read_signal(path, fs=360)


def test_check_usable_accepts_a_real_ecg(mlii):
    x, _ = mlii
    check_usable(x, 360)


@pytest.mark.parametrize(
    ("samples", "fs", "words"),
    [
        (np.sin(np.arange(3 * FS) / 20), FS, "too short"),
        (np.zeros(10 * FS), FS, "flat"),
        (np.full(10 * FS, 1.3) + 1e-4 * np.sin(np.arange(10 * FS)), FS, "flat"),
        (np.r_[np.sin(np.arange(10 * FS) / 20), np.nan], FS, "missing"),
        (np.r_[np.sin(np.arange(10 * FS) / 20), np.inf], FS, "missing"),
        (np.sin(np.arange(10 * FS) / 20), 20, "sampling rate"),
        (np.sin(np.arange(10 * FS) / 20), 50_000, "sampling rate"),
        (np.sin(np.arange(10 * FS) / 20), float("nan"), "sampling rate"),
        (800 * np.sin(np.arange(10 * FS) / 20), FS, "units"),
    ],
    ids=["short", "zeros", "flat-offset", "nan", "inf", "fs-low", "fs-high", "fs-nan",
         "microvolts"],
)
def test_check_usable_rejects_unusable_signals(samples, fs, words):
    with pytest.raises(InputRejected, match=words):
        check_usable(samples, fs)
