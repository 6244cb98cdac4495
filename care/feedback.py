"""Turning doctors' reviews into a training set (see feedback_dataset.py for the layout).

One example per reviewed diagnosis. When several doctors reviewed one result and their
labels differ, the example is left out (counted as a conflict): a training label should
not depend on which doctor was asked. By default only corrections are exported (the
doctors' label differs from the model's); ``include_agreements`` adds confirmed results.
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


def reviewed_examples(include_agreements=False, since=None):
    """[(diagnosis, [reviews])] whose doctors agree on one label, and the conflicting ids."""
    reviews = Review.objects.filter(
        diagnosis__status__in=[Diagnosis.Status.DONE, Diagnosis.Status.FAILED]
    ).order_by("diagnosis_id", "pk")
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
        if include_agreements or labels.pop() != d.label:
            chosen.append((d, group))
    return chosen, conflicts


def _example(d, reviews, names):
    label = reviews[0].reviewed_label
    folder = PurePosixPath("files", str(d.pk))
    return {
        "example_id": d.pk,
        "kind": d.kind,
        "input_format": d.input_format,
        "input": str(folder / main_file(names)),
        "files": [str(folder / n) for n in names],
        "input_fs": d.input_fs,
        "reviewed_label": label,
        "original_label": d.label,
        "agrees": label == d.label,
        "model_version": d.model_version,
        "reviews": len(reviews),
        "reviewed_at": max(r.updated_at for r in reviews).isoformat(),
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
            examples.append(_example(d, reviews, names))
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
