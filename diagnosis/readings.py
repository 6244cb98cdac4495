"""The reading of a diagnosis that every screen shows, and the mode the model ran in.

A doctor's reading outranks the model's: once a doctor has reviewed a result, the result
page, the PDF report, the history list and its CSV export show the doctor's reading first,
and the advice and "Learn more" follow it; the model's finding is shown second. This module
is the one place that decides this (``reading_of`` / ``readings_of``); the doctors' reviews
live in the care app above diagnosis, which supplies them through
``hooks.DOCTOR_READINGS``.

Where several doctors reviewed a result, the latest review is the reading shown (a later
review is made knowing the earlier ones; each stays listed on the result page).
"""
from dataclasses import dataclass
from datetime import datetime

from ml.registry import CLASS_NAMES, MODES, ONE_LEAD, PICTURE, SEVERAL_LEADS

from . import hooks

# A doctor's verdict that the ECG cannot be read (care.models.UNINTERPRETABLE).
UNINTERPRETABLE = "uninterpretable"

__all__ = ["MODES", "ONE_LEAD", "PICTURE", "SEVERAL_LEADS", "Reading", "DoctorReading",
           "mode_of", "reading_of", "readings_of"]


@dataclass(frozen=True)
class DoctorReading:
    """One doctor's verdict, as the care app hands it over."""

    code: str  # a class code or UNINTERPRETABLE
    doctor: str  # display name, "" for a deleted account
    when: datetime
    agrees: bool
    notes: str = ""  # what the doctor wrote with the verdict, for the patient to read


@dataclass(frozen=True)
class Reading:
    """What a screen shows as the finding of a finished diagnosis."""

    code: str  # class code, UNINTERPRETABLE, or "" when there is no finding (failed)
    model_code: str  # the model's finding ("" when it has none)
    doctor: DoctorReading | None = None

    @property
    def by_doctor(self):
        return self.doctor is not None

    @property
    def name(self):
        return name_of(self.code)

    @property
    def model_name(self):
        return name_of(self.model_code)

    @property
    def differs(self):
        """A doctor read it differently from the model."""
        return self.by_doctor and self.code != self.model_code

    @property
    def source(self):
        return "doctor" if self.by_doctor else ("model" if self.code else "")


def name_of(code):
    if code == UNINTERPRETABLE:
        return "Not interpretable"
    return CLASS_NAMES.get(code, "")


def _reading(d, doctor):
    model = d.label or ""
    if doctor is None:
        return Reading(code=model, model_code=model)
    return Reading(code=doctor.code, model_code=model, doctor=doctor)


def readings_of(diagnoses):
    """{pk: Reading} for a page of diagnoses, with one query per hook (not per row)."""
    diagnoses = list(diagnoses)
    saved = [d for d in diagnoses if d.pk is not None]
    doctors = hooks.doctor_readings(saved) if saved else {}
    return {d.pk: _reading(d, doctors.get(d.pk)) for d in diagnoses}


def reading_of(d):
    """The reading shown for diagnosis ``d``."""
    return readings_of([d])[d.pk]


def mode_of(d):
    """How the model ran on ``d``: PICTURE, ONE_LEAD or SEVERAL_LEADS.

    The worker records it (``analysis_mode``); a result analysed before that field existed
    is derived from the upload (a picture, or a recording and how many leads it kept; a
    recording whose leads were not kept counts as one lead)."""
    if d.analysis_mode in (PICTURE, ONE_LEAD, SEVERAL_LEADS):
        return d.analysis_mode
    if d.kind == d.Kind.IMAGE:
        return PICTURE
    if d.pk is None:
        return ONE_LEAD
    from .inference import leads_used

    used = leads_used(d)
    return SEVERAL_LEADS if used and len(used[0]) > 1 else ONE_LEAD
