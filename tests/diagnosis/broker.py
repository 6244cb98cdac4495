"""Publishing to a broker that is down, without stopping the shared one."""
from contextlib import contextmanager

# Nothing listens on port 9 of this machine: publishing there fails at once, and nothing
# shared has to be stopped to simulate a broker outage.
CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"


@contextmanager
def broker_url(url):
    """Make the web side publish to ``url`` for a while (then back to the real broker).

    Celery caches its connection and producer pools; they are dropped so that the next
    publish connects to the new URL.
    """
    from ecgsite.celery import app

    def drop_pools():
        app._pool = None
        app.amqp._producer_pool = None

    real = app.conf.broker_url
    app.conf.broker_url = url
    drop_pools()
    try:
        yield
    finally:
        app.conf.broker_url = real
        drop_pools()
