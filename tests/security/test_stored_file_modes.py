"""Stored uploads and what the worker derives from them are private to the site's user."""
import stat

import pytest

from diagnosis.models import Diagnosis
from tests.inputs import beat_png, post_upload, upload

pytestmark = pytest.mark.django_db


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_an_uploaded_file_and_its_folders_are_readable_by_the_site_only(patient_client,
                                                                        media_root):
    response = post_upload(patient_client, [upload("beat.png", beat_png())])

    assert response.status_code == 201
    stored = media_root / Diagnosis.objects.get().files.get().file.name
    assert mode(stored) == 0o600
    folder = stored.parent
    while folder != media_root:
        assert mode(folder) == 0o700, folder
        folder = folder.parent
