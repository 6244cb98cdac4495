"""A model says which classes it outputs (meta.json ``classes``); the Predictor serves only a
model whose classes are the registry's, in the registry's order."""
import json
import shutil

import pytest

from ml.predictor import DEFAULT_MODEL_DIR, LEGACY_CLASSES, Predictor, model_classes, model_version
from ml.registry import CLASS_CODES, check_model_classes


def _model_with_meta(tmp_path, edit):
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copyfile(DEFAULT_MODEL_DIR / "model.keras", folder / "model.keras")
    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text())
    edit(meta)
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def test_the_shipped_models_record_the_registry_classes():
    for folder in (DEFAULT_MODEL_DIR, DEFAULT_MODEL_DIR.parent / "beat-split"):
        meta = json.loads((folder / "meta.json").read_text())
        assert tuple(meta["classes"]) == CLASS_CODES
    assert model_version(DEFAULT_MODEL_DIR) == "aeb6aaa00a54"


def test_a_model_without_the_key_is_taken_to_output_the_six_classes_of_old():
    assert model_classes({}) == LEGACY_CLASSES == ("N", "L", "R", "A", "V", "VF")
    assert model_classes({"classes": ["N", "V"]}) == ("N", "V")


@pytest.mark.parametrize("classes", [
    ["N", "L", "R", "V", "A", "VF"],          # the same classes in another order
    ["N", "L", "R", "A", "V", "VF", "AF"],    # one more
    ["N", "L", "R", "A", "V"],                # one fewer
], ids=["reordered", "extra", "missing"])
def test_the_predictor_refuses_a_model_whose_classes_differ(tmp_path, classes):
    folder = _model_with_meta(tmp_path, lambda meta: meta.update(classes=classes))

    with pytest.raises(ValueError) as refused:
        Predictor(folder)

    message = str(refused.value)
    assert str(folder) in message
    assert ", ".join(classes) in message and ", ".join(CLASS_CODES) in message
    assert "retrain" in message


def test_the_registry_check_accepts_its_own_order_only():
    check_model_classes(CLASS_CODES)
    with pytest.raises(ValueError, match=r"\(none listed\)"):
        check_model_classes([])


@pytest.mark.slow
def test_a_legacy_model_without_classes_in_its_meta_is_served(tmp_path):
    folder = _model_with_meta(tmp_path, lambda meta: meta.pop("classes"))

    predictor = Predictor(folder)

    assert predictor.version == model_version(DEFAULT_MODEL_DIR)
