"""A web server killed (SIGKILL) in the middle of receiving an upload leaves no temporary file:
request bodies with files are kept in memory (ecgsite.uploads), never spilled to disk."""
import socket
import time

import pytest
from django.conf import settings

from .servers import kill, start_gunicorn

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BOUNDARY = "----ecg-test-boundary"


def files_under(folder):
    return sorted(str(p) for p in folder.rglob("*") if p.is_file())


def test_a_server_killed_mid_upload_leaves_no_temporary_file(patient_client, media_root,
                                                             tmp_path):
    tmp_dir = tmp_path / "server-tmp"
    tmp_dir.mkdir()
    server, port = start_gunicorn(media_root, tmp_dir, tmp_path / "gunicorn.log")
    try:
        session = patient_client.cookies[settings.SESSION_COOKIE_NAME].value
        head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; '
                'filename="long.csv"\r\nContent-Type: text/csv\r\n\r\n').encode()
        declared = 30 * 1024 * 1024  # within the request limit, so the server reads it
        request = (f"POST /diagnosis/upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   # A CSRF cookie, so that the server reads the body to check the token.
                   f"Cookie: {settings.SESSION_COOKIE_NAME}={session}; "
                   f"{settings.CSRF_COOKIE_NAME}={'a' * 32}\r\n"
                   f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                   f"Content-Length: {declared}\r\nAccept: application/json\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            # A small send buffer: once 16 MB have gone out, the server has read most of them
            # (the kernel holds only what the receiver's window allows while it does not read).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
            sock.sendall(request + head)
            chunk = b"0.125\n" * (1024 * 1024 // 6)
            for _ in range(16):
                sock.sendall(chunk)
            time.sleep(0.5)
            kill(server)  # mid-upload: 14 MB of the body have not come yet

        assert files_under(tmp_dir) == []
        assert files_under(media_root) == []
    finally:
        kill(server)
