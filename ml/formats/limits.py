"""The numbers that bound what the readers accept (no imports: settings may read them)."""

# A signal the classifier can judge.
MIN_SECONDS = 5.0
MIN_FS = 50.0
MAX_FS = 10_000.0
MAX_PEAK_TO_PEAK_MV = 20.0
FLAT_PEAK_TO_PEAK_MV = 0.05
# Unlabelled CSV values spanning this much (robust peak to peak) are taken as microvolts.
MICROVOLT_GUESS_PEAK_TO_PEAK = 100.0

# Decoding bounds, checked from headers before any signal data is read. A recording decodes to
# at most MAX_SAMPLES values, all leads together: 20 MB of 16-bit samples is 10 million, and a
# compressed (FLAC) record may hold a few times more than its size, up to this bound.
MAX_SAMPLES = 40_000_000
WFDB_MAX_SIGNALS = 64
# Leads sent as arrays of numbers (ml.formats.arrays).
ARRAYS_MAX_LEADS = 64
EDF_MAX_SIGNALS = 512
# A header is text of at most this many bytes; it is also how much of a file the sniffer reads.
HEADER_MAX_BYTES = 64 * 1024
# A CSV signal has at least this many rows of numbers (one row per sample), and at most this
# many: an hour at 1,000 samples per second. Parsing text costs the worker far more memory per
# value than a binary format, so this bound is lower than MAX_SAMPLES.
CSV_MIN_ROWS = 10
CSV_MAX_ROWS = 3_600_000

# Pictures of one heartbeat: Pillow refuses to decode more pixels (decompression bombs).
MAX_PIXELS = 25_000_000
MIN_SIDE = 16

# The time span a person may give with a picture (the optional "seconds shown"): from the
# trace's left end to its right end. Below the minimum a picture cannot hold a beat (a QRS and
# its T wave end about 0.35 s after the R peak; the image model's window is 0.7 s). Above the
# maximum the 320 pixels the picture reader keeps leave that 0.7 s window under 45 columns, half
# the model's canvas, and a picture of one heartbeat that long is mostly padding.
PICTURE_MIN_SECONDS = 0.3
PICTURE_MAX_SECONDS = 5.0
