"""The doctors' workspace's notices by e-mail, sent through accounts.notifications (after the
commit, never breaking the cause, preference on, no health data in the mail):

- to each verified doctor a patient shares with, when one of the patient's uploads has been
  analysed (done, or failed: a doctor may still read the ECG); no patient name, no finding;
- to the patient, when a doctor posts a review or changes what it says; no finding.
"""
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts import notifications
from sharing.models import Share


def tell_doctors_of_new_result(sender, diagnosis, **kwargs):
    """Receiver of diagnosis.events.finished (connected in CareConfig.ready)."""
    doctors = get_user_model().objects.filter(
        pk__in=Share.objects.active().filter(patient_id=diagnosis.owner_id)
        .values("doctor_id"))
    link = notifications.site_url(reverse("doctors:review", args=[diagnosis.pk]))
    for doctor in doctors:
        if doctor.is_verified_doctor:
            notifications.notify(doctor, notifications.PATIENT_RESULTS, "care/email/new_result",
                                 {"link": link})


def review_posted(review):
    """Tell the patient that ``review`` (new, or changed in what the patient reads) is there."""
    diagnosis = review.diagnosis
    return notifications.notify(diagnosis.owner, notifications.REVIEWS, "care/email/review", {
        "doctor": review.doctor.display_name if review.doctor else "A doctor",
        "link": notifications.site_url(diagnosis.get_absolute_url()),
    })
