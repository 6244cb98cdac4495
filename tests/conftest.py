"""Fixtures shared by the tests of every app, and the checks that start a run.

The suite runs against the real PostgreSQL and Redis on 127.0.0.1; tests marked
``needs_data`` also read the real PhysioNet records (mitdb, vfdb). If a server cannot be
reached, or a selected test needs the records and they are not where ``ml.training.records``
looks, the whole run stops with a message saying what to do: nothing is skipped.

A test needs the records exactly when it uses the ``data_dir`` fixture, directly or through
``mitdb`` or another fixture built on it; the marker is added from that, so
``pytest -m "not needs_data"`` runs everything that does without them.

Helpers a test module imports live in ``tests/factories.py`` (users, diagnoses, shares) and
``tests/inputs.py`` (ECG inputs), never in a conftest.
"""
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests.factories import admin_login, make_diagnosis, make_user, share_between
from tests.migrator import Migrator

DATA_FIXTURE = "data_dir"


def _reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _redis_answers(url):
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def _missing_records():
    """Why the PhysioNet records cannot be read, or None when both databases are there."""
    from ml.training.records import resolve_data_dir

    base = resolve_data_dir()
    absent = [db for db, name in (("mitdb", "100"), ("vfdb", "418"))
              if not (base / db / f"{name}.hea").exists()]
    if not absent:
        return None
    return (
        f"the PhysioNet records ({', '.join(absent)}) are not in {base}. Set ECG_DATA_DIR to "
        "the folder holding mitdb/ and vfdb/, or place the checkout next to shared/data "
        "(see shared/data/README.md); or leave out the tests that read them: "
        '-m "not needs_data"'
    )


def pytest_sessionstart(session):
    db = settings.DATABASES["default"]
    missing = []
    if db["ENGINE"] != "django.db.backends.postgresql":
        missing.append("the test database must be PostgreSQL (TEST_DATABASE_URL)")
    elif not _reachable(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)):
        missing.append(
            f"PostgreSQL is not reachable on {db.get('HOST')}:{db.get('PORT') or 5432}. "
            "Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    redis_url = settings.CACHES["default"]["LOCATION"]
    if not _redis_answers(redis_url):
        where = urlparse(redis_url)
        missing.append(
            f"Redis is not reachable on {where.hostname}:{where.port or 6379} "
            f"({redis_url}). Start it with: redis-server "
            '--daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no'
        )
    if missing:
        pytest.exit("Cannot run the tests:\n- " + "\n- ".join(missing), returncode=3)


@pytest.hookimpl(tryfirst=True)  # before -m deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if DATA_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.needs_data)


def pytest_collection_finish(session):
    """Stop before the first test when a selected test needs records that are not there."""
    needing = [item for item in session.items if item.get_closest_marker("needs_data")]
    if needing and not session.config.option.collectonly:
        why = _missing_records()
        if why:
            pytest.exit(f"Cannot run the tests: {len(needing)} selected tests need data:\n- "
                        + why, returncode=3)


# --- The PhysioNet records -------------------------------------------------------------------


@pytest.fixture(scope="session")
def data_dir():
    """The folder holding mitdb/ and vfdb/ (``ECG_DATA_DIR`` or ``../shared/data``). A test
    that uses it, directly or through another fixture, is marked ``needs_data``."""
    from ml.training.records import resolve_data_dir

    return resolve_data_dir()


@pytest.fixture(scope="session")
def mitdb(data_dir):
    """The MIT-BIH Arrhythmia Database folder (for ``tests.inputs``' record helpers)."""
    return data_dir / "mitdb"


# --- Every test --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the (real Redis) cache: start each test from zero."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test gets its own empty MEDIA_ROOT, so "nothing was stored" can be checked."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


# --- People ------------------------------------------------------------------------------------


@pytest.fixture
def patient(db):
    return make_user("patient@example.com", first_name="Pat", last_name="Ient")


@pytest.fixture
def other_patient(db):
    """Another patient, who must never see the first patient's data."""
    return make_user("other@example.com")


@pytest.fixture
def doctor(db):
    """A doctor verified by an administrator."""
    return make_user("doctor@example.com", role="doctor", verified_doctor=True)


@pytest.fixture
def unverified_doctor(db):
    return make_user("newdoc@example.com", role="doctor")


@pytest.fixture
def staff(db):
    return make_user("admin@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client


@pytest.fixture
def shared_doctor(patient, doctor):
    """The verified doctor the patient shares with."""
    share_between(patient, doctor)
    return doctor


@pytest.fixture
def stranger_doctor(db):
    """A verified doctor nobody shares with."""
    return make_user("stranger@example.com", role="doctor", verified_doctor=True)


# --- Results -----------------------------------------------------------------------------------


@pytest.fixture
def signal_diagnosis(patient):
    """A finished signal result of the patient (stored files and plot, no model run)."""
    return make_diagnosis(patient, kind="signal", label="V")


# --- Migrations --------------------------------------------------------------------------------


@pytest.fixture
def migrator(transactional_db):
    """A ``Migrator`` on the test database, which is back at the latest migrations afterwards
    (also when the test fails half-way)."""
    from django.db import connection

    migrator = Migrator(connection)
    try:
        yield migrator
    finally:
        migrator.migrate_to_latest()


@pytest.fixture
def revoked_doctor(db, patient):
    """A verified doctor whose share the patient revoked (through the same code the sharing
    page uses)."""
    from sharing import invitations

    former = make_user("former@example.com", role="doctor", verified_doctor=True)
    share = share_between(patient, former)
    invitations.revoke(patient, share.pk)
    return former


@pytest.fixture
def admin_client(client, staff):
    """pytest-django's admin_client, signed in the way the admin requires (a second factor)."""
    return admin_login(client, staff)
