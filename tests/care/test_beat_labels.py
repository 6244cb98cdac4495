"""Beat-level review: a doctor labels single beats (or every beat of a span) of a recording,
stored per beat by sample index and class code, drawn on the strip over the model's label
for whoever sees the result."""
import json

import pytest
from django.test import Client
from django.urls import reverse

from care.models import BeatLabel, Review
from tests.factories import admin_login, make_user, share_between

pytestmark = pytest.mark.django_db

# make_diagnosis's recording: 60 beats, one a second, at samples (i + 0.5) * 360, beat 30 "V".
FS = 360


def sample(i):
    return int((i + 0.5) * FS)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def post(client, d, beat_labels, verdict="agree", **data):
    fields = {"verdict": verdict, **data}
    if beat_labels is not None:
        fields["beat_labels"] = (beat_labels if isinstance(beat_labels, str)
                                 else json.dumps(beat_labels))
    return client.post(reverse("doctors:review", args=[d.pk]), fields)


def saved(review):
    return {(b.sample, b.label, b.original_label) for b in review.beat_labels.all()}


def test_a_doctor_labels_single_beats_and_a_span(shared_doctor, signal_diagnosis):
    span = {str(sample(i)): "VF" for i in range(40, 44)}

    response = post(client_of(shared_doctor), signal_diagnosis,
                    {str(sample(30)): "A", str(sample(5)): "uninterpretable", **span})

    assert response.status_code == 302
    review = Review.objects.get()
    assert saved(review) == {(sample(30), "A", "V"), (sample(5), "uninterpretable", "N"),
                             *{(sample(i), "VF", "N") for i in range(40, 44)}}


def test_a_label_that_is_the_models_own_is_not_stored(shared_doctor, signal_diagnosis):
    post(client_of(shared_doctor), signal_diagnosis,
         {str(sample(30)): "V", str(sample(1)): "N", str(sample(2)): "R"})

    assert saved(Review.objects.get()) == {(sample(2), "R", "N")}


def test_saving_again_replaces_the_beat_labels_and_a_form_without_them_keeps_them(
        shared_doctor, signal_diagnosis):
    client = client_of(shared_doctor)
    post(client, signal_diagnosis, {str(sample(2)): "R", str(sample(3)): "R"})
    post(client, signal_diagnosis, {str(sample(3)): "L"})
    review = Review.objects.get()
    assert saved(review) == {(sample(3), "L", "N")}

    # The review form of the result page posts the field as it was given out; an older
    # client that does not post it at all changes no beat label either.
    post(client, signal_diagnosis, None, notes="Seen.")
    assert saved(review) == {(sample(3), "L", "N")}

    post(client, signal_diagnosis, {})
    assert saved(review) == set()


@pytest.mark.parametrize("beat_labels, message", [
    ({"12345": "A"}, "There is no beat at sample 12345"),
    ({str(sample(3)): "X"}, "&#x27;X&#x27; is not a beat label"),
    ("[1, 2]", "could not be read"),
    ("{not json", "could not be read"),
    ({"ten": "A"}, "could not be read"),
])
def test_a_wrong_beat_label_is_explained_and_nothing_is_saved(shared_doctor, signal_diagnosis,
                                                              beat_labels, message):
    response = post(client_of(shared_doctor), signal_diagnosis, beat_labels)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Review.objects.exists() and not BeatLabel.objects.exists()


def test_a_picture_has_no_beats_to_label(shared_doctor, image_diagnosis):
    response = post(client_of(shared_doctor), image_diagnosis, {"100": "A"})

    assert response.status_code == 400 and "no beat at sample 100" in response.content.decode()
    assert post(client_of(shared_doctor), image_diagnosis, {}).status_code == 302


def test_the_strip_shows_the_doctors_labels_to_the_patient(patient_client, shared_doctor,
                                                           signal_diagnosis, settings):
    settings.ECG_PLOT_PAGE_SECONDS = 10
    post(client_of(shared_doctor), signal_diagnosis,
         {str(sample(30)): "A", str(sample(35)): "uninterpretable"})
    url = reverse("diagnosis:signal", args=[signal_diagnosis.pk])

    page = patient_client.get(url, {"page": 3, "overview": 1}).json()
    other_page = patient_client.get(url, {"page": 0}).json()

    assert page["relabels"] == {str(sample(30)): "A", str(sample(35)): "uninterpretable"}
    assert page["beats"][0][1] == "V"  # the model's label stays, the doctor's is drawn over
    assert page["overview"]["relabels"] == page["relabels"]
    assert other_page["relabels"] == {}
    result = patient_client.get(signal_diagnosis.get_absolute_url()).content.decode()
    assert "also labelled 2 single beats differently from the model" in result


def test_where_doctors_differ_the_viewers_own_label_wins_else_the_latest(
        patient, shared_doctor, signal_diagnosis):
    colleague = make_user("colleague@example.com", role="doctor", verified_doctor=True)
    share_between(patient, colleague)
    post(client_of(shared_doctor), signal_diagnosis, {str(sample(30)): "A"})
    post(client_of(colleague), signal_diagnosis, {str(sample(30)): "R"})
    url = reverse("diagnosis:signal", args=[signal_diagnosis.pk])

    def shown_to(user):
        return client_of(user).get(url, {"page": 3}).json()["relabels"][str(sample(30))]

    assert shown_to(shared_doctor) == "A"
    assert shown_to(colleague) == "R"
    assert shown_to(patient) == "R"  # the latest review


def test_the_review_page_lists_the_doctors_saved_beat_labels(shared_doctor, signal_diagnosis):
    client = client_of(shared_doctor)
    post(client, signal_diagnosis, {str(sample(30)): "A"})

    page = client.get(reverse("doctors:review", args=[signal_diagnosis.pk])).content.decode()

    assert "Your saved labels of single beats (1)" in page
    assert "0:30 (30.5 s): Premature Atrial Contraction (A), the model said" in page
    assert f'name="beat_labels" value="{{&quot;{sample(30)}&quot;: &quot;A&quot;}}"' in page
    assert 'id="beat-review"' in page and "care_review.js" in page


def test_beat_labels_stay_with_the_review_when_the_doctors_account_goes(shared_doctor,
                                                                        signal_diagnosis):
    post(client_of(shared_doctor), signal_diagnosis, {str(sample(30)): "A"})

    shared_doctor.delete()

    review = Review.objects.get()
    assert review.doctor is None and saved(review) == {(sample(30), "A", "V")}


def test_the_admin_shows_a_reviews_beat_labels(client, staff, shared_doctor, signal_diagnosis):
    post(client_of(shared_doctor), signal_diagnosis, {str(sample(30)): "A"})
    admin_login(client, staff)

    page = client.get(reverse("admin:care_review_change", args=[Review.objects.get().pk]))

    assert page.status_code == 200 and str(sample(30)) in page.content.decode()
