"""Checks on uploaded files, by content: what a file *is* comes from its bytes, not its name.

``check_upload(files)`` takes the files of one upload (one image, one signal file, one .zip,
or a WFDB header with its data files) and returns a ``CheckedUpload`` describing what to
store, or raises ``UploadRejected`` with a message for the person who uploaded it. Nothing is
written anywhere here; storing happens only after every check passed.

File names matter in one place only: a WFDB header names its data files, so the uploaded data
files must carry those names.
"""
import io
import math
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

IMAGE_FORMATS = {
    # our name: (Pillow format, extension, content type)
    "png": ("PNG", "png", "image/png"),
    "jpeg": ("JPEG", "jpg", "image/jpeg"),
    "bmp": ("BMP", "bmp", "image/bmp"),
    "gif": ("GIF", "gif", "image/gif"),
    "tiff": ("TIFF", "tif", "image/tiff"),
}
# RGB, RGBA and grayscale in their various encodings (palette images are colour images).
IMAGE_MODES = {"1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "I", "F",
               "I;16", "I;16B", "I;16L", "I;16N"}
MIN_IMAGE_SIDE = 16
HEADER_MAX_BYTES = 64 * 1024
WFDB_MAX_SIGNALS = 64
# Bits per sample of the WFDB storage formats wfdb reads, for the truncation check.
WFDB_FORMAT_BITS = {"8": 8, "16": 16, "24": 24, "32": 32, "61": 16, "80": 8, "160": 16,
                    "212": 12, "310": 10, "311": 10}
CSV_MIN_ROWS = 10


class UploadRejected(Exception):
    """An upload we refuse; ``str(exc)`` tells the person what is wrong and what to do."""


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

    @property
    def original_name(self):
        return " + ".join(p.original_name for p in self.parts)[:255]

    @property
    def wfdb_header(self):
        return next((p for p in self.parts if p.ext == "hea"), None)


def check_upload(files):
    """Check the files of one upload (Django UploadedFile objects); see the module docstring."""
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
        return check_single(*named[0])
    return check_wfdb(named, source="files")


def display_name(name):
    """The last path component of a client-supplied name, without control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:120] or "file"


def sniff(data):
    """What the bytes are: an image format name, "zip", "edf", "wfdb-header", "csv" or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if _looks_like_bmp(data):
        return "bmp"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:8] == b"0       " and len(data) >= 256:
        return "edf"
    text = _as_text(data[:HEADER_MAX_BYTES])
    if text is None:
        return None
    if _wfdb_record_line(text) is not None:
        return "wfdb-header"
    if _looks_like_csv(text):
        return "csv"
    return None


def check_single(name, data):
    kind = sniff(data)
    if kind in IMAGE_FORMATS:
        return check_image(name, data, kind)
    if kind == "zip":
        return check_wfdb(read_zip(name, data), source="zip")
    if kind == "wfdb-header":
        header = parse_wfdb_header(name, data)
        wanted = ", ".join(sorted(header.data_files))
        raise UploadRejected(
            f"“{name}” is a WFDB header. Its signal is in {wanted}: upload the header together "
            "with its data file (select both files at once, or put them in one .zip)."
        )
    if kind == "edf":
        check_edf(name, data)
        return CheckedUpload("signal", "edf", [Part(data, "edf", "application/octet-stream",
                                                    name)])
    if kind == "csv":
        check_csv(name, data)
        return CheckedUpload("signal", "csv", [Part(data, "csv", "text/csv", name)])
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


# --- Images ------------------------------------------------------------------------------


def check_image(name, data, fmt):
    pil_format, ext, content_type = IMAGE_FORMATS[fmt]
    try:
        # Image.MAX_IMAGE_PIXELS is set from ECG_IMAGE_MAX_PIXELS (apps.py); Pillow only warns
        # between one and two times that limit, so the warning is made an error here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pil_format]) as img:
                img.verify()
            with Image.open(io.BytesIO(data), formats=[pil_format]) as img:
                img.load()
                mode, size = img.mode, img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected(
            f"“{name}” is too large an image to open safely (more than "
            f"{settings.ECG_IMAGE_MAX_PIXELS:,} pixels). A picture of one heartbeat needs only "
            "a few hundred pixels on each side."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        if "truncated" in str(exc).lower():
            raise UploadRejected(
                f"“{name}” is an incomplete image (cut off while copying?). Save or export it "
                "again and upload the new file."
            ) from None
        raise UploadRejected(
            f"“{name}” looks like a {fmt.upper()} image but is damaged and cannot be read. "
            "Save or export it again and upload the new file."
        ) from None
    if mode not in IMAGE_MODES:
        raise UploadRejected(
            f"“{name}” uses the {mode} colour mode. Save it as an RGB or grayscale image."
        )
    if min(size) < MIN_IMAGE_SIDE:
        raise UploadRejected(
            f"“{name}” is only {size[0]}x{size[1]} pixels: too small to show a heartbeat. "
            f"Use at least {MIN_IMAGE_SIDE} pixels on each side."
        )
    return CheckedUpload("image", fmt, [Part(data, ext, content_type, name)])


def _looks_like_bmp(data):
    # "BM" alone is too weak a signature; also check the reserved fields and DIB header size.
    if len(data) < 26 or data[:2] != b"BM" or data[6:10] != b"\x00\x00\x00\x00":
        return False
    return int.from_bytes(data[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)


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

_RECORD_LINE = re.compile(
    r"^(?P<name>[^\s/#]+)(?:/(?P<nseg>\d+))?\s+(?P<nsig>\d+)(?=\s|$)"
    r"(?:\s+(?P<fs>[0-9.eE+-]+)(?:/[0-9.eE+-]+)?(?:\([^)]*\))?(?=\s|$))?"
    r"(?:\s+(?P<nsamp>\d+)(?=\s|$))?"
)
_SIGNAL_LINE = re.compile(r"^(?P<file>\S+)\s+(?P<fmt>\d+)(?P<rest>[x:+]\S*)?(?=\s|$)")
# Data files are named like "100.dat"; requiring an extension keeps whitespace-separated
# integer tables ("12 34") from passing for a header.
_DATA_FILE_NAME = re.compile(r"^[^\s]*\.[A-Za-z][A-Za-z0-9]*$")


@dataclass
class WfdbHeader:
    name: str
    text: str
    nsig: int
    nsamp: int | None
    signals: list  # [(file name, format, byte offset)]

    @property
    def data_files(self):
        return {file_name for file_name, _, _ in self.signals}


def _as_text(data):
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # Mostly printable, or it is a binary file that happens to hold no NUL byte.
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    return text if printable >= 0.98 * min(len(text), 4096) else None


def _content_lines(text):
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped


def _wfdb_record_line(text):
    first = next(_content_lines(text), None)
    if first is None:
        return None
    match = _RECORD_LINE.match(first)
    # A CSV row such as "0.1,0.2" never matches; "time mv" would, so also require a valid
    # signal line to follow.
    if not match or "," in first or ";" in first:
        return None
    if match["nseg"]:
        return match  # a multi-segment header: recognised here, refused by the parser
    lines = list(_content_lines(text))
    signal = _SIGNAL_LINE.match(lines[1]) if len(lines) > 1 else None
    if not signal or not _DATA_FILE_NAME.match(signal["file"]):
        return None
    return match


def parse_wfdb_header(name, data):
    text = _as_text(data[:HEADER_MAX_BYTES]) if len(data) <= HEADER_MAX_BYTES else None
    match = _wfdb_record_line(text) if text else None
    if match is None:
        raise UploadRejected(f"“{name}” is not a valid WFDB header (.hea) file.")
    if match["nseg"]:
        raise UploadRejected(
            f"“{name}” describes a multi-segment record, which we do not accept. Convert it to "
            "a single-segment record (for example with wfdb's wfdb.rdrecord + wrsamp)."
        )
    nsig = int(match["nsig"])
    if not 1 <= nsig <= WFDB_MAX_SIGNALS:
        raise UploadRejected(f"“{name}” declares {nsig} signals; a record needs 1 to "
                             f"{WFDB_MAX_SIGNALS}.")
    signal_lines = list(_content_lines(text))[1:1 + nsig]
    signals = []
    for line in signal_lines:
        sig = _SIGNAL_LINE.match(line)
        if not sig:
            break
        file_name = sig["file"]
        if file_name in ("~", "-") or re.search(r"[\\/]", file_name) or file_name in (".", ".."):
            raise UploadRejected(
                f"“{name}” refers to the data file “{file_name}”, which cannot be uploaded. "
                "The data file must sit beside the header under a plain name."
            )
        offset = re.search(r"\+(\d+)", sig["rest"] or "")
        signals.append((file_name, sig["fmt"], int(offset[1]) if offset else 0))
    if len(signals) != nsig:
        raise UploadRejected(
            f"“{name}” declares {nsig} signals but describes {len(signals)}: the header is "
            "incomplete or damaged."
        )
    nsamp = int(match["nsamp"]) if match["nsamp"] else None
    return WfdbHeader(match["name"], text, nsig, nsamp, signals)


def check_wfdb(named, source):
    """``named``: [(name, bytes)] that must be exactly one WFDB header and its data files."""
    where = "in the archive" if source == "zip" else "together"
    names = [n for n, _ in named]
    if len(set(names)) != len(names):
        raise UploadRejected(f"Two files {where} have the same name; upload each file once.")
    headers = [(n, d) for n, d in named if sniff(d) == "wfdb-header"]
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
    header = parse_wfdb_header(header_name, header_data)
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
    _check_data_sizes(header, others)
    parts = [Part(header_data, "hea", "text/plain", header_name)]
    for file_name in sorted(header.data_files):
        parts.append(Part(others[file_name], "dat", "application/octet-stream", file_name,
                          wfdb_name=file_name))
    return CheckedUpload("signal", "wfdb", parts)


def _check_data_sizes(header, data_by_name):
    if header.nsamp is None:
        return
    for file_name in header.data_files:
        specs = [(fmt, off) for f, fmt, off in header.signals if f == file_name]
        bits = [WFDB_FORMAT_BITS.get(fmt) for fmt, _ in specs]
        if None in bits:
            continue  # a format we cannot size; the signal reader decides
        needed = max(off for _, off in specs) + math.ceil(header.nsamp * sum(bits) / 8)
        have = len(data_by_name[file_name])
        if have < needed:
            raise UploadRejected(
                f"“{file_name}” is shorter than its header says ({filesizeformat(have)} instead "
                f"of {filesizeformat(needed)}): it was probably cut off. Copy it again."
            )


# --- EDF and CSV ---------------------------------------------------------------------------


def check_edf(name, data):
    def number(start, end, cast):
        try:
            return cast(data[start:end].decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            raise UploadRejected(f"“{name}” is not a valid EDF file (damaged header).") from None

    header_bytes = number(184, 192, int)
    n_records = number(236, 244, int)
    ns = number(252, 256, int)
    if ns < 1 or header_bytes != 256 * (ns + 1) or len(data) < header_bytes:
        raise UploadRejected(f"“{name}” is not a valid EDF file (damaged header).")
    if n_records < 1:
        raise UploadRejected(
            f"“{name}” is an EDF file that was not closed properly (its number of data records "
            "is unknown). Export it again from the recording software."
        )
    base = 256 + ns * 216
    per_record = sum(number(base + 8 * i, base + 8 * (i + 1), int) for i in range(ns))
    needed = header_bytes + n_records * per_record * 2
    if len(data) < needed:
        raise UploadRejected(
            f"“{name}” is shorter than its header says ({filesizeformat(len(data))} instead of "
            f"{filesizeformat(needed)}): it was probably cut off. Copy it again."
        )


# A decimal comma is allowed: with ";" as the delimiter "0,125;0,130" is two numbers.
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def _split_row(line):
    for sep in (";", "\t", ","):
        if sep in line:
            cells = [cell.strip().strip('"') for cell in line.split(sep)]
            while cells and cells[-1] == "":
                cells.pop()  # a trailing delimiter
            return cells
    return line.split()


def _looks_like_csv(text):
    rows = [_split_row(line) for line in list(_content_lines(text))[:50]]
    numeric = [r for r in rows if r and all(_NUMBER.match(c) for c in r if c != "")]
    return len(numeric) >= min(CSV_MIN_ROWS, max(len(rows) - 1, 1)) and len(numeric) >= 2


def check_csv(name, data):
    text = _as_text(data)
    if text is None:
        raise UploadRejected(f"“{name}” is not a text CSV file.")
    rows = [_split_row(line) for line in _content_lines(text)]
    numeric = [r for r in rows if all(_NUMBER.match(c) for c in r if c != "")]
    if len(numeric) < CSV_MIN_ROWS:
        raise UploadRejected(
            f"“{name}” has only {len(numeric)} rows of numbers; an ECG signal has many "
            "thousands (one row per sample)."
        )
    widths = {len(r) for r in numeric}
    if len(widths) > 1:
        raise UploadRejected(
            f"“{name}” has rows with different numbers of columns; every row needs the same "
            "columns."
        )


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
            nsig = int(_RECORD_LINE.match(stripped)["nsig"])
            out.append(indent + record_name + rest)
        elif content_index <= nsig:
            out.append(indent + data_names[first] + rest)
        else:
            out.append(line)
        content_index += 1
    return "".join(out)
