"""Triage: the doctor's patients list puts first the patients with an unreviewed result that
calls for emergency care or for seeing a doctor soon (the registry's urgency levels), then
those with results to review, then the most recent upload."""
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from care.models import Review
from diagnosis import urgency
from diagnosis.models import Diagnosis
from ml.registry import CLASS_CODES, URGENCY_ORDER
from tests.factories import make_diagnosis, make_user, share_between

pytestmark = pytest.mark.django_db


def signal(owner, label, counts, days_ago=0, **fields):
    """A done recording with these beat counts (the rest of its beats Normal)."""
    beats = max(30, sum(counts.values()))
    full = {c: counts.get(c, 0) for c in CLASS_CODES}
    full["N"] += beats - sum(counts.values())
    return make_diagnosis(owner, kind="signal", label=label, counts=full, beat_count=beats,
                          when=timezone.now() - timedelta(days=days_ago), **fields)


def test_the_database_ranks_every_finding_as_the_registry_does(patient):
    rows = [make_diagnosis(patient, kind="image", label=code) for code in CLASS_CODES]
    rows += [
        signal(patient, "V", {"V": 2}),  # a few PVCs: routine
        signal(patient, "V", {"V": 3}),  # exactly 10 % of 30 beats: frequent, "soon"
        signal(patient, "V", {"V": 12}),
        signal(patient, "A", {"A": 9}),
        signal(patient, "L", {"L": 30}),
        signal(patient, "N", {}, vf_episodes=[[1.0, 4.0]]),  # an episode leads
        signal(patient, "N", {}, vf_episodes=[]),
        make_diagnosis(patient, kind="signal", label="V", counts={}, beat_count=0),
    ]
    ranked = dict(Diagnosis.objects.annotate(rank=urgency.rank_expression())
                  .values_list("pk", "rank"))

    for d in rows:
        assert URGENCY_ORDER[ranked[d.pk]] == urgency.level_of(d), (d.label, d.counts)
    assert {URGENCY_ORDER[ranked[d.pk]] for d in rows} == set(URGENCY_ORDER)


def test_unfinished_and_failed_results_have_no_rank(patient):
    make_diagnosis(patient, status="failed")
    make_diagnosis(patient, status="queued")
    ranks = Diagnosis.objects.annotate(rank=urgency.rank_expression()).values_list("rank",
                                                                                   flat=True)
    assert list(ranks) == [None, None]


@pytest.fixture
def doctor_client(doctor):
    client = Client()
    client.force_login(doctor)
    return client


def listed(client):
    response = client.get(reverse("doctors:patients"))
    assert response.status_code == 200
    return [p.email for p in response.context["patients"]], response.content.decode()


def test_urgent_unreviewed_results_come_first_then_results_to_review_then_the_newest(
        doctor_client, doctor):
    people = {name: make_user(f"{name}@example.com") for name in
              ("calm", "pvcs", "lbbb", "vf", "reviewed_vf", "frequent")}
    for person in people.values():
        share_between(person, doctor)
    make_diagnosis(people["calm"], label="N")  # newest of all, nothing to review
    signal(people["pvcs"], "V", {"V": 1}, days_ago=1)  # routine, to review
    make_diagnosis(people["lbbb"], label="L", when=timezone.now() - timedelta(days=5))
    signal(people["vf"], "N", {}, days_ago=9, vf_episodes=[[3.0, 9.0]])
    signal(people["frequent"], "V", {"V": 20}, days_ago=7)  # soon
    done = signal(people["reviewed_vf"], "VF", {"VF": 20}, days_ago=2, vf_episodes=[[0, 9]])
    Review.objects.create(diagnosis=done, doctor=doctor, original_label="VF",
                          reviewed_label="VF", agrees=True)

    order, page = listed(doctor_client)

    # Within a tier, the newest upload first (LBBB 5 days ago, frequent PVCs 7 days ago).
    assert order == ["vf@example.com", "lbbb@example.com", "frequent@example.com",
                     "pvcs@example.com", "calm@example.com", "reviewed_vf@example.com"]
    assert page.count(">Emergency</span>") == 1
    assert page.count(">See a doctor soon</span>") == 2


def test_another_doctors_review_does_not_lower_the_urgency_for_this_one(doctor_client,
                                                                        doctor, patient):
    share_between(patient, doctor)
    colleague = make_user("colleague@example.com", role="doctor", verified_doctor=True)
    share_between(patient, colleague)
    vf = signal(patient, "VF", {"VF": 20}, vf_episodes=[[0, 9]])
    Review.objects.create(diagnosis=vf, doctor=colleague, original_label="VF",
                          reviewed_label="VF", agrees=True)

    _, page = listed(doctor_client)

    assert ">Emergency</span>" in page
