"""The upload counters (``count`` of ecgsite/cache.py): on Redis in one round trip, on the
database cache that stands in while Redis is down, and on the embedded default's cache."""
import pytest
import redis
from django.core.cache import caches

from ecgsite.cache import CountingDatabaseCache, ResilientRedisCache
from ecgsite.settings.base import redis_cache
from tests.diagnosis.broker import CLOSED_PORT_BROKER

pytestmark = pytest.mark.django_db


@pytest.fixture
def counters(request):
    name = request.node.name
    return [(f"count-test:{name}:minute", 120), (f"count-test:{name}:day", 86460)]


def test_on_redis_counters_start_at_one_keep_their_timeouts_and_add_up(counters):
    cache = caches["default"]
    assert isinstance(cache, ResilientRedisCache)
    cache.delete_many([key for key, _ in counters])

    assert cache.count(counters) == [1, 1]
    assert cache.count(counters) == [2, 2]
    assert cache.count(counters[:1]) == [3]
    assert [cache.get(key) for key, _ in counters] == [3, 2]  # what Django's get reads back
    raw = redis.Redis.from_url(cache._servers[0])
    ttls = [raw.ttl(cache.make_key(key)) for key, _ in counters]
    assert 110 <= ttls[0] <= 120 and 86400 <= ttls[1] <= 86460


def test_on_redis_both_counters_take_one_round_trip(counters, monkeypatch):
    cache = caches["default"]
    sent = []
    pool = cache._cache._get_connection_pool(write=True)
    original = pool.get_connection
    monkeypatch.setattr(pool, "get_connection",
                        lambda *a, **k: sent.append(1) or original(*a, **k))

    cache.count(counters)

    assert len(sent) == 1


def test_while_redis_is_down_the_database_cache_counts(settings, counters):
    settings.CACHES = redis_cache(CLOSED_PORT_BROKER, "ecgsite-test")
    caches["fallback"].delete_many([key for key, _ in counters])

    assert caches["default"].count(counters) == [1, 1]
    assert caches["default"].count(counters) == [2, 2]
    assert caches["fallback"].get(counters[0][0]) == 2


def test_the_embedded_default_cache_counts(settings, counters):
    settings.CACHES = {"default": {"BACKEND": "ecgsite.cache.CountingDatabaseCache",
                                   "LOCATION": "ecgsite_cache"}}
    cache = caches["default"]
    assert isinstance(cache, CountingDatabaseCache)
    cache.delete_many([key for key, _ in counters])

    assert cache.count(counters) == [1, 1]
    assert cache.count(counters[1:]) == [2]
