"""ml.training.folds: patient-grouped, class-spread folds (folds.json) and the named splits."""
import pytest

from ml.registry import CLASS_CODES
from ml.training import folds, sources

# Every test here reads the PhysioNet records: the data_dir fixture marks them needs_data.
pytestmark = pytest.mark.usefixtures("data_dir")


@pytest.fixture(scope="module")
def infos():
    return sources.catalog()


def test_the_committed_folds_are_what_the_code_computes(infos):
    assert folds.dumps(folds.compute(infos)) == folds.FOLDS_JSON.read_text(), (
        "folds.json is stale: python -m ml.training.folds --write")


def test_every_record_is_in_exactly_one_patient_and_fold(infos):
    doc = folds.document()
    seen = {}
    for patient, row in doc["patients"].items():
        for record in row["records"]:
            key = f"{row['database']}/{record}"
            assert key not in seen, f"{key} in {seen.get(key)} and {patient}"
            seen[key] = patient
    assert set(seen) == {i.key for i in infos}
    for info in infos:
        assert seen[info.key] == info.patient
    assert folds.record_folds()["mitdb/201"] == folds.record_folds()["mitdb/202"]


def test_every_class_has_patients_in_at_least_four_folds():
    doc = folds.document()
    for code in CLASS_CODES:
        with_class = {r["fold"] for r in doc["patients"].values() if code in r["classes"]}
        assert len(with_class) >= 4, f"{code} patients only in folds {sorted(with_class)}"
    sizes = [sum(r["fold"] == f for r in doc["patients"].values()) for f in range(5)]
    assert max(sizes) - min(sizes) <= 1


def test_assignment_spreads_a_rare_class_and_is_reproducible():
    classes = {f"p{i}": ({"VF"} if i < 5 else set()) | {"N"} for i in range(50)}
    dbs = {p: "x" for p in classes}
    first = folds.assign(classes, dbs)
    assert first == folds.assign(classes, dbs)
    assert sorted(first[f"p{i}"] for i in range(5)) == [0, 1, 2, 3, 4]
    assert folds.assign(classes, dbs, seed=1) != first


def test_cross_validation_splits_never_share_a_patient(infos):
    patient = {i.key: i.patient for i in infos}
    tested = []
    for k in range(folds.N_FOLDS):
        train, test = folds.split(f"cv{k}", infos)
        assert not {patient[x] for x in train} & {patient[x] for x in test}
        assert len(train) + len(test) == len(infos)
        tested += test
    assert sorted(tested) == sorted(patient)


def test_unseen_database_and_ds1_ds2_splits(infos):
    train, test = folds.split("unseen-ludb", infos)
    assert {x.split("/")[0] for x in test} == {"ludb"}
    assert "ludb" not in {x.split("/")[0] for x in train}
    assert len(test) == sum(i.database == "ludb" for i in infos)
    train, test = folds.split("ds1-ds2", infos)
    assert [x for x in train if x.startswith("mitdb/")] == [f"mitdb/{r}" for r in folds.DS1]
    assert [x for x in test if x.startswith("mitdb/")] == [f"mitdb/{r}" for r in folds.DS2]
    assert {"vfdb/418", "vfdb/424", "vfdb/429", "vfdb/609"} == {
        x for x in test if x.startswith("vfdb/")}
    assert "vfdb/419" in train and "vfdb/420" in train and "vfdb/418" not in train
    with pytest.raises(ValueError, match="unknown split"):
        folds.split("cv9", infos)
