"""The example beat pictures the site serves are drawn ahead of time by
``python -m ml.reports.examples``: one per class of the registry, as the command draws them now."""
import numpy as np
import pytest
from PIL import Image

from ml.registry import CLASS_CODES
from ml.reports import examples


def test_every_class_has_a_committed_picture():
    assert sorted(p.stem for p in examples.OUT.glob("*.png")) == sorted(CLASS_CODES)


@pytest.mark.slow
def test_the_committed_pictures_are_what_the_command_draws(data_dir, tmp_path):
    written = examples.write_all(tmp_path, data_dir)

    assert [p.stem for p in written] == list(CLASS_CODES)
    for path in written:
        with Image.open(path) as fresh, Image.open(examples.OUT / path.name) as committed:
            assert fresh.size == committed.size == (288, 192)
            assert np.array_equal(np.asarray(fresh), np.asarray(committed)), path.name
