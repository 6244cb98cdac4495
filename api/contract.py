"""The input contract as the schema states it: formats, units, rates and limits, worded from
the numbers the checks use (ml.formats.limits and the settings), never typed twice."""
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from ml.formats import limits
from ml.registry import CLASSES

_rate = f"{limits.MIN_FS:g} to {limits.MAX_FS:g} Hz"
_size = filesizeformat(settings.ECG_UPLOAD_MAX_BYTES)
_unzipped = filesizeformat(settings.ECG_ZIP_MAX_UNCOMPRESSED_BYTES)

FILES = (
    "One upload: a picture of one heartbeat (PNG, JPEG, BMP, GIF or TIFF; "
    f"{limits.MIN_SIDE} px a side to {limits.MAX_PIXELS:,} pixels; RGB, grey or palette), or a "
    "recorded ECG: a WFDB record (the .hea header together with its .dat data file(s), as "
    f"two parts named as the header names them, or one .zip of them: at most "
    f"{settings.ECG_ZIP_MAX_MEMBERS} files, {_unzipped}"
    " unpacked), a CSV file (a time column in s or ms, or give sampling_rate; values in mV "
    "unless a column name states uV or V) or a 16-bit EDF/EDF+ file. The type is read from "
    f"the content, not the name. At most {_size} per file; sampling rate {_rate}; at least "
    f"{limits.MIN_SECONDS:g} s of signal; at most {limits.MAX_SAMPLES:,} samples (all leads "
    "together)."
)
SECONDS_SHOWN = (
    "Optional, pictures only (ignored for recordings): the time the picture's trace spans from "
    f"its left end to its right end, in seconds ({limits.PICTURE_MIN_SECONDS:g} to "
    f"{limits.PICTURE_MAX_SECONDS:g}), when you know it, e.g. 0.8 for a beat plotted over 0.8 s."
    " The picture is then read at that time scale instead of one judged from the beat's shape."
    " Leave it out if you do not know it."
)
SAMPLING_RATE_CSV = f"Samples per second, for a CSV file without a time column ({_rate})."
SAMPLING_RATE = f"Samples per second of every lead ({_rate})."
LEAD_NAME = ("The lead's name (II, MLII, V1...): the model reads MLII or II when there is one, "
             "else the first lead named like an ECG lead, else the first lead.")
LEAD_SAMPLES = (f"The lead's values in the given units, in time order, numbers only: at least "
                f"{limits.MIN_SECONDS:g} s, no gaps, a plausible ECG amplitude "
                f"(not flat, under {limits.MAX_PEAK_TO_PEAK_MV:g} mV peak to peak).")
LEADS = (f"One to {limits.ARRAYS_MAX_LEADS} leads, all with the same number of samples; at most "
         f"{limits.MAX_SAMPLES:,} values in all and a request body of at most {_size}.")

DESCRIPTION = f"""
Submit ECGs and read their results: the same checks, queue and model as the site's upload
page. ECG Insight is not a medical device.

**Authentication.** A personal API token, created on your account page, sent as
`Authorization: Bearer <token>`. The site's own pages use the session cookie (with the CSRF
token on unsafe methods). The classes, the model card and this schema need neither.

**Submitting.** `POST /api/v1/diagnoses/` with either `multipart/form-data` (a file, as on the
upload page) or `application/json` (leads of samples with their names and sampling rate). The
answer (201) is the new diagnosis, queued; poll its `links.status` until `finished` is true,
then read it. Send an `Idempotency-Key` header (any text up to 255 characters, e.g. a UUID) so
that a retried request returns the first diagnosis (200, `Idempotent-Replayed: true`) instead
of creating a second; the key is remembered for {settings.ECG_API_IDEMPOTENCY_HOURS} hours,
and reusing it with different content is refused (422).

**Errors** are RFC 9457 problem details (`application/problem+json`): `detail` says what is
wrong for a person, `code` for a program, `errors` lists validation messages by field. A file
the upload checks refuse is a 400 with code `upload_rejected` and nothing is stored; what only
the analysis can tell (a flat line in a recording) comes back as a diagnosis with status
`failed` and an `error`.

**Rate limits** per token (per session, or per address without either):
{settings.ECG_API_RATE_LIMIT} requests, of which {settings.ECG_API_SUBMIT_RATE_LIMIT} submissions;
{settings.ECG_API_ANON_RATE_LIMIT} without authentication. Over the limit: 429 with
`Retry-After` (seconds).

**Classes:** {", ".join(f"{c.code} ({c.name})" for c in CLASSES)}.
"""
