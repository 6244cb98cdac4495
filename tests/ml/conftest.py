"""Fixtures for the ml tests: PhysioNet records read once per run.

The data directory is resolved by ``ml.training.records`` (``ECG_DATA_DIR`` or
``<repo>/../shared/data``); tests using these fixtures are marked ``needs_data``.
"""
import pytest

from ml.training import records


@pytest.fixture(scope="session")
def record_cache(data_dir):
    cache = {}

    def get(db, name):
        if (db, name) not in cache:
            cache[(db, name)] = records.load_record(db, name, data_dir)
        return cache[(db, name)]

    return get
