"""Turning doctors' reviews into a training set (see feedback_dataset.py for the layout).

One example per reviewed diagnosis. When several doctors reviewed one result and their
labels differ, the example is left out (counted as a conflict): a training label should
not depend on which doctor was asked. By default only corrections are exported (the
doctors' label differs from the model's, or they relabelled single beats);
``include_agreements`` adds confirmed results.

A recording's example also carries the doctors' labels of single beats, by sample index. A
beat two doctors labelled differently is left out (counted in ``beat_conflicts``); a beat no
doctor labelled carries no doctor's label (doctors label what they looked at, so silence is
not agreement with the model).
"""
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.files.storage import default_storage
from django.utils import timezone

from diagnosis.inference import main_file
from diagnosis.models import Diagnosis, DiagnosisFile

from .feedback_dataset import write_manifests
from .models import Review


class ExportError(Exception):
    pass


@dataclass
class ExportReport:
    out: Path
    examples: int = 0
    corrections: int = 0
    conflicts: list = field(default_factory=list)  # diagnosis ids
    missing_files: list = field(default_factory=list)  # diagnosis ids
    beat_labels: int = 0  # single-beat labels exported
    beat_conflicts: int = 0  # beats left out because doctors labelled them differently


def reviewed_examples(include_agreements=False, since=None):
    """[(diagnosis, [reviews])] whose doctors agree on one label, and the conflicting ids."""
    reviews = Review.objects.filter(
        diagnosis__status__in=[Diagnosis.Status.DONE, Diagnosis.Status.FAILED]
    ).order_by("diagnosis_id", "pk").prefetch_related("beat_labels")
    if since is not None:
        reviews = reviews.filter(updated_at__gte=since)
    grouped = {}
    for review in reviews:
        grouped.setdefault(review.diagnosis_id, []).append(review)
    diagnoses = Diagnosis.objects.in_bulk(list(grouped))
    chosen, conflicts = [], []
    for pk, group in grouped.items():
        labels = {r.reviewed_label for r in group}
        if len(labels) > 1:
            conflicts.append(pk)
            continue
        d = diagnoses[pk]
        relabelled = any(r.beat_labels.all() for r in group)
        if include_agreements or labels.pop() != d.label or relabelled:
            chosen.append((d, group))
    return chosen, conflicts


def beat_labels_of(d, reviews):
    """([beat label dicts], number of beats left out because the doctors differ)."""
    by_sample = {}
    for review in reviews:
        for beat in review.beat_labels.all():
            by_sample.setdefault(beat.sample, []).append(beat)
    rows, conflicts = [], 0
    for sample in sorted(by_sample):
        beats = by_sample[sample]
        if len({b.label for b in beats}) > 1:
            conflicts += 1
            continue
        rows.append({"sample": sample,
                     "time_s": round(sample / d.fs, 3) if d.fs else None,
                     "label": beats[0].label, "original_label": beats[0].original_label,
                     "reviews": len(beats)})
    return rows, conflicts


def _example(d, reviews, names, beats):
    label = reviews[0].reviewed_label
    folder = PurePosixPath("files", str(d.pk))
    return {
        "example_id": d.pk,
        "kind": d.kind,
        "input_format": d.input_format,
        "input": str(folder / main_file(names)),
        "files": [str(folder / n) for n in names],
        "input_fs": d.input_fs,
        "seconds_shown": d.seconds_shown,
        "reviewed_label": label,
        "original_label": d.label,
        "agrees": label == d.label,
        "model_version": d.model_version,
        "reviews": len(reviews),
        "reviewed_at": max(r.updated_at for r in reviews).isoformat(),
        "fs": d.fs,
        "beat_labels": beats,
    }


def _copy_inputs(d, dest):
    """Copy the uploaded files of ``d`` into ``dest`` under their stored names; returns the
    names, or None if one of them is gone from storage."""
    names = []
    inputs = d.files.filter(role=DiagnosisFile.Role.INPUT).order_by("pk")
    dest.mkdir(parents=True)
    for stored in inputs:
        name = stored.file.name.rsplit("/", 1)[-1]
        try:
            with default_storage.open(stored.file.name, "rb") as src, \
                    open(dest / name, "wb") as out:
                shutil.copyfileobj(src, out)
        except FileNotFoundError:
            return None
        names.append(name)
    return names or None


def export(out, include_agreements=False, since=None):
    """Write the dataset to the new folder ``out``; returns an ExportReport.

    Everything is written to a temporary folder beside ``out`` and moved into place at the
    end, so an interrupted export leaves no half-written dataset.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} already exists and is not an empty folder; choose a new one.")
    out.parent.mkdir(parents=True, exist_ok=True)
    report = ExportReport(out=out)
    chosen, report.conflicts = reviewed_examples(include_agreements, since)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        examples = []
        for d, reviews in chosen:
            names = _copy_inputs(d, work / "files" / str(d.pk))
            if names is None:
                report.missing_files.append(d.pk)
                shutil.rmtree(work / "files" / str(d.pk), ignore_errors=True)
                continue
            beats, beat_conflicts = beat_labels_of(d, reviews)
            report.beat_labels += len(beats)
            report.beat_conflicts += beat_conflicts
            examples.append(_example(d, reviews, names, beats))
        (work / "files").mkdir(exist_ok=True)
        write_manifests(work, examples, timezone.now().isoformat())
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    report.examples = len(examples)
    report.corrections = sum(1 for e in examples if not e["agrees"])
    return report
