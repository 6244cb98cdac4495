"""Shared test setup.

The suite runs against the real PostgreSQL and Redis on 127.0.0.1 and reads the real
PhysioNet records (mitdb, vfdb). If a server cannot be reached or the records are not where
``ml.training.records`` looks, the whole run stops with a message saying what to do: nothing is
skipped.
"""
import re
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings


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
        "(see shared/data/README.md)"
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
    data = _missing_records()
    if data:
        missing.append(data)
    if missing:
        pytest.exit("Cannot run the tests:\n- " + "\n- ".join(missing), returncode=3)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters live in the (real Redis) cache: start each test from zero."""
    from django.core.cache import cache

    cache.clear()
    yield


PASSWORD = "correct horse battery staple 42"


def make_user(email, *, role="patient", verified_doctor=False, is_staff=False, **extra):
    """A user whose e-mail address is already confirmed, as after a finished sign-up."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        email=email, password=PASSWORD, role=role, is_staff=is_staff, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if verified_doctor:
        user.verify_as_doctor()
    return user


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


def admin_login(client, user):
    """Sign ``client`` in as staff ``user`` the way the admin requires: the user has an
    authenticator app (TOTP) and this session used it (as allauth records a second factor)."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "mfa", "type": "totp", "at": time.time()}]
    session.save()
    return client


@pytest.fixture
def patient_client(client, patient):
    client.force_login(patient)
    return client


# --- Helpers for the account tests ---------------------------------------------------------
# allauth's one-time codes: 8 letters from RFC 8628's unambiguous alphabet, dashed 4-4.
CODE_RE = re.compile(r"\b[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}\b")


def code_in(message):
    """The one-time code in an e-mail (fails the test if there is none)."""
    match = CODE_RE.search(message.body)
    assert match, f"no code in the e-mail:\n{message.body}"
    return match.group(0)


def logged_in_user_id(client):
    """The id of the user the test client's session is signed in as, or None."""
    from django.contrib.auth import SESSION_KEY

    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


# --- Migrations --------------------------------------------------------------------------------


class Migrator:
    """Moves the test database to given migrations and hands out the historical models there,
    for tests that put rows in place under an old schema and migrate them forward (or back)."""

    def __init__(self, connection):
        self.connection = connection

    def _executor(self):
        from django.db.migrations.executor import MigrationExecutor

        return MigrationExecutor(self.connection)

    def migrate(self, targets):
        """Apply or unapply so that each (app, migration) in ``targets`` is the latest applied
        of its app (``(app, None)``: none of it); returns the app registry of the database's
        state then (``apps.get_model(...)``)."""
        self._executor().migrate(targets)
        loader = self._executor().loader
        return loader.project_state(list(loader.applied_migrations)).apps

    def migrate_to_latest(self):
        return self.migrate(self._executor().loader.graph.leaf_nodes())


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
