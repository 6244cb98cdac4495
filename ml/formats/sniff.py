"""What a file is, from its first bytes (never from its name).

``sniff(data)`` returns ``"png"``, ``"jpeg"``, ``"gif"``, ``"tiff"``, ``"bmp"`` (pictures),
``"edf"``, ``"wfdb"`` (a WFDB header), ``"csv"`` or None. It looks at no more than
``HEADER_MAX_BYTES``. Archives are not a recording format: the site unpacks them first.
"""
import re

from . import csvmeta
from .limits import CSV_MIN_ROWS, HEADER_MAX_BYTES

PICTURES = ("png", "jpeg", "gif", "tiff", "bmp")
BDF_MAGIC = b"\xffBIOSEMI"


def sniff(data):
    """The kind of file ``data`` (bytes, at least its first HEADER_MAX_BYTES) starts."""
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
    if data[:8] == b"0       " and len(data) >= 256:
        return "edf"
    text = as_text(data[:HEADER_MAX_BYTES])
    if text is None:
        return None
    if wfdb_record_line(text) is not None:
        return "wfdb"
    if _looks_like_csv(text) or csvmeta.layout_of(text):
        return "csv"
    return None


def _looks_like_bmp(data):
    # "BM" alone is too weak a signature; also check the reserved fields and DIB header size.
    if len(data) < 26 or data[:2] != b"BM" or data[6:10] != b"\x00\x00\x00\x00":
        return False
    return int.from_bytes(data[14:18], "little") in (12, 40, 52, 56, 64, 108, 124)


def as_text(data):
    """``data`` decoded as text, or None when it is a binary file."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # Mostly printable, or it is a binary file that happens to hold no NUL byte.
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    return text if printable >= 0.98 * min(len(text), 4096) else None


def content_lines(text):
    """The lines of ``text`` that are neither blank nor ``#`` comments, stripped."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped


# --- WFDB header lines ---------------------------------------------------------------------

RECORD_LINE = re.compile(
    r"^(?P<name>[^\s/#]+)(?:/(?P<nseg>\d+))?\s+(?P<nsig>\d+)(?=\s|$)"
    r"(?:\s+(?P<fs>[0-9.eE+-]+)(?:/[0-9.eE+-]+)?(?:\([^)]*\))?(?=\s|$))?"
    r"(?:\s+(?P<nsamp>\d+)(?=\s|$))?"
)
SIGNAL_LINE = re.compile(r"^(?P<file>\S+)\s+(?P<fmt>\d+)(?P<rest>[x:+]\S*)?(?=\s|$)")
# Data files are named like "100.dat"; requiring an extension keeps whitespace-separated
# integer tables ("12 34") from passing for a header.
_DATA_FILE_NAME = re.compile(r"^[^\s]*\.[A-Za-z][A-Za-z0-9]*$")


def wfdb_record_line(text):
    """The record line of a WFDB header as a regex match, or None when ``text`` is not one."""
    first = next(content_lines(text), None)
    if first is None:
        return None
    match = RECORD_LINE.match(first)
    # A CSV row such as "0.1,0.2" never matches; "time mv" would, so also require a valid
    # signal line to follow.
    if not match or "," in first or ";" in first:
        return None
    if match["nseg"]:
        return match  # a multi-segment header: recognised here, refused by the parser
    lines = list(content_lines(text))
    signal = SIGNAL_LINE.match(lines[1]) if len(lines) > 1 else None
    if not signal or not _DATA_FILE_NAME.match(signal["file"]):
        return None
    return match


# --- CSV rows --------------------------------------------------------------------------------

# A decimal comma is allowed: with ";" as the delimiter "0,125;0,130" is two numbers.
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def split_row(line):
    for sep in (";", "\t", ","):
        if sep in line:
            cells = [cell.strip().strip('"') for cell in line.split(sep)]
            while cells and cells[-1] == "":
                cells.pop()  # a trailing delimiter
            return cells
    return line.split()


def is_numeric_row(cells):
    return all(NUMBER.match(c) for c in cells if c != "")


def _looks_like_csv(text):
    rows = [split_row(line) for line in list(content_lines(text))[:50]]
    numeric = [r for r in rows if r and is_numeric_row(r)]
    return len(numeric) >= min(CSV_MIN_ROWS, max(len(rows) - 1, 1)) and len(numeric) >= 2
