"""A corpus of hostile uploads: each is refused at upload with a clear message, and leaves no
row and no file behind (nor a temporary file: bodies are kept in memory, ecgsite.uploads)."""
import io
import struct
import zipfile

import pytest

from tests.diagnosis.test_upload_refusals import assert_refused, png_header_only, zip_of
from tests.inputs import beat_png, post_upload, upload, write_edf

pytestmark = pytest.mark.django_db

HEADER = b"rec 1 360 7200\nrec.dat 16 200 16 0 0 0 0 MLII\n"


def png_claiming(width, height):
    """A real PNG whose header claims other dimensions (CRC fixed up)."""
    import zlib

    data = bytearray(beat_png())
    struct.pack_into(">II", data, 16, width, height)
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF)
    return bytes(data)


def members(count):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(count):
            zf.writestr(f"f{i}.dat", b"x")
    return buffer.getvalue()


def csv_rows(rows, bad=None, at=50):
    lines = ["time,II"] + [f"{i / 360:.5f},0.1" for i in range(rows)]
    if bad is not None:
        lines[at] = f"{at / 360:.5f},{bad}"
    return ("\n".join(lines) + "\n").encode()


def edf_file(tmp_path):
    path = tmp_path / "r.edf"
    write_edf(path, [[0.1] * 2500], 250, ["ECG II"])
    return path.read_bytes()


CORPUS = {
    "decompression bomb": (lambda t: [upload("bomb.png", png_header_only(8000, 8000))],
                           "too large an image to open safely"),
    "huge dimensions": (lambda t: [upload("wide.png", png_claiming(2**30, 2**30))],
                        "too large an image"),
    "truncated picture": (lambda t: [upload("cut.png", beat_png()[:400])], "incomplete"),
    "picture with a zip appended": (
        lambda t: [upload("poly.png", beat_png() + zip_of([("a.txt", b"x")]))],
        "other data after the end of the picture"),
    "zip with a picture appended": (
        lambda t: [upload("poly.zip", zip_of([("a.hea", HEADER)]) + beat_png())],
        "needs its data file"),
    "HTML renamed as a picture": (
        lambda t: [upload("x.png", b"<!doctype html><script>alert(1)</script>" * 3)],
        "not a file type we accept"),
    "SVG renamed as a picture": (
        lambda t: [upload("x.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" '
                                   b'onload="alert(1)"><rect/></svg>')],
        "not a file type we accept"),
    "JavaScript renamed as a picture": (
        lambda t: [upload("x.gif", b"alert(document.cookie);\n" * 10)],
        "not a file type we accept"),
    "GIF header with script after it": (
        lambda t: [upload("x.gif", b"GIF89a/*\x10\x00\x10\x00*/=alert(1);//")],
        "“x.gif”"),
    "zip bomb": (lambda t: [upload("b.zip", zip_of([("rec.hea", HEADER),
                                                     ("rec.dat", bytes(60_000_000))]))],
                 "unpacks to more than"),
    "zip with ../ names": (lambda t: [upload("t.zip", zip_of([("../rec.hea", HEADER),
                                                               ("rec.dat", bytes(14400))]))],
                           "unsafe path"),
    "1,000-member zip": (lambda t: [upload("m.zip", members(1000))], "contains 1000 files"),
    "empty file": (lambda t: [upload("e.png", b"")], "is empty"),
    "WFDB header claiming 64 signals": (
        lambda t: [upload("rec.hea", b"rec 64 360 650000\n" + b"".join(
            b"rec.dat 16 200 16 0 0 0 0 V%d\n" % i for i in range(64))),
            upload("rec.dat", bytes(1000))],
        "declares 41,600,000 samples"),
    "WFDB header claiming 10^9 samples": (
        lambda t: [upload("rec.hea", b"rec 1 360 1000000000\nrec.dat 16 200 16 0 0 0 0 II\n"),
                   upload("rec.dat", bytes(1000))],
        "declares 1,000,000,000 samples"),
    "WFDB header with a rate of 1e12": (
        lambda t: [upload("rec.hea", b"rec 1 1e12 7200\nrec.dat 16 200 16 0 0 0 0 II\n"),
                   upload("rec.dat", bytes(14400))],
        "sampling rate"),
    "WFDB header with a rate of nan": (
        lambda t: [upload("rec.hea", b"rec 1 nan 7200\nrec.dat 16 200 16 0 0 0 0 II\n"),
                   upload("rec.dat", bytes(14400))],
        "“rec.hea”"),
    ".dat shorter than its header": (
        lambda t: [upload("rec.hea", HEADER), upload("rec.dat", bytes(1000))],
        "shorter than its header says"),
    "CSV with NaN": (lambda t: [upload("n.csv", csv_rows(3000, "nan"))], "“nan”"),
    "CSV with inf": (lambda t: [upload("i.csv", csv_rows(3000, "inf"))], "“inf”"),
    "CSV with text": (lambda t: [upload("t.csv", csv_rows(3000, "lead off"))], "“lead off”"),
    "CSV with 10 million rows": (lambda t: [upload("l.csv", b"0\n" * 10_000_000)],
                                 "more than 3,600,000 rows"),
    "malformed EDF": (lambda t: [upload("r.edf", b"0       " + b"?" * 400)],
                      "not a valid EDF file"),
    "EDF cut short": (lambda t: [upload("r.edf", edf_file(t)[:-600])],
                      "shorter than its header says"),
}


@pytest.mark.parametrize("case", CORPUS)
def test_a_hostile_upload_is_refused_and_leaves_nothing(patient_client, media_root, tmp_path,
                                                        settings, case):
    settings.ECG_ZIP_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
    files, phrase = CORPUS[case]

    response = post_upload(patient_client, files(tmp_path), sampling_rate="")

    message = assert_refused(response, phrase, media_root=media_root)
    if case.startswith("WFDB"):
        assert "CSV" not in message  # a damaged header is told as one, not as a CSV file
