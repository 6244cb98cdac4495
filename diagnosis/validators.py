"""Checks on uploaded files as web uploads: what a file *is* comes from its bytes, not its name.

``check_upload(files, fs=None)`` takes the files of one upload (one image, one signal file, one
.zip, or a WFDB header with its data files) and returns a ``CheckedUpload`` describing what to
store, or raises ``UploadRejected`` with a message for the person who uploaded it. Nothing is
written anywhere here; storing happens only after every check passed.

What is about the upload lives here: sizes, unpacking a .zip safely, file names, pairing a
WFDB header with its data files and renaming them for storage. What is about a format (its
signature, header, bounds and content) belongs to ``ml.formats``: only its cheap checks run
here, on headers and first lines; the recording itself is decoded once, by the worker.

File names matter in one place only: a WFDB header names its data files, so the uploaded data
files must carry those names.
"""
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from ecgsite.uploads import max_request_bytes
from ml.errors import InputRejected
from ml.formats import PICTURES, csvtable, edf, picture, sniff, wfdbrecord
from ml.formats.sniff import RECORD_LINE

# How a picture is stored: (extension, content type).
STORED_PICTURES = {
    "png": ("png", "image/png"),
    "jpeg": ("jpg", "image/jpeg"),
    "bmp": ("bmp", "image/bmp"),
    "gif": ("gif", "image/gif"),
    "tiff": ("tif", "image/tiff"),
}


class UploadRejected(Exception):
    """An upload we refuse; ``str(exc)`` tells the person what is wrong and what to do."""

    status = 400


class UploadLimited(UploadRejected):
    """An upload over the person's rate limit or quota: try again later (HTTP 429)."""

    status = 429


@dataclass
class Part:
    """One file to store."""

    content: bytes
    ext: str
    content_type: str
    original_name: str
    # For WFDB records: the name the header uses for this data file (None for the header).
    wfdb_name: str | None = None


@dataclass
class CheckedUpload:
    kind: str  # Diagnosis.Kind value
    input_format: str
    parts: list[Part] = field(default_factory=list)
    # A CSV file that does not give its sampling rate, checked with ``rate_later``: it is
    # kept and its owner is asked for the rate (Diagnosis.Status.NEEDS_RATE).
    needs_rate: bool = False

    @property
    def original_name(self):
        return " + ".join(p.original_name for p in self.parts)[:255]

    @property
    def wfdb_header(self):
        return next((p for p in self.parts if p.ext == "hea"), None)

    def content_hash(self, fs=None, seconds_shown=None):
        """SHA-256 over the files' contents (in order), the sampling rate given and, when one
        was given, a picture's time span (the same picture with another span reads otherwise;
        without one the hash is what it always was)."""
        extra = "" if seconds_shown is None else f"|{seconds_shown!r}"
        digest = hashlib.sha256(f"{self.input_format}|{fs}{extra}".encode())
        for part in self.parts:
            digest.update(hashlib.sha256(part.content).digest())
        return digest.hexdigest()


def check_upload(files, fs=None, rate_later=False):
    """Check the files of one upload (Django UploadedFile objects); see the module docstring.
    ``fs`` is the sampling rate given with the upload (for a CSV file without times). Without
    it such a file is refused, unless ``rate_later``: then it passes with ``needs_rate`` set
    (the upload page asks for the rate once the file is kept)."""
    if not files:
        raise UploadRejected("Choose a file to upload.")
    limit = settings.ECG_UPLOAD_MAX_BYTES
    named = []
    for f in files:
        name = display_name(f.name)
        if f.size == 0:
            raise UploadRejected(f"“{name}” is empty (0 bytes). Choose the file again.")
        if f.size > limit:
            raise UploadRejected(
                f"“{name}” is {filesizeformat(f.size)}; the limit is {filesizeformat(limit)}."
            )
        f.seek(0)
        named.append((name, f.read()))
    if len(named) == 1:
        return check_single(*named[0], fs=fs, rate_later=rate_later)
    return check_wfdb(named, source="files")


def request_too_large(content_length):
    """The message refusing a request body of ``content_length`` bytes (the header's value),
    or None. Checked before the body is read: one upload may carry a WFDB header and its data
    files, so up to twice the per-file limit plus room for the form's other fields."""
    limit = max_request_bytes()
    try:
        length = int(content_length or 0)
    except ValueError:
        length = 0
    if length <= limit:
        return None
    return (f"This upload is {filesizeformat(length)}; the limit is "
            f"{filesizeformat(settings.ECG_UPLOAD_MAX_BYTES)} per file.")


def display_name(name):
    """The last path component of a client-supplied name, without control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:120] or "file"


def kind_of(data):
    """What the bytes are: a picture format, "zip", "edf", "wfdb", "csv" or None."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return sniff(data)


def _format_check(check, *args):
    """Run one of ml.formats' cheap checks; its refusal becomes the upload's."""
    try:
        return check(*args)
    except InputRejected as exc:
        raise UploadRejected(str(exc)) from None


def check_single(name, data, fs=None, rate_later=False):
    kind = kind_of(data)
    if kind in PICTURES:
        _format_check(picture.check_header, name, data, kind, settings.ECG_IMAGE_MAX_PIXELS)
        ext, content_type = STORED_PICTURES[kind]
        return CheckedUpload("image", kind, [Part(data, ext, content_type, name)])
    if kind == "zip":
        return check_wfdb(read_zip(name, data), source="zip")
    if kind == "wfdb":
        header = _format_check(wfdbrecord.parse_header, name, data)
        wanted = ", ".join(sorted(header.data_files))
        raise UploadRejected(
            f"“{name}” is a WFDB header. Its signal is in {wanted}: upload the header together "
            "with its data file (select both files at once, or put them in one .zip)."
        )
    if kind == "edf":
        _format_check(edf.check_bounds, name, data)
        return CheckedUpload("signal", "edf", [Part(data, "edf", "application/octet-stream",
                                                    name)])
    if kind == "csv":
        _format_check(partial(csvtable.check_head, rate_later=rate_later), name, data, fs)
        return CheckedUpload("signal", "csv", [Part(data, "csv", "text/csv", name)],
                             needs_rate=fs is None and csvtable.needs_rate(data))
    if name.lower().endswith(".dat"):
        raise UploadRejected(
            f"“{name}” looks like a WFDB data file on its own. Upload it together with its "
            "header (.hea): select both files at once, or put them in one .zip."
        )
    raise UploadRejected(
        f"“{name}” is not a file type we accept (whatever its name says). Upload a picture of "
        "one heartbeat (PNG, JPEG, BMP, GIF or TIFF) or an ECG signal (WFDB .hea with its "
        ".dat, a .zip of them, CSV or EDF)."
    )


# --- Archives ----------------------------------------------------------------------------


def read_zip(name, data):
    """The members of a .zip as [(name, bytes)], refusing anything but a flat, small archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UploadRejected(f"“{name}” is a damaged .zip archive.") from None
    with archive:
        infos = archive.infolist()
        if not infos:
            raise UploadRejected(f"“{name}” is an empty .zip archive.")
        if len(infos) > settings.ECG_ZIP_MAX_MEMBERS:
            raise UploadRejected(
                f"“{name}” contains {len(infos)} files; a record needs only its .hea and .dat "
                f"files (at most {settings.ECG_ZIP_MAX_MEMBERS})."
            )
        for info in infos:
            _check_member_name(name, info)
        limit = settings.ECG_ZIP_MAX_UNCOMPRESSED_BYTES
        if sum(info.file_size for info in infos) > limit:
            raise _zip_too_large(name, limit)
        members, total = [], 0
        for info in infos:
            # The sizes in the archive's directory can lie: count what really comes out.
            chunks = []
            try:
                with archive.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise _zip_too_large(name, limit)
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
                raise UploadRejected(
                    f"“{name}” is a damaged or unsupported .zip archive (“{info.filename}” "
                    "cannot be extracted)."
                ) from None
            content = b"".join(chunks)
            if not content:
                raise UploadRejected(f"“{info.filename}” in “{name}” is empty.")
            members.append((info.filename, content))
    return members


def _check_member_name(zip_name, info):
    member = info.filename
    parts = re.split(r"[\\/]", member)
    if member.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", member):
        raise UploadRejected(
            f"“{zip_name}” contains a file with an unsafe path (“{member}”). Put only the "
            "record's .hea and .dat files in the archive."
        )
    if info.is_dir() or len(parts) > 1:
        raise UploadRejected(
            f"“{zip_name}” contains folders (“{member}”). Put the record's .hea and .dat files "
            "directly in the archive, not inside a folder."
        )
    if info.flag_bits & 0x1:
        raise UploadRejected(f"“{zip_name}” is password-protected. Upload it without a password.")
    if (info.external_attr >> 16) & 0o170000 == 0o120000:
        raise UploadRejected(f"“{zip_name}” contains a link (“{member}”); links are not accepted.")


def _zip_too_large(name, limit):
    return UploadRejected(
        f"“{name}” unpacks to more than {filesizeformat(limit)}. That is far more than an ECG "
        "record; upload the record's files without the archive or a shorter record."
    )


# --- WFDB records --------------------------------------------------------------------------

def check_wfdb(named, source):
    """``named``: [(name, bytes)] that must be exactly one WFDB header and its data files."""
    where = "in the archive" if source == "zip" else "together"
    names = [n for n, _ in named]
    if len(set(names)) != len(names):
        raise UploadRejected(f"Two files {where} have the same name; upload each file once.")
    headers = [(n, d) for n, d in named if kind_of(d) == "wfdb"]
    if len(headers) != 1:
        names = ", ".join(f"“{n}”" for n, _ in named)
        if not headers:
            raise UploadRejected(
                f"Files uploaded {where} ({names}) must be one WFDB record: a .hea header and "
                "its .dat file. None of them is a WFDB header."
            )
        raise UploadRejected(
            f"Files uploaded {where} ({names}) contain {len(headers)} WFDB headers; upload one "
            "record at a time."
        )
    header_name, header_data = headers[0]
    header = _format_check(wfdbrecord.parse_header, header_name, header_data)
    _format_check(wfdbrecord.check_bounds, header_name, header)
    others = {n: d for n, d in named if n != header_name}
    missing = sorted(header.data_files - others.keys())
    if missing:
        raise UploadRejected(
            f"“{header_name}” needs its data file {', '.join(missing)}, which is missing. "
            "Upload the .hea and the .dat together (or as one .zip)."
        )
    unexpected = sorted(others.keys() - header.data_files)
    if unexpected:
        wanted = ", ".join(sorted(header.data_files))
        raise UploadRejected(
            f"Unexpected file(s) {where}: {', '.join(unexpected)}. Only the header "
            f"“{header_name}” and the data file(s) it names ({wanted}) belong to this record."
        )
    _format_check(wfdbrecord.check_data_sizes, header,
                  {n: len(d) for n, d in others.items()})
    parts = [Part(header_data, "hea", "text/plain", header_name)]
    for file_name in sorted(header.data_files):
        parts.append(Part(others[file_name], "dat", "application/octet-stream", file_name,
                          wfdb_name=file_name))
    return CheckedUpload("signal", "wfdb", parts)


def rewrite_wfdb_header(text, record_name, data_names):
    """``text`` with the record renamed and its data files renamed by ``data_names``.

    Stored files get random names, and a WFDB header names its record and data files, so
    the stored header must use the new names. Everything else (gains, baselines, units,
    comments, line endings) is kept byte for byte.
    """
    out, content_index, nsig = [], 0, 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            out.append(line)
            continue
        indent, first, rest = re.match(r"^(\s*)(\S+)(.*)$", line, re.S).groups()
        if content_index == 0:
            nsig = int(RECORD_LINE.match(stripped)["nsig"])
            out.append(indent + record_name + rest)
        elif content_index <= nsig:
            out.append(indent + data_names[first] + rest)
        else:
            out.append(line)
        content_index += 1
    return "".join(out)
