"""What the diagnosis app tells apps above it about a diagnosis (care e-mails the patient's
doctors when an upload is finished). These are Django signals, so diagnosis names no app
above it; they live apart from signals.py, whose receivers import the models, so that the
models can send them.
"""
import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# A diagnosis became done or failed; sent after that was committed. Arguments: diagnosis.
finished = Signal()


def announce_finished(diagnosis):
    """Send ``finished``; a receiver that fails is logged and does not stop the others, nor
    the worker that finished the diagnosis."""
    for receiver, outcome in finished.send_robust(sender=type(diagnosis), diagnosis=diagnosis):
        if isinstance(outcome, Exception):
            logger.error("%r failed on finished diagnosis %s", receiver, diagnosis.pk,
                         exc_info=outcome)
