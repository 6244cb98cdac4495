"""Telling waiting pages at once that a diagnosis changed state (long-polling).

The status endpoint may be asked to *wait* (``status.json?since=queued&wait=25``): it answers
as soon as the diagnosis is no longer in the state the page last saw, or when the wait is over.
``since`` may list several states (``since=queued,running``: a beat picture is analysed in
milliseconds, so its page waits straight for the result, one request fewer).
The worker publishes every state change on a Redis channel per diagnosis (``publish``, after
the change is committed); a waiting request subscribes to that channel (``wait_for_change``)
and reads the row again when a message arrives, so a result reaches the page within
milliseconds of the worker writing it.

Redis is a wake-up call only, never the source of truth: the row in the database is read
before waiting and after every wake-up. Without Redis (the embedded default, or while it is
down) the wait reads the row every ``ECG_STATUS_POLL_S`` seconds instead; nothing fails.

A waiting request holds a web server thread, so each process lets at most
``ECG_STATUS_MAX_WAITERS`` requests wait at once (gunicorn.conf.py gives each process more
threads than that); over the bound a request answers at once, as plain polling would.
"""
import logging
import threading
import time

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# After Redis failed, this process polls the database for this long before trying Redis again,
# so an outage costs one failed connection per period, not one per request.
RETRY_REDIS_AFTER_S = 10.0

_lock = threading.Lock()
_clients = {}
_redis_down_until = [0.0]
_waiting = [0]


def channel(client, pk):
    """The channel of one diagnosis. Pub/sub ignores Redis database numbers, so the number
    is in the name: sites (and test runs) sharing a Redis server hear only their own."""
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "ecgsite"
    db = client.connection_pool.connection_kwargs.get("db", 0)
    return f"{prefix}:{db}:diagnosis:{pk}:state"


def _client():
    """A Redis client for ``settings.REDIS_URL`` (one pool per process), or None without
    Redis or while it counts as down."""
    url = settings.REDIS_URL
    if not url or time.monotonic() < _redis_down_until[0]:
        return None
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = redis.Redis.from_url(
                url, socket_connect_timeout=0.5, socket_timeout=2,
                health_check_interval=30)
    return client


def _mark_down(exc):
    _redis_down_until[0] = time.monotonic() + RETRY_REDIS_AFTER_S
    logger.warning("Redis unreachable for status updates (%s); polling the database for %g s",
                   exc, RETRY_REDIS_AFTER_S)


def publish(pk, status):
    """Tell waiting requests that diagnosis ``pk`` is now ``status``. Never raises: a page
    that misses the message finds the change by reading the row when its wait ends."""
    client = _client()
    if client is None:
        return False
    try:
        client.publish(channel(client, pk), status)
    except UNREACHABLE as exc:
        _mark_down(exc)
        return False
    except redis.exceptions.RedisError:
        logger.warning("Could not publish the state of diagnosis %s", pk, exc_info=True)
        return False
    return True


class _Slot:
    """One of the process's ECG_STATUS_MAX_WAITERS places to wait; ``taken`` is False when
    they are all in use (the request then answers at once)."""

    def __enter__(self):
        with _lock:
            self.taken = _waiting[0] < settings.ECG_STATUS_MAX_WAITERS
            if self.taken:
                _waiting[0] += 1
        return self

    def __exit__(self, *exc):
        if self.taken:
            with _lock:
                _waiting[0] -= 1


def waiting_now():
    """How many requests of this process are waiting (for tests and the benchmark)."""
    return _waiting[0]


def clamp_wait(value):
    """The seconds a request asked to wait (``wait``), within 0..ECG_STATUS_MAX_WAIT_S; 0
    for anything that is not a number."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 0.0
    if seconds != seconds:  # NaN
        return 0.0
    return max(0.0, min(seconds, float(settings.ECG_STATUS_MAX_WAIT_S)))


def wait_for_change(pk, since, seconds, read_state, state):
    """Wait up to ``seconds`` until ``read_state()`` (the row's status, read from the
    database; None once it is gone) is none of ``since`` (a set of statuses); returns the
    last state read. ``state`` is the status the caller read last: it is not read again
    before subscribing, only once subscribed (in case it changed in between)."""
    if state not in since or seconds <= 0:
        return state
    with _Slot() as slot:
        if not slot.taken:
            return state
        deadline = time.monotonic() + seconds
        pubsub = _subscribe(pk)
        if pubsub is not None:
            try:
                return _wait_on_redis(pubsub, since, deadline, read_state)
            except UNREACHABLE as exc:
                _mark_down(exc)
            finally:
                _close(pubsub)
        return _wait_on_database(since, deadline, read_state)


def _subscribe(pk):
    client = _client()
    if client is None:
        return None
    pubsub = client.pubsub()
    try:
        pubsub.subscribe(channel(client, pk))
    except UNREACHABLE as exc:
        _mark_down(exc)
        _close(pubsub)
        return None
    return pubsub


def _close(pubsub):
    try:
        pubsub.close()
    except Exception:  # closing a broken connection; nothing left to do with it
        logger.debug("Closing a pub/sub connection failed", exc_info=True)


def _wait_on_redis(pubsub, since, deadline, read_state):
    # Subscribed before reading again: a change committed between the first read and the
    # subscription is seen here; one committed later arrives as a message. The row is also
    # read every ECG_STATUS_RECHECK_S, so a lost message (Redis restarted) costs little.
    # A message that only confirms the subscription, or names a status the page still waits
    # through (``running`` for a page waiting on ``queued,running``), wakes no database read.
    state = read_state()
    while state in since:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        message = pubsub.get_message(timeout=min(left, settings.ECG_STATUS_RECHECK_S))
        if message is not None and (message["type"] != "message"
                                    or _text(message["data"]) in since):
            continue
        state = read_state()
    return state


def _text(data):
    return data.decode() if isinstance(data, bytes) else str(data)


def _wait_on_database(since, deadline, read_state):
    state = next(iter(since))
    while state in since:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        time.sleep(min(left, settings.ECG_STATUS_POLL_S))
        state = read_state()
    return state
