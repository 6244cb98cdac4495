"""The staff metrics page: its figures equal what a direct count over the rows gives."""
import random
import re
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from care.models import Review
from diagnosis.models import Diagnosis
from metrics import figures as metrics
from metrics.templatetags.metrics_format import percent, seconds
from ml.registry import CLASS_CODES
from tests.factories import make_user

pytestmark = pytest.mark.django_db

START, END = date(2026, 2, 1), date(2026, 2, 10)


def moment(day, hour=0, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time())
                               + timedelta(hours=hour, minutes=minute))


@pytest.fixture
def rows(patient, other_patient, doctor, unverified_doctor, staff):
    """Users and diagnoses spread over the range and just outside it, with known times."""
    rng = random.Random(7)
    now = timezone.now()
    # Sign-ins: 3 days ago, 20 days ago, 60 days ago (inactive otherwise).
    for user, days in ((patient, 3), (doctor, 20), (staff, 60)):
        user.last_login = now - timedelta(days=days)
        user.save(update_fields=["last_login"])
    quiet = make_user("quiet@example.com")  # never signed in; uploads 10 days ago below
    gone = make_user("gone@example.com")
    gone.is_active = False
    gone.last_login = now
    gone.save()

    owners = [patient, other_patient, quiet]
    made = []
    for i in range(60):
        day = START + timedelta(days=rng.randrange(-2, 13))  # some before/after the range
        queued = moment(day, rng.randrange(24), rng.randrange(60))
        status = rng.choice(["done"] * 6 + ["failed"] * 2 + ["queued", "running"])
        wait = timedelta(seconds=rng.uniform(0.5, 400))
        work = timedelta(seconds=rng.uniform(1, 90))
        fields = dict(status=status, when=queued, owner=owners[i % 3])
        fields["started_at"] = queued + wait if status != "queued" else None
        fields["finished_at"] = queued + wait + work if status in ("done", "failed") else None
        if status == "done":
            fields["label"] = rng.choice(CLASS_CODES)
            fields["low_confidence"] = rng.random() < 0.3
        made.append(_diagnosis(**fields))
    _diagnosis(status="done", when=now - timedelta(days=10), owner=quiet, label="N")
    for i, d in enumerate(x for x in made if x.status == "done"):
        if i % 2 == 0:
            agrees = i % 3 != 0
            Review.objects.create(diagnosis=d, doctor=doctor, original_label=d.label,
                                  reviewed_label=d.label if agrees else "uninterpretable",
                                  agrees=agrees,
                                  created_at=d.finished_at + timedelta(hours=1))
    return made


def _diagnosis(owner, when, status, label="N", **fields):
    from tests.factories import make_diagnosis

    return make_diagnosis(owner, when=when, status=status, label=label, **fields)


def direct_counts():
    """The figures computed the plain way, straight from the rows."""
    since, until = moment(START), moment(END + timedelta(days=1))
    rows = [d for d in Diagnosis.objects.all() if since <= d.queued_at < until]
    done = [d for d in rows if d.status == "done"]
    failed = [d for d in rows if d.status == "failed"]
    waits = [(d.started_at - d.queued_at).total_seconds() for d in rows if d.started_at]
    works = [(d.finished_at - d.started_at).total_seconds() for d in done + failed]
    reviews = [r for r in Review.objects.all() if since <= r.created_at < until]
    users = list(get_user_model().objects.all())
    now = timezone.now()

    def active(days):
        cutoff = now - timedelta(days=days)
        uploaders = {d.owner_id for d in Diagnosis.objects.all() if d.queued_at >= cutoff}
        return sum(1 for u in users if u.is_active and (
            (u.last_login and u.last_login >= cutoff) or u.pk in uploaders))

    per_day = {}
    for d in rows:
        per_day[timezone.localtime(d.queued_at).date()] = \
            per_day.get(timezone.localtime(d.queued_at).date(), 0) + 1
    return {
        "total": len(rows),
        "failure_rate": len(failed) / (len(done) + len(failed)),
        "low_confidence": sum(d.low_confidence for d in done) / len(done),
        "classes": {c: sum(1 for d in done if d.label == c) for c in CLASS_CODES},
        "per_day": per_day,
        "queue": (float(np.percentile(waits, 50)), float(np.percentile(waits, 95))),
        "processing": (float(np.percentile(works, 50)), float(np.percentile(works, 95))),
        "agreement": sum(r.agrees for r in reviews) / len(reviews),
        "patients": sum(1 for u in users if u.role == "patient" and not u.is_staff),
        "doctors": sum(1 for u in users if u.role == "doctor" and u.doctor_verified_at),
        "awaiting": sum(1 for u in users if u.role == "doctor" and not u.doctor_verified_at),
        "staff": sum(1 for u in users if u.is_staff),
        "users": len(users),
        "active_7": active(7),
        "active_30": active(30),
    }


def test_the_service_figures_match_direct_counts(rows):
    expected = direct_counts()
    m = metrics.summary(metrics.DateRange(START, END))

    assert m["outcomes"]["total"] == expected["total"]
    assert m["failure_rate"] == pytest.approx(expected["failure_rate"])
    assert m["low_confidence_share"] == pytest.approx(expected["low_confidence"])
    assert m["classes"] == expected["classes"]
    assert [d for d, _, _ in m["per_day"]] == [START + timedelta(days=i) for i in range(10)]
    assert {d: n for d, n, _ in m["per_day"] if n} == expected["per_day"]
    assert (m["timings"]["queue_wait"]["median"], m["timings"]["queue_wait"]["p95"]) == \
        pytest.approx(expected["queue"])
    assert (m["timings"]["processing"]["median"], m["timings"]["processing"]["p95"]) == \
        pytest.approx(expected["processing"])
    assert m["agreement"]["rate"] == pytest.approx(expected["agreement"])
    assert m["users"] == {"total": expected["users"], "patients": expected["patients"],
                          "doctors": expected["doctors"],
                          "doctors_awaiting": expected["awaiting"], "staff": expected["staff"]}
    assert (m["active_7"], m["active_30"]) == (expected["active_7"], expected["active_30"])
    # patient (3 days) in both; quiet uploaded 10 days ago, doctor signed in 20 days ago;
    # gone signed in now but is deactivated; staff's sign-in is too old.
    assert (m["active_7"], m["active_30"]) == (1, 3)


def shown(response):
    html = response.content.decode()
    return dict(re.findall(r'data-metric="([\w-]+)">([^<]*)<', html))


def test_the_page_shows_the_same_figures(client, staff, rows):
    client.force_login(staff)  # signing in makes staff an active user: count after it
    expected = direct_counts()

    response = client.get(reverse("metrics"), {"date_from": START.isoformat(),
                                               "date_to": END.isoformat()})

    assert response.status_code == 200
    page = shown(response)
    assert page["range-start"] == "2026-02-01" and page["range-end"] == "2026-02-10"
    assert int(page["diagnoses"]) == expected["total"]
    assert page["failure-rate"] == percent(expected["failure_rate"])
    assert page["low-confidence"] == percent(expected["low_confidence"])
    assert page["agreement"] == percent(expected["agreement"])
    assert page["queue-median"] == seconds(expected["queue"][0])
    assert page["queue-p95"] == seconds(expected["queue"][1])
    assert page["processing-median"] == seconds(expected["processing"][0])
    assert page["processing-p95"] == seconds(expected["processing"][1])
    for code in CLASS_CODES:
        assert int(page[f"class-{code}"]) == expected["classes"][code]
    assert int(page["users-patients"]) == expected["patients"]
    assert int(page["users-doctors"]) == expected["doctors"]
    assert int(page["users-doctors-awaiting"]) == expected["awaiting"]
    assert int(page["active-7"]) == expected["active_7"]
    assert int(page["active-30"]) == expected["active_30"]
    html = response.content.decode()
    assert html.count('class="bar"') == 10  # one bar per day of the range
    assert "<svg" in html and "cdn" not in html.lower()


def test_the_model_version_comes_from_the_model_card(client, staff, settings):
    from ml.card import load_card

    card = load_card(settings.ECG_MODEL_DIR)
    client.force_login(staff)
    page = shown(client.get(reverse("metrics")))
    assert page["model-version"] == card["model_version"]


def test_a_missing_model_card_is_said_plainly(client, staff, settings, tmp_path):
    settings.ECG_MODEL_DIR = str(tmp_path)
    client.force_login(staff)
    assert "No model card found" in client.get(reverse("metrics")).content.decode()


def test_the_range_defaults_to_the_last_30_days(client, staff):
    client.force_login(staff)
    page = shown(client.get(reverse("metrics")))
    today = timezone.localdate()
    assert page["range-end"] == today.isoformat()
    assert page["range-start"] == (today - timedelta(days=29)).isoformat()


@pytest.mark.parametrize("query, message", [
    ({"date_from": "2026-03-10", "date_to": "2026-03-01"}, "must not be after"),
    ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "at most 366 days"),
    ({"date_from": "yesterday"}, "Enter a valid date"),
])
def test_a_bad_range_is_explained(client, staff, query, message):
    client.force_login(staff)
    response = client.get(reverse("metrics"), query)
    assert response.status_code == 400 and message in response.content.decode()


def test_only_staff_see_the_metrics(client, patient, doctor):
    assert client.get(reverse("metrics")).status_code == 302
    for user in (patient, doctor):
        client.force_login(user)
        assert client.get(reverse("metrics")).status_code == 403
        assert 'href="/metrics/"' not in client.get("/").content.decode()


def test_empty_ranges_show_dashes_not_errors(client, staff):
    client.force_login(staff)
    response = client.get(reverse("metrics"), {"date_from": "2020-01-01",
                                               "date_to": "2020-01-02"})
    page = shown(response)
    assert response.status_code == 200
    assert page["failure-rate"] == "–" and page["queue-median"] == "–"


def test_percentile_interpolates_like_numpy():
    values = [3.0, 1.0, 7.5, 2.25, 10.0, 4.0]
    for q in (0, 25, 50, 95, 100):
        assert metrics.percentile(values, q) == pytest.approx(np.percentile(values, q))
    assert metrics.percentile([], 50) is None
