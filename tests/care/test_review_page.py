"""The review form shows the ECG itself: a recording's rhythm strip (on ECG paper, with the
beat labels and calipers, drawn by static/js/ecg_strip.js from the signal JSON), or the
uploaded picture; and no page carries an inline script."""
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)


@pytest.fixture
def doctor_client(shared_doctor):
    client = Client()
    client.force_login(shared_doctor)
    return client


def review_page(client, d):
    response = client.get(reverse("doctors:review", args=[d.pk]))
    assert response.status_code == 200
    return response.content.decode()


def plot_config(page):
    match = re.search(r'<script id="plot-config" type="application/json">(.*?)</script>', page,
                      re.DOTALL)
    assert match, "no plot-config on the page"
    return json.loads(match.group(1))


def test_a_recordings_review_shows_its_strip_on_ecg_paper_with_calipers(doctor_client,
                                                                        signal_diagnosis):
    page = review_page(doctor_client, signal_diagnosis)

    config = plot_config(page)
    assert config["url"] == reverse("diagnosis:signal", args=[signal_diagnosis.pk])
    assert config["paper"] == {"mm_per_s": 25, "mm_per_mv": 10}
    assert 'id="strip-canvas"' in page and 'id="strip-overview"' in page
    assert 'id="caliper-a"' in page and 'id="caliper-b"' in page
    assert 'src="/static/js/ecg_strip.js"' in page
    assert "a small box is 40 ms by 0.1 mV" in page


def test_the_strips_data_serve_the_doctor_with_each_beats_sample(doctor_client,
                                                                 signal_diagnosis):
    url = reverse("diagnosis:signal", args=[signal_diagnosis.pk])

    data = doctor_client.get(url, {"page": 3, "overview": 1}).json()

    result = signal_diagnosis.signal
    assert len(data["samples"]) == len(data["beats"]) == 10
    assert data["samples"] == result.samples[30:40]
    assert [b[1] for b in data["beats"]] == result.labels[30:40]
    assert data["overview"]["samples"] == result.samples


def test_a_pictures_review_shows_the_picture(doctor_client, image_diagnosis):
    page = review_page(doctor_client, image_diagnosis)

    [picture] = image_diagnosis.input_files
    assert f'<img src="{picture.get_absolute_url()}"' in page
    assert doctor_client.get(picture.get_absolute_url())["Content-Type"] == "image/png"
    assert 'id="strip-canvas"' not in page and "ecg_strip.js" not in page


def test_a_recording_that_was_not_analysed_offers_its_files(doctor_client, patient):
    failed = make_diagnosis(patient, kind="signal", status="failed")

    page = review_page(doctor_client, failed)

    assert 'id="strip-canvas"' not in page and "was not analysed" in page
    for f in failed.input_files:
        assert f.get_absolute_url() in page


def test_the_result_page_draws_the_same_strip(patient_client, signal_diagnosis):
    page = patient_client.get(signal_diagnosis.get_absolute_url()).content.decode()

    assert plot_config(page)["paper"] == {"mm_per_s": 25, "mm_per_mv": 10}
    assert 'src="/static/js/ecg_strip.js"' in page and 'id="caliper-a"' in page


@pytest.mark.parametrize("which", ["signal_diagnosis", "image_diagnosis"])
def test_the_result_and_review_pages_have_no_inline_script(doctor_client, request, which):
    d = request.getfixturevalue(which)
    for url in (d.get_absolute_url(), reverse("doctors:review", args=[d.pk])):
        page = doctor_client.get(url).content.decode()
        scripts = SCRIPT.findall(page)
        assert scripts
        for attributes, body in scripts:
            assert "src=" in attributes or 'type="application/json"' in attributes, \
                f"inline script on {url}: {body[:80]}"
            assert "onclick" not in page and "onload" not in page
