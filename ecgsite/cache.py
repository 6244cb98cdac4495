"""A Redis cache that keeps working while Redis cannot be reached.

The cache holds rate-limit counters (allauth's and the uploads'), which must keep counting when
Redis is down, and pages must keep working. While Redis does not answer, every call goes to a
second cache (the database cache, ``OPTIONS["FALLBACK"]``); Redis is tried again after
``OPTIONS["RETRY_AFTER_S"]`` seconds, so an outage costs one failed connection per process
and period rather than one per call. Counters kept in the fallback during an outage are not
copied back: a limit restarts from Redis's count afterwards, which errs on the side of
letting people in.
"""
import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)

# Per Redis location, until when it counts as down (time.monotonic()); shared by the
# per-thread cache objects of one process.
_down_until = {}
_lock = threading.Lock()


class CountingDatabaseCache(DatabaseCache):
    """Django's database cache with ``count`` (the per-person upload counters): the embedded
    default's cache and the Redis cache's stand-in."""

    def count(self, counters):
        """Add one to each counter ``(key, timeout)``, created at 0 with its timeout when
        missing; their new values."""
        values = []
        for key, timeout in counters:
            self.add(key, 0, timeout=timeout)
            try:
                values.append(self.incr(key))
            except ValueError:  # expired between add and incr
                self.set(key, 1, timeout=timeout)
                values.append(1)
        return values


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self._fallback = options.pop("FALLBACK")
        self._retry_after = float(options.pop("RETRY_AFTER_S", 30))
        # A Redis that does not answer must not hold a page up for long.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._where = repr(server)

    def _redis_down(self):
        return time.monotonic() < _down_until.get(self._where, 0.0)

    def _call(self, name, *args, **kwargs):
        return self._either(lambda: getattr(super(ResilientRedisCache, self), name)(
            *args, **kwargs), lambda fallback: getattr(fallback, name)(*args, **kwargs))

    def _either(self, on_redis, on_fallback):
        """``on_redis()``, or ``on_fallback(the fallback cache)`` while Redis is down."""
        if not self._redis_down():
            try:
                return on_redis()
            except UNREACHABLE as exc:
                with _lock:
                    _down_until[self._where] = time.monotonic() + self._retry_after
                logger.warning("Redis cache unreachable (%s); using the %r cache for %g s",
                               exc, self._fallback, self._retry_after)
        return on_fallback(caches[self._fallback])

    def count(self, counters):
        """Add one to each counter ``(key, timeout)``, created at 0 with its timeout when
        missing; their new values. On Redis in one round trip (Django's add and incr take
        one each); while Redis is down, the fallback's ``count`` (CountingDatabaseCache)."""
        def on_redis():
            pipe = self._cache.get_client(write=True).pipeline(transaction=False)
            for key, timeout in counters:
                key = self.make_and_validate_key(key)
                pipe.set(key, 0, nx=True, ex=timeout)  # Django stores ints as plain numbers
                pipe.incr(key)
            return pipe.execute()[1::2]

        return self._either(on_redis, lambda fallback: fallback.count(counters))

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
