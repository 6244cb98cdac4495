"""A request body the upload cannot even parse still gets the upload's kind of answer: JSON
with a message for the page's script, never Django's HTML error page."""
import pytest
from django.conf import settings

from diagnosis.models import Diagnosis
from tests.inputs import beat_png, post_upload, stored_files, upload

pytestmark = pytest.mark.django_db


def test_more_files_than_django_parses_get_a_json_refusal(patient_client, media_root):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    files = [upload(f"beat{i}.png", beat_png()) for i in range(count)]

    response = post_upload(patient_client, files)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert f"more than {count - 1} files" in response.json()["error"]
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []


def test_without_javascript_the_same_refusal_is_shown_on_the_upload_page(patient_client):
    count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
    files = [upload(f"beat{i}.png", b"x") for i in range(count)]

    response = post_upload(patient_client, files, accept_json=False)

    assert response.status_code == 400
    assert f"more than {count - 1} files" in response.content.decode()
    assert "<form" in response.content.decode()
