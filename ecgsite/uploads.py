"""How request bodies with files are received: in memory, never in a temporary file.

Django's default spills a file over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file, which a
web process killed in the middle of an upload (kill -9, the out-of-memory killer) leaves
behind for ever. The upload checks read every file into memory anyway, so keeping the body
there costs little; its size is bounded by ``max_request_bytes()``, checked from the
Content-Length before anything is read (Django's WSGI handler reads a body without one as
empty).
"""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import MemoryFileUploadHandler


def max_request_bytes():
    """The largest request with files: a WFDB header with its data files, and the form."""
    return 2 * settings.ECG_UPLOAD_MAX_BYTES + 1024 * 1024


class InMemoryUploadHandler(MemoryFileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length is None or content_length > max_request_bytes():
            raise RequestDataTooBig("The request body is larger than an upload may be.")
        self.activated = True
