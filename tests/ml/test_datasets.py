"""Labelled beats from the PhysioNet records, and the splits."""
import numpy as np

from ml.registry import CLASS_INDEX, NOT_VF
from ml.training import datasets, records


def test_mitdb_beats_sit_on_detected_peaks_and_carry_the_annotation_label(data_dir):
    beats = datasets.mitdb_beats("119", data_dir)
    rec = records.load_record("mitdb", "119", data_dir)
    ref, symbols = rec.beat_annotations()
    # Almost every N or V annotation gets its beat (the detector misses very few).
    n_ref = sum(s in "NV" for s in symbols)
    assert len(beats) >= 0.99 * n_ref
    assert set(np.unique(beats.labels)) <= {CLASS_INDEX["N"], CLASS_INDEX["V"]}
    # Each beat lies within 100 ms of an annotation of its own class.
    for pos, label in zip(beats.position[::50], beats.labels[::50], strict=True):
        nearest = np.argmin(np.abs(ref - pos))
        assert abs(ref[nearest] - pos) <= 36
        assert CLASS_INDEX[{"N": "N", "V": "V"}[symbols[nearest]]] == label


def test_not_vf_beats_come_from_other_rhythms_far_from_any_vf_span(data_dir):
    beats = datasets.vfdb_negatives("419", data_dir)
    rec = records.load_record("vfdb", "419", data_dir)
    assert len(beats) > 500 and np.all(beats.labels == NOT_VF)
    for start, end in records.vf_spans(rec):
        s, e = start * 360 / rec.fs, end * 360 / rec.fs
        assert not np.any((beats.position > s - 700) & (beats.position < e + 700))


def test_the_inter_patient_split_keeps_patients_apart(data_dir):
    train, validation, test = datasets.split("inter", data_dir)
    train_records = set(np.unique(train.record)) | set(np.unique(validation.record))
    test_records = set(np.unique(test.record))
    assert not train_records & test_records
    assert not np.any(test.labels == NOT_VF) and not np.any(validation.labels == NOT_VF)
    assert np.any(train.labels == NOT_VF)
    for code, i in CLASS_INDEX.items():
        assert np.sum(test.labels == i) > 100, code
