"""Logging filters for the site's loggers (wired in settings.LOGGING)."""
import logging

from django.core.exceptions import PermissionDenied


class RefusalWithoutTraceback(logging.Filter):
    """A refused permission is an answer (a 403 page), not a fault: Django logs it as a
    warning with the traceback of the PermissionDenied it caught, which fills the terminal
    where people read their sign-up codes. Keep one line, at INFO, without the traceback."""

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, PermissionDenied):
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True
