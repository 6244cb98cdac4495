"""Every bad input is refused with its own message. What the upload checks refuse (sizes,
archives, names, headers, first lines) leaves no row and no file behind; what only decoding
shows (a damaged picture, a flat line) comes back from the worker as a failed diagnosis."""
import io
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from diagnosis.models import Diagnosis, DiagnosisFile
from tests.inputs import beat_png, excerpt_record, post_upload, stored_files, upload, write_edf

pytestmark = pytest.mark.django_db


def assert_refused(response, *phrases, media_root, status=400):
    assert response.status_code == status, response.content
    message = response.json()["error"]
    for phrase in phrases:
        assert phrase.lower() in message.lower(), (phrase, message)
    assert not Diagnosis.objects.exists()
    assert not DiagnosisFile.objects.exists()
    assert stored_files(media_root) == []
    return message


def failed_in_the_worker(response, media_root):
    """The message of an upload that was accepted and then failed in the worker, which keeps
    nothing but the uploaded files."""
    from diagnosis.tasks import classify_diagnosis

    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert classify_diagnosis.apply(args=[pk]).get() == "rejected"
    d = Diagnosis.objects.get(pk=pk)
    assert d.status == "failed" and d.label == ""
    assert list(d.files.values_list("role", flat=True)) == ["input"] * len(d.input_files)
    assert stored_files(media_root) == sorted(f.file.name for f in d.files.all())
    return d.error_message


def png_header_only(width, height, mode_byte=0, depth=1):
    """A valid PNG of the given size whose pixels are all zero (compresses to almost nothing)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\x00" * ((width * depth + 7) // 8)
    compressor = zlib.compressobj(9)
    raw = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, depth, mode_byte, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw)
            + chunk(b"IEND", b""))


def zip_of(members, **kwargs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members:
            zf.writestr(name, content, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def record(mitdb, tmp_path):
    header = excerpt_record(mitdb, "100", tmp_path / "rec", seconds=20)
    return header.read_bytes(), header.with_suffix(".dat").read_bytes()


def test_an_empty_file_is_refused(patient_client, media_root):
    response = post_upload(patient_client, [upload("beat.png", b"")])
    assert_refused(response, "“beat.png” is empty", media_root=media_root)


def test_a_file_over_the_size_limit_is_refused(patient_client, media_root, settings):
    settings.ECG_UPLOAD_MAX_BYTES = 1000
    content = beat_png(size=(400, 300))
    assert len(content) > 1000

    response = post_upload(patient_client, [upload("beat.png", content)])

    assert_refused(response, "the limit is 1000", media_root=media_root)


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(patient_client, media_root,
                                                                    settings):
    settings.ECG_UPLOAD_MAX_BYTES = 10
    response = post_upload(patient_client, [upload("big.png", beat_png() * 20000)])
    assert_refused(response, "the limit is 10", media_root=media_root, status=413)


@pytest.mark.parametrize("name,content", [
    ("notes.png", b"Dear doctor, here is my ECG. Kind regards.\n" * 3),
    ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(256))),
    ("beat.jpg", bytes(range(256)) * 8),
])
def test_a_file_that_is_not_an_accepted_type_is_refused_whatever_its_name(
        patient_client, media_root, name, content):
    response = post_upload(patient_client, [upload(name, content)])
    assert_refused(response, f"“{name}” is not a file type we accept", media_root=media_root)


def test_a_decompression_bomb_is_refused(patient_client, media_root):
    bomb = png_header_only(8000, 8000)  # 64 million pixels in a few kB
    assert len(bomb) < 100_000

    response = post_upload(patient_client, [upload("bomb.png", bomb)])

    assert_refused(response, "too large an image to open safely", media_root=media_root)


def test_a_corrupt_image_is_refused(patient_client, media_root):
    good = beat_png()
    corrupt = good[:40] + bytes(200) + good[240:]

    response = post_upload(patient_client, [upload("beat.png", corrupt)])

    assert_refused(response, "damaged", media_root=media_root)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP"])
def test_a_truncated_image_is_refused_at_upload(patient_client, media_root, fmt):
    good = beat_png(size=(600, 400), fmt=fmt)

    response = post_upload(patient_client, [upload("beat.img", good[: len(good) // 2])])

    assert_refused(response, "“beat.img” is incomplete", media_root=media_root)


def test_an_image_in_cmyk_is_refused(patient_client, media_root):
    buffer = io.BytesIO()
    Image.open(io.BytesIO(beat_png())).convert("CMYK").save(buffer, format="JPEG")

    response = post_upload(patient_client, [upload("beat.jpg", buffer.getvalue())])

    assert_refused(response, "CMYK colour mode", media_root=media_root)


def test_a_tiny_image_is_refused(patient_client, media_root):
    response = post_upload(patient_client, [upload("dot.png", beat_png(size=(8, 8)))])
    assert_refused(response, "too small to show a heartbeat", media_root=media_root)


def test_a_header_without_its_data_file_is_refused(patient_client, media_root, record):
    response = post_upload(patient_client, [upload("100x.hea", record[0])])
    assert_refused(response, "is a WFDB header", "100x.dat", media_root=media_root)


def test_a_data_file_without_its_header_is_refused(patient_client, media_root, record):
    response = post_upload(patient_client, [upload("100x.dat", record[1])])
    assert_refused(response, "together with its header", media_root=media_root)


def test_a_header_with_a_data_file_of_another_name_is_refused(patient_client, media_root, record):
    response = post_upload(patient_client, [upload("100x.hea", record[0]),
                                            upload("other.dat", record[1])])
    assert_refused(response, "needs its data file 100x.dat", media_root=media_root)


def test_a_truncated_data_file_is_refused(patient_client, media_root, record):
    response = post_upload(patient_client, [upload("100x.hea", record[0]),
                                            upload("100x.dat", record[1][:5000])])
    assert_refused(response, "shorter than its header says", media_root=media_root)


def test_a_compressed_record_whose_header_claims_a_huge_signal_is_refused(patient_client,
                                                                         media_root):
    # FLAC (format 516) data can decode to far more than its size: the header is the bound.
    header = b"big 12 500 1000000000\n" + b"".join(
        b"big.dat 516 200 16 0 0 0 0 V%d\n" % i for i in range(12))
    response = post_upload(patient_client, [upload("big.hea", header),
                                            upload("big.dat", b"fLaC" + bytes(1000))])
    assert_refused(response, "“big.hea” declares 12,000,000,000 samples", "at most",
                   media_root=media_root)


def test_a_multi_segment_header_is_refused(patient_client, media_root):
    header = b"multi/2 1 360 7200\nseg1 3600\nseg2 3600\n"
    response = post_upload(patient_client, [upload("multi.hea", header),
                                            upload("seg1.dat", b"\x00" * 100)])
    assert_refused(response, "multi-segment", media_root=media_root)


def test_two_files_that_are_not_a_wfdb_record_are_refused(patient_client, media_root):
    response = post_upload(patient_client, [upload("a.png", beat_png()),
                                            upload("b.png", beat_png())])
    assert_refused(response, "must be one WFDB record", media_root=media_root)


def test_a_damaged_zip_is_refused(patient_client, media_root, record):
    archive = zip_of([("100x.hea", record[0]), ("100x.dat", record[1])])
    response = post_upload(patient_client, [upload("r.zip", archive[:-200])])
    assert_refused(response, "damaged", media_root=media_root)


def test_an_empty_zip_is_refused(patient_client, media_root):
    response = post_upload(patient_client, [upload("r.zip", zip_of([]))])
    assert_refused(response, "empty .zip", media_root=media_root)


def test_a_zip_with_unexpected_members_is_refused(patient_client, media_root, record):
    archive = zip_of([("100x.hea", record[0]), ("100x.dat", record[1]),
                      ("notes.txt", b"hello")])
    response = post_upload(patient_client, [upload("r.zip", archive)])
    assert_refused(response, "Unexpected file(s) in the archive: notes.txt", media_root=media_root)


def test_a_zip_with_too_many_members_is_refused(patient_client, media_root, settings):
    archive = zip_of([(f"f{i}.dat", b"x") for i in range(settings.ECG_ZIP_MAX_MEMBERS + 1)])
    response = post_upload(patient_client, [upload("r.zip", archive)])
    assert_refused(response, f"contains {settings.ECG_ZIP_MAX_MEMBERS + 1} files",
                   media_root=media_root)


def test_a_zip_with_folders_is_refused(patient_client, media_root, record):
    archive = zip_of([("rec/100x.hea", record[0]), ("rec/100x.dat", record[1])])
    response = post_upload(patient_client, [upload("r.zip", archive)])
    assert_refused(response, "contains folders", media_root=media_root)


@pytest.mark.parametrize("evil", ["../100x.hea", "/etc/100x.hea", "..\\100x.hea", "C:100x.hea"])
def test_a_zip_with_path_traversal_is_refused(patient_client, media_root, record, evil):
    archive = zip_of([(evil, record[0]), ("100x.dat", record[1])])
    response = post_upload(patient_client, [upload("r.zip", archive)])
    assert_refused(response, "unsafe path", media_root=media_root)


def test_a_zip_bomb_is_refused(patient_client, media_root, settings):
    settings.ECG_ZIP_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    archive = zip_of([("100x.hea", b"100x 1 360 3000000\n100x.dat 16\n"),
                      ("100x.dat", bytes(6_000_000))])
    assert len(archive) < 20_000

    response = post_upload(patient_client, [upload("r.zip", archive)])

    assert_refused(response, "unpacks to more than 1.0\xa0MB", media_root=media_root)


def test_a_zip_whose_directory_understates_the_sizes_is_still_caught(patient_client, media_root,
                                                                   settings):
    settings.ECG_ZIP_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    archive = bytearray(zip_of([("100x.hea", b"100x 1 360\n100x.dat 16\n"),
                                ("100x.dat", bytes(3_000_000))]))
    # Rewrite the declared uncompressed size of the .dat in the central directory to 10 bytes.
    central = archive.rfind(b"PK\x01\x02")
    struct.pack_into("<I", archive, central + 24, 10)

    response = post_upload(patient_client, [upload("r.zip", bytes(archive))])

    assert_refused(response, "“r.zip”", media_root=media_root)


def test_an_edf_that_was_cut_off_is_refused(patient_client, media_root, tmp_path):
    path = tmp_path / "r.edf"
    write_edf(path, [[0.1] * 2500], 250, ["ECG II"])
    edf = path.read_bytes()
    response = post_upload(patient_client, [upload("r.edf", edf[:-600])])
    assert_refused(response, "shorter than its header says", media_root=media_root)


def test_an_edf_with_a_damaged_header_is_refused(patient_client, media_root):
    response = post_upload(patient_client, [upload("r.edf", b"0       " + b"?" * 400)])
    assert_refused(response, "not a valid EDF file", media_root=media_root)


def test_a_csv_with_too_few_rows_is_refused(patient_client, media_root):
    response = post_upload(patient_client, [upload("e.csv", b"time,mv\n0,0.1\n0.004,0.2\n")])
    assert_refused(response, "only 2 rows of numbers", media_root=media_root)


@pytest.mark.slow
def test_a_signal_the_reader_cannot_use_fails_in_the_worker_with_the_readers_message(
        patient_client, media_root):
    flat = "time,II\n" + "\n".join(f"{i / 250:.4f},0.0" for i in range(5000))
    response = post_upload(patient_client, [upload("flat.csv", flat.encode())])
    assert "flat line" in failed_in_the_worker(response, media_root)


def test_a_refusal_without_javascript_shows_the_message_on_the_page(patient_client, media_root):
    response = post_upload(patient_client, [upload("beat.png", b"")], accept_json=False)

    assert response.status_code == 400
    assert "“beat.png” is empty" in response.content.decode()
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []


def test_a_storage_failure_after_some_files_were_written_removes_them(patient_client,
                                                                    media_root, record,
                                                                    monkeypatch):
    from diagnosis import services, storage

    real_save = storage.save_exact
    calls = []

    def save_then_fail(name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(name, content)

    monkeypatch.setattr(services.storage, "save_exact", save_then_fail)
    with pytest.raises(OSError):
        post_upload(patient_client, [upload("100x.hea", record[0]),
                                     upload("100x.dat", record[1])])

    assert len(calls) == 2
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []
