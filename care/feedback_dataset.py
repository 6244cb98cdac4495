"""Reading the doctors' feedback dataset that ``manage.py export_reviews`` writes.

No Django here: training code in ``ml/`` can import this module (or copy it) and read an
export folder on a machine without the site.

Layout of an export folder::

    <out>/
      manifest.json    {"format": "ecg-insight-feedback", "version": 2, "created": ...,
                        "labels": ["N", "L", "R", "A", "V", "VF", "uninterpretable"],
                        "examples": [<example>, ...]}
      manifest.csv     the same examples, one row each (``files`` joined with ";",
                       ``beat_labels`` the number of them)
      beats.csv        every labelled beat, one row each: example_id, sample, time_s, label,
                       original_label, reviews
      files/<example_id>/<stored file names>

    <example> = {
      "example_id": 42,                 # the diagnosis id on the site
      "kind": "image" | "signal",
      "input_format": "png" | "jpeg" | ... | "wfdb" | "csv" | "edf",
      "input": "files/42/<name>",       # what to open: the image, the WFDB header, the
                                        # CSV or the EDF file (relative to <out>)
      "files": ["files/42/<name>", ...],  # every uploaded file (a WFDB header and its .dat)
      "input_fs": null | 250.0,         # sampling rate given with a CSV without times
      "seconds_shown": null | 1.2,      # time span of a picture's trace, when its owner
                                        # gave it with the upload (the site read it so)
      "reviewed_label": "V",            # the doctors' label: a class code or "uninterpretable"
      "original_label": "N" | "",       # the model's finding ("" if the analysis failed)
      "agrees": false,                  # reviewed_label == original_label
      "model_version": "5e94456aee98",  # the model that gave original_label
      "reviews": 1,                     # how many doctors gave reviewed_label
      "reviewed_at": "2026-...Z",       # the latest of those reviews
      "fs": 360.0 | null,               # sampling rate the beat samples count at
      "beat_labels": [<beat>, ...]      # [] for an image
    }

    <beat> = {
      "sample": 12345,                  # the beat's R-peak sample index at "fs" in the
                                        # uploaded recording (its first lead the model read)
      "time_s": 34.292,                 # sample / fs
      "label": "A",                     # the doctors' label: a class code or "uninterpretable"
      "original_label": "V",            # the model's label of that beat
      "reviews": 1                      # how many doctors gave it
    }

For an image the label is the class of the one beat drawn. For a signal ``reviewed_label``
is the finding of the whole recording (the most significant beat type present, as the site
reports it): a weak, recording-level label. ``beat_labels`` are the beats doctors labelled
one by one (or as part of a span), by sample index, never by position: strong labels for
those beats. A beat that no doctor labelled has no doctor's label (doctors label what they
looked at); a beat two doctors labelled differently is left out. A WFDB header names its
data file by the stored name, so keep the files of an example together in their folder.

Version 1 exports (no beat labels, no fs) are read as well, with ``beat_labels == ()``.
"""
import csv
import json
from dataclasses import dataclass
from pathlib import Path

from ml.registry import CLASS_CODES, CLASS_INDEX

FORMAT = "ecg-insight-feedback"
VERSION = 2
READABLE_VERSIONS = (1, 2)
UNINTERPRETABLE = "uninterpretable"
LABELS = (*CLASS_CODES, UNINTERPRETABLE)
MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
BEATS_CSV = "beats.csv"
CSV_FIELDS = ["example_id", "kind", "input_format", "input", "files", "input_fs",
              "seconds_shown", "reviewed_label", "original_label", "agrees", "model_version",
              "reviews", "reviewed_at", "fs", "beat_labels"]
BEAT_CSV_FIELDS = ["example_id", "sample", "time_s", "label", "original_label", "reviews"]


class FeedbackFormatError(ValueError):
    """The folder is not an export this reader understands."""


@dataclass(frozen=True)
class BeatLabel:
    """The doctors' label of one beat of a recording."""

    sample: int
    time_s: float | None
    label: str
    original_label: str
    reviews: int

    @property
    def class_index(self):
        """Index of the label in the model's output order, None if uninterpretable."""
        return CLASS_INDEX.get(self.label)


@dataclass(frozen=True)
class FeedbackExample:
    example_id: int
    kind: str
    input_format: str
    input_path: Path
    files: tuple
    input_fs: float | None
    reviewed_label: str
    original_label: str
    agrees: bool
    model_version: str
    reviews: int
    reviewed_at: str
    fs: float | None = None
    beat_labels: tuple = ()  # BeatLabel, by sample
    seconds_shown: float | None = None  # exports before this field have none

    @property
    def class_index(self):
        """Index of the reviewed label in the model's output order, None if uninterpretable."""
        return CLASS_INDEX.get(self.reviewed_label)

    def load(self):
        """The input as the ML code reads uploads: a PIL image or an ``ml.formats.Signal``."""
        if self.kind == "image":
            from ml.formats import load_image

            return load_image(self.input_path)
        from ml.formats import read_signal

        return read_signal(self.input_path, fs=self.input_fs)


def read_manifest(root):
    """The examples of the export folder ``root``; raises FeedbackFormatError if it is not
    one (wrong format or version, unknown label, missing file)."""
    root = Path(root)
    try:
        data = json.loads((root / MANIFEST_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FeedbackFormatError(f"No readable {MANIFEST_JSON} in {root}: {exc}") from None
    if data.get("format") != FORMAT or data.get("version") not in READABLE_VERSIONS:
        raise FeedbackFormatError(
            f"{root} holds format {data.get('format')!r} version {data.get('version')!r}; "
            f"this reader understands {FORMAT!r} versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}."
        )
    examples = []
    for row in data.get("examples", []):
        labels = [row["reviewed_label"]] + [b["label"] for b in row.get("beat_labels", [])]
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            raise FeedbackFormatError(f"Unknown label {unknown[0]!r} in example "
                                      f"{row['example_id']}.")
        files = tuple(root / f for f in row["files"])
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            raise FeedbackFormatError(f"Missing files of example {row['example_id']}: "
                                      f"{', '.join(missing)}")
        examples.append(FeedbackExample(
            example_id=int(row["example_id"]), kind=row["kind"],
            input_format=row["input_format"], input_path=root / row["input"], files=files,
            input_fs=row.get("input_fs"), reviewed_label=row["reviewed_label"],
            original_label=row["original_label"], agrees=bool(row["agrees"]),
            model_version=row["model_version"], reviews=int(row["reviews"]),
            reviewed_at=row["reviewed_at"], fs=row.get("fs"),
            seconds_shown=row.get("seconds_shown"),
            beat_labels=tuple(
                BeatLabel(sample=int(b["sample"]), time_s=b.get("time_s"), label=b["label"],
                          original_label=b["original_label"], reviews=int(b["reviews"]))
                for b in row.get("beat_labels", [])
            ),
        ))
    return examples


def write_manifests(root, examples, created):
    """Write manifest.json, manifest.csv and beats.csv for ``examples`` (dicts as documented
    above)."""
    root = Path(root)
    payload = {"format": FORMAT, "version": VERSION, "created": created,
               "labels": list(LABELS), "examples": examples}
    (root / MANIFEST_JSON).write_text(json.dumps(payload, indent=2), encoding="utf-8")
    with open(root / MANIFEST_CSV, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for example in examples:
            writer.writerow({**example, "files": ";".join(example["files"]),
                             "input_fs": "" if example["input_fs"] is None
                             else example["input_fs"],
                             "seconds_shown": "" if example.get("seconds_shown") is None
                             else example["seconds_shown"],
                             "fs": "" if example["fs"] is None else example["fs"],
                             "beat_labels": len(example["beat_labels"])})
    with open(root / BEATS_CSV, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=BEAT_CSV_FIELDS)
        writer.writeheader()
        for example in examples:
            for beat in example["beat_labels"]:
                writer.writerow({"example_id": example["example_id"], **beat})
