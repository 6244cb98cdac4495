"""Database connections are kept between requests and tasks (DATABASE_CONN_MAX_AGE), and one
the server dropped is replaced before it is used. ``close_old_connections`` is what Django
runs at the start and end of every request and Celery at every task; the test client turns it
off, so it is called here directly, against the real PostgreSQL."""
import psycopg
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection

pytestmark = pytest.mark.django_db(transaction=True)


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_serves_the_next_request_too():
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    get_user_model().objects.count()
    first = backend_pid()

    close_old_connections()  # a request (or task) ends, the next begins

    assert backend_pid() == first


def test_a_connection_the_server_dropped_is_replaced_before_it_is_used():
    dropped = backend_pid()
    db = settings.DATABASES["default"]
    # Another session ends ours, as a database restart or an idle timeout would.
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"],
                         password=db["PASSWORD"], dbname=db["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (dropped,))

    close_old_connections()

    assert get_user_model().objects.count() == 0
    assert backend_pid() != dropped
