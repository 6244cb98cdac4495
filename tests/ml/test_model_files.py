"""check_model_files: what a worker checks before it starts (ecgsite.celery), without
TensorFlow: the shipped model passes; a truncated, garbled or incomplete one is refused with
a message naming the problem."""
import json
import shutil
import zipfile

import pytest

from ml.predictor import (
    DEFAULT_MODEL_DIR,
    MODEL_FILE,
    ModelFileError,
    check_model_files,
    model_version,
)


@pytest.fixture
def model_copy(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, folder)
    return folder


def test_the_shipped_model_passes_and_gives_its_version():
    assert check_model_files(DEFAULT_MODEL_DIR) == model_version(DEFAULT_MODEL_DIR)


def test_a_truncated_model_file_is_refused(model_copy):
    data = (model_copy / MODEL_FILE).read_bytes()
    (model_copy / MODEL_FILE).write_bytes(data[: len(data) // 2])

    with pytest.raises(ModelFileError, match="not a readable Keras archive"):
        check_model_files(model_copy)


def test_a_model_file_with_flipped_bytes_is_refused(model_copy):
    path = model_copy / MODEL_FILE
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("model.weights.h5")
    data = bytearray(path.read_bytes())
    # Inside the weights member's stored data: the archive still opens, its CRC fails.
    middle = info.header_offset + 100 + info.compress_size // 2
    data[middle:middle + 16] = bytes(255 - b for b in data[middle:middle + 16])
    path.write_bytes(bytes(data))

    with pytest.raises(ModelFileError, match="fails its CRC check"):
        check_model_files(model_copy)


def test_an_archive_without_weights_is_refused(model_copy):
    path = model_copy / MODEL_FILE
    with zipfile.ZipFile(DEFAULT_MODEL_DIR / MODEL_FILE) as old, \
            zipfile.ZipFile(path, "w") as new:
        new.writestr("config.json", old.read("config.json"))

    with pytest.raises(ModelFileError, match="lacks model.weights.h5"):
        check_model_files(model_copy)


def test_a_missing_model_file_or_a_garbled_meta_is_refused(model_copy):
    (model_copy / "meta.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="cannot be used"):
        check_model_files(model_copy)

    (model_copy / MODEL_FILE).unlink()
    with pytest.raises(ModelFileError, match="no model file"):
        check_model_files(model_copy)


def test_a_model_for_other_classes_is_refused(model_copy):
    meta = json.loads((model_copy / "meta.json").read_text())
    meta["classes"] = ["N", "V"]
    (model_copy / "meta.json").write_text(json.dumps(meta))

    with pytest.raises(ModelFileError, match="outputs the classes N, V"):
        check_model_files(model_copy)
