"""With PostgreSQL unreachable, the site answers 503 "temporarily unavailable" (JSON for the
upload script, a page for a browser), says an upload was not stored, and stores nothing: not
an HTML 500. A real gunicorn whose database address is a port nothing listens on; the shared
PostgreSQL server is never stopped."""
import pytest
import requests
from django.conf import settings

from tests.inputs import beat_png, stored_files
from tests.security.servers import kill, start_gunicorn

pytestmark = pytest.mark.slow

CLOSED_PORT_DATABASE = "postgres://postgres@127.0.0.1:9/nowhere"


@pytest.fixture
def server_without_database(media_root, tmp_path):
    tmp_dir = tmp_path / "server-tmp"
    tmp_dir.mkdir()
    server, port = start_gunicorn(media_root, tmp_dir, tmp_path / "gunicorn.log",
                                  TEST_DATABASE_URL=CLOSED_PORT_DATABASE)
    yield f"http://127.0.0.1:{port}"
    kill(server)


def post_picture(base, accept):
    token = "a" * 32
    return requests.post(
        f"{base}/diagnosis/upload/",
        files={"files": ("beat.png", beat_png(), "image/png")},
        cookies={settings.SESSION_COOKIE_NAME: "x" * 32, settings.CSRF_COOKIE_NAME: token},
        headers={"X-CSRFToken": token, "Accept": accept, "Referer": base + "/"},
        timeout=30,
    )


def test_an_upload_while_the_database_is_down_is_a_clear_503(server_without_database,
                                                             media_root):
    response = post_picture(server_without_database, "application/json")

    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Retry-After"] == "30"
    assert "temporarily unavailable" in response.json()["error"]
    assert "your file was not stored" in response.json()["error"]
    assert stored_files(media_root) == []


def test_a_browser_gets_a_page_saying_the_service_is_unavailable(server_without_database,
                                                                  media_root):
    upload = post_picture(server_without_database, "text/html")
    page = requests.get(f"{server_without_database}/diagnosis/", timeout=30,
                        cookies={settings.SESSION_COOKIE_NAME: "x" * 32})

    assert upload.status_code == 503 and upload.headers["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in upload.text and "your file was not stored" in upload.text
    assert "Something went wrong" not in upload.text
    assert page.status_code == 503 and "Please try again in a few minutes" in page.text
    assert stored_files(media_root) == []
