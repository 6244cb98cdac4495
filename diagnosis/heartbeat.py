"""The worker's heartbeat: while a task works on a claimed diagnosis, a background thread
renews the claim's lease (a third of ECG_DIAGNOSIS_LEASE_S apart), so a live run keeps its row
and a dead one (worker killed, machine gone) loses it within one lease. The sweep then sends
the row to another worker."""
import logging
import threading

from django.db import DatabaseError, connections

from .models import Diagnosis, claim_seconds

logger = logging.getLogger(__name__)


class Heartbeat:
    """``with Heartbeat(pk, token):`` renews the lease for as long as the block runs.
    ``lost`` turns true when the claim was found gone (the row deleted or taken over)."""

    def __init__(self, pk, token, every=None):
        self.pk, self.token = pk, token
        self.every = every if every is not None else max(1.0, claim_seconds() / 3)
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{pk}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self):
        try:
            while not self._stop.wait(self.every):
                try:
                    if not Diagnosis.objects.renew_lease(self.pk, self.token):
                        self.lost = True
                        return
                except DatabaseError:
                    # Try again at the next beat; if the database stays away for a whole lease
                    # nobody else can claim the row either.
                    logger.warning("Could not renew the lease of diagnosis %s", self.pk,
                                   exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections
