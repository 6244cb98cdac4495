"""ml.formats: every lead of a recording, its stored form, and the cheap checks on headers and
first lines that bound what will be decoded before anything is read."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from ml import InputRejected
from ml.formats import (
    Recording,
    csvtable,
    edf,
    load_image,
    picture,
    read_recording,
    read_signal,
    sniff,
    wfdbrecord,
)
from ml.formats.limits import CSV_MIN_ROWS, HEADER_MAX_BYTES, MAX_PIXELS, MAX_SAMPLES
from tests.inputs import copy_record, write_edf

FS = 360


# --- every lead ------------------------------------------------------------------------------


def test_a_wfdb_record_is_read_with_all_its_leads_and_the_lead_the_model_reads(mitdb, tmp_path):
    import wfdb

    rec = read_recording(copy_record(mitdb, "100", tmp_path))
    raw = wfdb.rdrecord(str(mitdb / "100"))

    assert rec.format == "wfdb" and rec.fs == 360.0
    assert rec.lead_names == ("MLII", "V5") and rec.main == 0 and rec.lead == "MLII"
    assert rec.samples.shape == (650000, 2) and rec.samples.dtype == np.float32
    np.testing.assert_allclose(rec.samples, raw.p_signal, atol=1e-6)
    assert rec.main_lead().dtype == np.float64
    np.testing.assert_array_equal(read_signal(tmp_path / "100.hea").samples, rec.main_lead())


def test_the_lead_the_model_reads_is_remembered_when_it_is_not_the_first(tmp_path):
    x = np.sin(np.arange(10 * FS) / 20)
    path = tmp_path / "two.edf"
    write_edf(path, [0.5 * x, x], FS, ["ECG V5", "ECG II"], annotations=True)

    rec = read_recording(path)

    assert rec.lead_names == ("ECG V5", "ECG II") and rec.main == 1
    np.testing.assert_allclose(rec.main_lead(), x, atol=1e-3)
    np.testing.assert_allclose(rec.samples[:, 0], 0.5 * x, atol=1e-3)


def test_csv_columns_keep_their_own_units_and_a_column_in_other_units_is_left_out(tmp_path):
    t = np.arange(10 * FS) / FS
    x = np.sin(2 * np.pi * t)
    rows = "\n".join(f"{a:.5f},{b * 1000:.2f},{b:.5f},{120 + b:.3f}"
                     for a, b in zip(t, x, strict=True))
    path = tmp_path / "ecg.csv"
    path.write_text("time,V1 (uV),II,pressure (mmHg)\n" + rows + "\n")

    rec = read_recording(path)

    assert rec.lead_names == ("V1 (uV)", "II") and rec.lead == "II" and rec.fs == FS
    np.testing.assert_allclose(rec.samples[:, 0], x, atol=1e-4)
    np.testing.assert_allclose(rec.samples[:, 1], x, atol=1e-4)


def test_the_stored_form_gives_back_the_same_recording(mitdb, tmp_path):
    rec = read_recording(copy_record(mitdb, "100", tmp_path))

    again = Recording.from_npz(rec.to_npz())

    assert (again.fs, again.lead_names, again.format, again.main) == \
        (rec.fs, rec.lead_names, rec.format, rec.main)
    assert again.samples.dtype == np.float32
    np.testing.assert_array_equal(again.samples, rec.samples)
    assert len(rec.to_npz()) < rec.samples.nbytes  # compressed


def test_the_content_checks_run_on_the_lead_the_model_reads_only(tmp_path):
    x = np.sin(np.arange(10 * FS) / 20)
    path = tmp_path / "flat-v5.edf"
    write_edf(path, [np.zeros_like(x), x], FS, ["V5", "II"])
    assert read_recording(path).lead == "II"

    write_edf(path, [x, np.zeros_like(x)], FS, ["V5", "II"])
    with pytest.raises(InputRejected, match="flat line"):
        read_recording(path)


# --- WFDB headers ----------------------------------------------------------------------------


def _header(nsamp, fmt="212", nsig=2, fs=360):
    lines = [f"rec {nsig} {fs}" + (f" {nsamp}" if nsamp is not None else "")]
    lines += [f"rec.dat {fmt} 200 11 1024 0 0 0 V{i}" for i in range(nsig)]
    return ("\n".join(lines) + "\n").encode()


def test_a_flac_header_claiming_a_huge_signal_is_refused_before_anything_is_read(tmp_path):
    data = _header(1_000_000_000, fmt="516", nsig=12)
    header = wfdbrecord.parse_header("big.hea", data)

    with pytest.raises(InputRejected, match=r"declares 12,000,000,000 samples"):
        wfdbrecord.check_bounds("big.hea", header)

    # The reader refuses it from the header too, before it looks for the signal file: there
    # is none here, and that is not what it complains about.
    (tmp_path / "rec.hea").write_bytes(data)
    with pytest.raises(InputRejected, match="we accept at most"):
        read_recording(tmp_path / "rec.hea")


def test_a_flac_header_must_say_how_long_its_record_is():
    header = wfdbrecord.parse_header("r.hea", _header(None, fmt="508", nsig=1))
    with pytest.raises(InputRejected, match="without stating their length"):
        wfdbrecord.check_bounds("r.hea", header)


def test_a_header_within_the_bounds_passes():
    nsamp = MAX_SAMPLES // 2
    wfdbrecord.check_bounds("r.hea", wfdbrecord.parse_header("r.hea", _header(nsamp, "516")))
    with pytest.raises(InputRejected):
        wfdbrecord.check_bounds("r.hea",
                                wfdbrecord.parse_header("r.hea", _header(nsamp + 1, "516")))


def test_samples_per_frame_count_towards_the_bound():
    data = b"rec 1 360 20000000\nrec.dat 16x4 200 11 1024 0 0 0 ECG\n"
    header = wfdbrecord.parse_header("r.hea", data)
    assert header.values == 80_000_000
    with pytest.raises(InputRejected, match="80,000,000 samples"):
        wfdbrecord.check_bounds("r.hea", header)


def test_a_storage_format_wfdb_cannot_read_is_refused():
    header = wfdbrecord.parse_header("r.hea", _header(3600, fmt="999"))
    with pytest.raises(InputRejected, match="WFDB format 999, which we cannot read"):
        wfdbrecord.check_bounds("r.hea", header)


def test_an_uncompressed_data_file_shorter_than_its_header_says_is_refused():
    header = wfdbrecord.parse_header("r.hea", _header(3600, fmt="16", nsig=2))
    wfdbrecord.check_data_sizes(header, {"rec.dat": 3600 * 2 * 2})
    with pytest.raises(InputRejected, match=r"“rec.dat” is shorter than its header says "
                                            r"\(14.1\xa0KB instead of 14.1\xa0KB\)"):
        wfdbrecord.check_data_sizes(header, {"rec.dat": 3600 * 2 * 2 - 1})


@pytest.mark.parametrize(("data", "words"), [
    (b"rec 2 360 3600\nrec.dat 16\n", "declares 2 signals but describes 1"),
    (b"rec 0 360 3600\nrec.dat 16\n", "declares 0 signals"),
    (b"rec/2 1 360 7200\nseg1 3600\nseg2 3600\n", "multi-segment"),
    (b"rec 1 360 3600\n../etc.dat 16\n", "cannot be uploaded"),
    (b"just some words\nand more\n", "not a valid WFDB header"),
], ids=["incomplete", "no-signals", "multi-segment", "path", "not-a-header"])
def test_damaged_headers_are_refused_with_the_file_named(data, words):
    with pytest.raises(InputRejected, match=words) as refused:
        wfdbrecord.parse_header("r.hea", data)
    assert str(refused.value).startswith("“r.hea”")


# --- EDF headers -----------------------------------------------------------------------------


def _edf_bytes(tmp_path, seconds=10):
    path = tmp_path / "r.edf"
    write_edf(path, [np.sin(np.arange(seconds * FS) / 20)], FS, ["ECG"])
    return path.read_bytes()


def test_an_edf_header_claiming_too_many_samples_is_refused(tmp_path):
    data = bytearray(_edf_bytes(tmp_path))
    data[236:244] = b"99999999"  # data records: 99,999,999 s of 360 samples
    with pytest.raises(InputRejected, match="declares 35,999,999,640 samples"):
        edf.check_bounds("r.edf", bytes(data))


def test_an_edf_file_with_too_many_signals_is_refused(tmp_path):
    data = bytearray(_edf_bytes(tmp_path))
    data[252:256] = b"999 "
    data[184:192] = str(256 * 1000).ljust(8).encode()
    with pytest.raises(InputRejected, match="999 signals"):
        edf.check_bounds("r.edf", bytes(data) + bytes(256 * 999))


def test_an_edf_cut_off_or_not_closed_is_refused_and_a_whole_one_passes(tmp_path):
    data = _edf_bytes(tmp_path)
    edf.check_bounds("r.edf", data)
    with pytest.raises(InputRejected, match="shorter than its header says"):
        edf.check_bounds("r.edf", data[:-2])
    unknown = bytearray(data)
    unknown[236:244] = b"-1      "
    with pytest.raises(InputRejected, match="not closed properly"):
        edf.check_bounds("r.edf", bytes(unknown))


# --- CSV first lines ---------------------------------------------------------------------------


def test_the_csv_check_reads_only_the_first_lines(tmp_path):
    rows = "time,ecg\n" + "".join(f"{i / 250:.4f},0.1\n" for i in range(20000))
    data = rows.encode() + b"this line is far past the first lines and is not a number\n"
    assert len(data) > HEADER_MAX_BYTES
    csvtable.check_head("e.csv", data)  # the reader judges the rest
    (tmp_path / "e.csv").write_bytes(data)
    with pytest.raises(InputRejected, match="numbers are expected"):
        read_recording(tmp_path / "e.csv")


def test_a_short_csv_is_refused_by_its_row_count_and_a_ragged_one_by_its_columns():
    short = b"time,ecg\n" + b"".join(b"%d,0.1\n" % i for i in range(CSV_MIN_ROWS - 1))
    with pytest.raises(InputRejected, match=f"only {CSV_MIN_ROWS - 1} rows of numbers"):
        csvtable.check_head("e.csv", short)
    ragged = b"".join(b"%d,0.1\n" % i for i in range(20)) + b"21,0.1,0.2\n"
    with pytest.raises(InputRejected, match="different numbers of columns"):
        csvtable.check_head("e.csv", ragged)


@pytest.mark.parametrize(("text", "refused"), [
    ("ecg\n" + "0.1\n" * 50, True),                       # one named column
    ("0.1\n" * 50, True),                                 # one bare column
    ("II,V5\n" + "0.1,0.2\n" * 50, True),                 # named leads, no time
    ("".join(f"{(i * 7) % 5},0.1\n" for i in range(50)), True),   # first column not rising
    ("time,II\n" + "".join(f"{i / 360},0.1\n" for i in range(50)), False),
    ("".join(f"{i / 360:.5f},0.1\n" for i in range(50)), False),  # may be times
], ids=["named", "bare", "leads", "not-rising", "time-named", "rising"])
def test_a_csv_without_a_time_column_needs_a_rate(text, refused):
    if refused:
        with pytest.raises(InputRejected, match="“e.csv”: The CSV file has no time column"):
            csvtable.check_head("e.csv", text.encode())
        csvtable.check_head("e.csv", text.encode(), fs=250.0)
    else:
        csvtable.check_head("e.csv", text.encode())


# --- pictures --------------------------------------------------------------------------------


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_picture_check_reads_the_header_only():
    good = _png(Image.new("RGB", (200, 120), "white"))
    # A broken pixel stream between an intact header and end: the header check passes,
    # decoding fails.
    start = good.index(b"IDAT") + 4
    broken = good[:start] + bytes(len(good) - start - 12) + good[-12:]
    picture.check_header("b.png", broken, "png")
    with pytest.raises(InputRejected):
        load_image(broken)


def test_one_pixel_limit_for_the_upload_check_and_the_reader():
    small = _png(Image.new("L", (120, 100), "white"))
    picture.check_header("p.png", small, "png")
    with pytest.raises(InputRejected, match="more than 10,000 pixels"):
        picture.check_header("p.png", small, "png", max_pixels=10_000)
    with pytest.raises(InputRejected, match="too large"):
        load_image(small, max_pixels=10_000)
    assert MAX_PIXELS == 25_000_000


def _png_header_only(width, height):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("data", "words"), [
    (_png_header_only(8000, 8000), "too large an image to open safely"),
    (_png_header_only(8, 8), "too small to show a heartbeat"),
], ids=["bomb", "tiny"])
def test_picture_headers_outside_the_bounds_are_refused(data, words):
    assert sniff(data) == "png"
    with pytest.raises(InputRejected, match=words):
        picture.check_header("p.png", data, "png")


def test_a_colour_mode_we_do_not_read_is_refused():
    buffer = io.BytesIO()
    Image.new("CMYK", (100, 100)).save(buffer, format="JPEG")
    with pytest.raises(InputRejected, match="CMYK colour mode"):
        picture.check_header("p.jpg", buffer.getvalue(), "jpeg")


@pytest.mark.parametrize(("line", "words"), [
    ("rec 1 20 3600", r"“r.hea”: The sampling rate \(20 samples per second\) is not plausible"),
    ("rec 1 50000 3600", r"\(50000 samples per second\) is not plausible"),
    ("rec 1 3..6 3600", "not a number"),
], ids=["low", "high", "garbled"])
def test_a_wfdb_header_with_a_rate_no_ecg_has_is_refused(line, words):
    header = wfdbrecord.parse_header("r.hea", f"{line}\nrec.dat 16 200 11 1024 0 0 0 ECG\n"
                                     .encode())
    with pytest.raises(InputRejected, match=words):
        wfdbrecord.check_bounds("r.hea", header)


def test_a_wfdb_header_without_a_rate_is_taken_at_250_hz():
    header = wfdbrecord.parse_header("r.hea", b"rec 1\nrec.dat 16\n")
    assert header.fs == 250.0
    wfdbrecord.check_bounds("r.hea", header)
