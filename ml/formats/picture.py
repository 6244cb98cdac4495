"""Pictures of one heartbeat: PNG, JPEG, BMP, GIF or TIFF, read safely with Pillow.

``check_header`` opens the picture's header only (format, size, colour mode; nothing is
decoded) and checks that the file ends where the picture does, for the upload;
``load_image`` decodes it. Both refuse pictures of more than
``max_pixels`` (``limits.MAX_PIXELS`` unless the caller sets its own): Pillow would otherwise
decompress a few kilobytes into gigabytes.
"""
import io
import warnings
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

from ..errors import InputRejected
from .limits import MAX_PIXELS, MIN_SIDE, PICTURE_MAX_SECONDS, PICTURE_MIN_SECONDS

# sniff's names -> Pillow's format names.
PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "bmp": "BMP", "gif": "GIF", "tiff": "TIFF"}
# RGB, RGBA and grayscale in their various encodings (palette images are colour images).
MODES = {"1", "L", "LA", "La", "P", "PA", "RGB", "RGBA", "RGBa", "RGBX", "I", "F",
         "I;16", "I;16B", "I;16L", "I;16N"}

NOT_AN_IMAGE = (
    "This file is not an image we can read. Upload a PNG, JPEG, BMP, GIF or TIFF picture of "
    "one heartbeat, or an ECG signal file."
)


SECONDS_RANGE = (
    f"a picture of one heartbeat shows {PICTURE_MIN_SECONDS:g} to {PICTURE_MAX_SECONDS:g} "
    "seconds from the trace's left end to its right end"
)


def check_seconds(seconds):
    """The time span a person gave with a picture, as a float; InputRejected saying the range
    otherwise. Refused, not ignored: whoever typed it would otherwise get a reading they
    believe used it."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        raise InputRejected(f"The time span shown must be a number of seconds: {SECONDS_RANGE}."
                            ) from None
    if not PICTURE_MIN_SECONDS <= value <= PICTURE_MAX_SECONDS:  # also refuses NaN
        raise InputRejected(f"A time span of {value:g} seconds cannot be used: {SECONDS_RANGE}. "
                            "Leave it empty if you do not know it.")
    return value


def _too_large(name, max_pixels):
    return InputRejected(
        f"“{name}” is too large an image to open safely (more than {max_pixels:,} pixels). A "
        "picture of one heartbeat needs only a few hundred pixels on each side."
    )


def check_header(name, data, fmt, max_pixels=MAX_PIXELS):
    """Refuse, from its header, a picture (bytes ``data`` of sniffed format ``fmt``) that is
    damaged at the start, too large, too small or in a colour mode we do not read."""
    try:
        # Pillow warns between one and two times its own pixel limit: an error here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[fmt]]) as img:
                mode, size = img.mode, img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(name, max_pixels) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError):
        raise InputRejected(
            f"“{name}” looks like a {fmt.upper()} image but is damaged and cannot be read. "
            "Save or export it again and upload the new file."
        ) from None
    if size[0] * size[1] > max_pixels:
        raise _too_large(name, max_pixels)
    _check_complete(name, data, fmt)
    if mode not in MODES:
        raise InputRejected(
            f"“{name}” uses the {mode} colour mode. Save it as an RGB or grayscale image."
        )
    if min(size) < MIN_SIDE:
        raise InputRejected(
            f"“{name}” is only {size[0]}x{size[1]} pixels: too small to show a heartbeat. "
            f"Use at least {MIN_SIDE} pixels on each side."
        )


PNG_END = b"IEND\xaeB`\x82"


def _check_complete(name, data, fmt):
    """Refuse, from its bytes (nothing is decoded), a picture that stops before its end or
    that goes on after it (a second file appended: a polyglot)."""
    cut = InputRejected(
        f"“{name}” is incomplete: the picture stops before its end (it may have been cut off "
        "while copying). Save or export it again and upload the new file."
    )
    if fmt == "png":
        end = data.rfind(PNG_END)
        if end < 0:
            raise cut
        if end + len(PNG_END) != len(data):
            raise InputRejected(
                f"“{name}” holds other data after the end of the picture (two files in one?). "
                "Save or export the picture again and upload the new file."
            )
    elif fmt == "jpeg" and data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda"):
        raise cut  # no end-of-image marker after the last scan
    elif fmt == "gif" and not data.rstrip(b"\x00").endswith(b";"):
        raise cut
    elif fmt == "bmp" and int.from_bytes(data[2:6], "little") > len(data):
        raise cut


def load_image(source, max_pixels=MAX_PIXELS):
    """Open ``source`` (a path, bytes or a binary file object) as a fully decoded PIL image.

    Raises InputRejected for files that are not images, truncated images and images so large
    that decoding them could exhaust memory.
    """
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    elif isinstance(source, str | Path):
        source = Path(source)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as img:
                if img.width * img.height > max_pixels:
                    raise InputRejected(
                        f"This image is too large ({img.width}x{img.height} pixels). A picture "
                        "of one heartbeat needs only a few hundred pixels on each side."
                    )
                img.load()
                if getattr(img, "n_frames", 1) > 1:
                    img.seek(0)
                image = img.copy()
    except InputRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputRejected(
            "This image is too large to open safely. Upload a smaller picture of one heartbeat."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        if "truncated" in str(exc).lower():
            raise InputRejected(
                "This image file is incomplete (it may have been cut off while copying). "
                "Save or export it again and upload the new file."
            ) from None
        raise InputRejected(NOT_AN_IMAGE) from None
    if min(image.size) < MIN_SIDE:
        raise InputRejected(
            f"This image is too small ({image.width}x{image.height} pixels) to show a heartbeat."
        )
    return image
