"""One reader per upload format: sniffing, header bounds, decoding and content checks.

- ``sniff(data)``: what the bytes are (a picture format, ``"edf"``, ``"wfdb"``, ``"csv"``).
- cheap checks on headers and first lines, run before anything is decoded (the site calls
  them while the upload request is open): ``wfdbrecord.parse_header``/``check_bounds``/
  ``check_data_sizes``, ``edf.check_bounds``, ``csvtable.check_head``,
  ``picture.check_header``. Their messages name the file. ``check_seconds``: the time span a
  person may give with a picture.
- leads that arrive as numbers (the API's JSON body): ``arrays.from_leads`` -> ``Recording``.
- decoding, done once (by the worker): ``read_recording`` -> ``Recording`` (every lead, mV),
  ``read_signal`` -> the one lead the model reads, ``load_image`` -> a PIL image.
- ``check_usable``: the content checks every recording's main lead passes.
"""
from . import arrays, csvtable, edf, picture, wfdbrecord
from .limits import (
    MAX_FS,
    MAX_PIXELS,
    MIN_FS,
    MIN_SECONDS,
    PICTURE_MAX_SECONDS,
    PICTURE_MIN_SECONDS,
)
from .picture import check_seconds, load_image
from .reader import read_recording, read_signal
from .recording import Recording, Signal, check_usable, choose_lead, unit_scale
from .sniff import PICTURES, sniff

__all__ = [
    "MAX_FS", "MAX_PIXELS", "MIN_FS", "MIN_SECONDS", "PICTURES", "PICTURE_MAX_SECONDS",
    "PICTURE_MIN_SECONDS", "Recording", "Signal", "arrays", "check_seconds", "check_usable",
    "choose_lead", "csvtable", "edf", "load_image", "picture", "read_recording", "read_signal",
    "sniff", "unit_scale", "wfdbrecord",
]
