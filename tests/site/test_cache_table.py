"""``migrate`` alone creates the database cache's table that the Redis cache falls back to
while Redis is down: without it every request in an outage was a 500 (found by the Redis
drill, scripts/drills.py)."""
import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_migrate_creates_the_fallback_cache_table(settings):
    table = settings.CACHES["fallback"]["LOCATION"]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{table}"')
    assert table not in connection.introspection.table_names()

    call_command("migrate", verbosity=0)

    assert table in connection.introspection.table_names()
