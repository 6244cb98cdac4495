"""ml.training.sources: every record of mitdb, vfdb, ludb and PTB-XL in 12 lead slots, with its
patient and diagnoses, read from ../shared/data."""
import numpy as np
import pytest

from ml.training import sources
from ml.training.sources import LEAD_INDEX

# Every test here reads the PhysioNet records: the data_dir fixture marks them needs_data.
pytestmark = pytest.mark.usefixtures("data_dir")


@pytest.fixture(scope="module")
def everything():
    return {i.key: i for i in sources.catalog(include_excluded=True)}


def test_the_catalog_counts_records_patients_and_paced_exclusions(everything):
    counts = sources.describe(everything.values())
    assert counts["mitdb"] == {"records": 44, "patients": 43, "excluded": 4}
    assert counts["vfdb"] == {"records": 22, "patients": 22, "excluded": 0}
    assert counts["ludb"]["records"] + counts["ludb"]["excluded"] == 200
    assert counts["ptbxl"]["records"] + counts["ptbxl"]["excluded"] == 500
    paced = {k for k, i in everything.items() if i.excluded == "paced"}
    assert {"mitdb/102", "mitdb/104", "mitdb/107", "mitdb/217"} <= paced
    # ludb: ventricular pacing (8), and P-synchrony listed under "Cardiac pacing" (72).
    assert {"ludb/8", "ludb/72"} <= paced
    # PTB-XL: the PACE statement.
    assert "ptbxl/143" in paced
    assert not any(i.excluded for i in sources.catalog())


def test_patients_group_records(everything):
    assert everything["mitdb/201"].patient == everything["mitdb/202"].patient == "mitdb:201"
    # PTB-XL records 20 and 26 were taken from one patient (patient_id 13619).
    assert everything["ptbxl/20"].patient == everything["ptbxl/26"].patient == "ptbxl:13619"
    assert everything["ludb/1"].patient != everything["ludb/2"].patient
    groups = sources.patients(everything.values())
    assert sum(len(v) for v in groups.values()) == len(everything)


def test_leads_go_to_their_standard_slots(everything):
    assert everything["mitdb/100"].leads == ("II", "V5")
    assert everything["mitdb/114"].channels == {"V5": 0, "II": 1}  # MLII second in 114
    assert everything["mitdb/101"].leads == ("II", "V1")
    assert everything["vfdb/418"].channels == {"II": 0}  # lead 1 left out (placement unknown)
    assert everything["ludb/1"].leads == sources.LEADS
    assert everything["ptbxl/1"].leads == sources.LEADS


def test_diagnoses_are_kept(everything):
    assert "Complete left bundle branch block" in everything["ludb/24"].diagnoses
    assert everything["ptbxl/180"].meta["scp"]["CLBBB"] == 100.0
    assert everything["ptbxl/128"].meta["extra_beats"] == "VES"
    assert "(AFIB" in everything["mitdb/201"].diagnoses
    assert any(n == "(VFIB" for _, n in everything["vfdb/422"].meta["rhythm"])


def test_loading_fills_present_slots_and_zeros_the_rest(everything):
    rec = sources.load(everything["mitdb/100"])
    assert rec.signal.shape == (650000, 12) and rec.signal.dtype == np.float32
    assert np.flatnonzero(rec.present).tolist() == [LEAD_INDEX["II"], LEAD_INDEX["V5"]]
    assert not np.any(rec.signal[:, ~rec.present])
    assert 0.5 < np.ptp(rec.signal[:3600, LEAD_INDEX["II"]]) < 5  # millivolts
    assert rec.detection_slot == LEAD_INDEX["II"]
    ludb = sources.load(everything["ludb/24"])
    assert ludb.present.all() and ludb.signal.shape == (5000, 12)
    # No lead II: the detector reads the first present lead (mitdb 102 has V5 and V2).
    no_ii = sources.load(everything["mitdb/102"])
    assert not no_ii.present[LEAD_INDEX["II"]]
    assert no_ii.detection_slot == LEAD_INDEX["V2"]


def test_ludb_marks_read_p_qrs_and_t_waves_of_every_lead(everything):
    marks = sources.ludb_marks(everything["ludb/24"])
    assert set(marks) == set(sources.LEADS)
    qrs = [w for w in marks["II"] if w.kind == "N"]
    assert len(qrs) == 7
    assert all(w.onset < w.peak < w.offset for w in marks["II"])
    # Complete LBBB: the marked QRS lasts well over 120 ms (500 Hz samples).
    assert np.median([w.offset - w.onset for w in qrs]) * 2 > 120


def test_a_missing_data_folder_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="ECG_DATA_DIR"):
        sources.catalog(["ludb"], path=tmp_path)
    with pytest.raises(ValueError, match="unknown database"):
        sources.catalog(["nope"], path=tmp_path)
