"""ml.training.beattable: per-record beat tables, cached by code version."""
import shutil

import numpy as np
import pytest

from ml.detect import detect_r_peaks
from ml.preprocess import clean
from ml.training import beattable, folds, sources
from ml.training.sources import LEAD_INDEX


def _infos(*keys):
    everything = {i.key: i for i in sources.catalog()}
    return [everything[k] for k in keys]


def test_the_code_version_follows_the_source_files(tmp_path, monkeypatch):
    version = beattable.code_version()
    assert len(version) == 12 and version == beattable.code_version()
    copy = tmp_path / "ml"
    shutil.copytree(beattable._ML, copy, ignore=shutil.ignore_patterns("__pycache__", "models"))
    monkeypatch.setattr(beattable, "_ML", copy)
    assert beattable.code_version() == version
    (copy / "detect.py").write_text((copy / "detect.py").read_text() + "\n# changed\n")
    assert beattable.code_version() != version


def test_model_window_is_the_middle_of_the_wide_window():
    wide = np.arange(beattable.WIDE, dtype=np.float32)
    window = beattable.model_window(wide)
    assert len(window) == beattable.MODEL_WINDOW == 252
    # The R peak sits at index 101 of the model window and 162 of the wide one.
    assert window[101] == beattable.WIDE_BEFORE


@pytest.mark.slow
@pytest.mark.usefixtures("data_dir")  # reads the records: needs_data
def test_a_table_is_built_once_cached_and_read_back(tmp_path):
    infos = _infos("ludb/24", "mitdb/100")
    table = beattable.load(infos, cache=tmp_path, jobs=2)
    files = sorted(p.name for p in (tmp_path / "beattable" / beattable.code_version()).iterdir())
    assert files == ["ludb-24.npz", "mitdb-100.npz"]  # nothing half-written left behind
    stamps = [beattable.cache_path(i, tmp_path).stat().st_mtime_ns for i in infos]
    again = beattable.load(infos, cache=tmp_path)
    assert [beattable.cache_path(i, tmp_path).stat().st_mtime_ns for i in infos] == stamps
    assert np.array_equal(again.labels, table.labels)

    mitdb = table.database == "mitdb"
    assert mitdb.sum() > 2000 and (~mitdb).sum() >= 7
    assert table.present[mitdb][0].tolist() == [s in ("II", "V5") for s in sources.LEADS]
    assert table.present[~mitdb].all()
    fold = folds.record_folds()
    assert set(table.fold[mitdb]) == {fold["mitdb/100"]}
    assert set(table.patient[~mitdb]) == {"ludb:24"}

    # Windows: the cleaned lead around our detector's R peaks, zeros in absent slots.
    idx = np.flatnonzero(mitdb)[100:103]
    w = table.windows12(idx)
    assert w.shape == (3, 12, 252)
    assert not np.any(w[:, LEAD_INDEX["V1"]])
    rec = sources.load(infos[1])
    x, _ = clean(rec.signal[:, LEAD_INDEX["II"]], rec.info.fs)
    peaks = detect_r_peaks(x)
    for j, i in enumerate(idx):
        p = peaks[table.beat[i]]
        assert np.allclose(w[j, LEAD_INDEX["II"]], x[p - 101:p + 151], atol=2e-3)
    assert table.windows12(idx, wide=True).shape == (3, 12, 378)

    counts = beattable.summary(table)
    assert counts["ludb"]["L"][0] >= 5 and counts["ludb"]["L"][1] == 1
    assert sum(b for row in counts.values() for b, _ in row.values()) == len(table)
    assert "| ludb |" in beattable.format_summary(table)
