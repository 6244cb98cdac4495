"""With Redis unreachable (cache and broker), the site keeps working: pages, sign-in and its
rate limits, uploads. An upload made then is stored, stays queued, and is processed once Redis
is back. Redis is "down" by pointing the settings at a port nothing listens on; the shared
Redis server is never stopped."""
import base64
import json
from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diagnosis import services
from diagnosis.models import Diagnosis
from diagnosis.tasks import classify_diagnosis
from ecgsite.settings.base import redis_cache
from tests.diagnosis.broker import CLOSED_PORT_BROKER, broker_url
from tests.factories import PASSWORD, logged_in_user_id, make_diagnosis
from tests.inputs import post_upload, real_beat_png, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    settings.CACHES = redis_cache(CLOSED_PORT_BROKER, "ecgsite-test")
    with broker_url(CLOSED_PORT_BROKER):
        yield


def test_signed_in_pages_work_while_redis_is_down(patient_client, patient, redis_down):
    diagnosis = make_diagnosis(patient)
    for url in ["/", reverse("diagnosis:upload"), reverse("diagnosis:history"),
                diagnosis.get_absolute_url(), reverse("accounts:profile"),
                reverse("sharing:index"), reverse("articles:index")]:
        assert patient_client.get(url).status_code == 200, url


def test_signing_in_and_out_works_while_redis_is_down(patient, redis_down):
    browser = Client()
    response = browser.post(reverse("account_login"),
                            {"login": patient.email, "password": PASSWORD})

    assert response.status_code == 302 and logged_in_user_id(browser) == patient.pk
    browser.post(reverse("account_logout"))
    assert logged_in_user_id(browser) is None


def test_sign_in_stays_rate_limited_while_redis_is_down(patient, redis_down):
    browser = Client()
    for _ in range(5):
        browser.post(reverse("account_login"), {"login": patient.email, "password": "guess"})

    response = browser.post(reverse("account_login"),
                            {"login": patient.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_user_id(browser) is None


@pytest.mark.slow
def test_an_upload_while_redis_is_down_is_kept_and_processed_once_redis_is_back(
        patient_client, media_root, settings, mitdb, django_capture_on_commit_callbacks):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    real_caches = settings.CACHES
    with broker_url(CLOSED_PORT_BROKER):
        settings.CACHES = redis_cache(CLOSED_PORT_BROKER, "ecgsite-test")
        png = real_beat_png(mitdb, "100", "N")
        # The upload's commit hands it to the broker, which cannot be reached.
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = post_upload(patient_client, [upload("beat.png", png)])
        settings.CACHES = real_caches
    assert len(callbacks) == 1

    assert response.status_code == 201, response.content
    diagnosis = Diagnosis.objects.get(pk=response.json()["id"])
    assert diagnosis.status == "queued" and diagnosis.enqueued_at is None
    assert len(stored_files(media_root)) == 1
    assert broker.llen("celery") == 0

    # Redis is back: the sweep sends the row, the worker classifies it.
    later = timezone.now() + timedelta(seconds=settings.ECG_DIAGNOSIS_REQUEUE_AFTER_S + 1)
    assert services.requeue_stale(now=later) == 1
    message = json.loads(broker.lpop("celery"))
    assert json.loads(base64.b64decode(message["body"]))[0] == [diagnosis.pk]
    assert classify_diagnosis.apply(args=[diagnosis.pk]).get() == "done"
    diagnosis.refresh_from_db()
    assert diagnosis.status == "done" and diagnosis.label
