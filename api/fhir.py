"""A diagnosis as a FHIR R4 Bundle (type ``collection``): the Patient, a DiagnosticReport and
its Observations: the finding, the heart rate and the beats counted per class.

Codes: the report is LOINC 11524-6 "EKG study" in the HL7 v2 diagnostic service section "EC"
(electrocardiac); the finding is LOINC 8601-7 "EKG impression" valued with the class's SNOMED
CT concept from the class registry (DICOM's ECG findings); the heart rate is LOINC 8867-4 in
UCUM /min. The count of beats per class has no LOINC code, so it is named in a code system of
this site (``LOCAL_SYSTEM``), its components by class code and SNOMED concept.

The bundle is built as plain data and checked by ``fhir.resources`` (the R4B models: FHIR
4.3, R4's technical correction, same structure for these resources) before it is sent, so an
export that breaks FHIR's rules is an error here, never a document a record system rejects.
"""
import uuid

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from diagnosis.models import Diagnosis
from ml.registry import CLASSES

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
LOCAL_SYSTEM = "urn:ecg-insight:codes"
CLASS_SYSTEM = "urn:ecg-insight:beat-class"

REPORT_STATUS = {
    # Kept and waiting for the person to give the sampling rate: not started yet.
    Diagnosis.Status.NEEDS_RATE: "registered",
    Diagnosis.Status.QUEUED: "registered",
    Diagnosis.Status.RUNNING: "partial",
    Diagnosis.Status.DONE: "final",
    # FHIR: "the report is unavailable because the measurement was not started or not
    # completed": what a failed analysis is.
    Diagnosis.Status.FAILED: "cancelled",
}


def _urn(site, *parts):
    """A stable urn:uuid for one resource of one diagnosis on this site."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join([site, *map(str, parts)])))


def _category(system, code, display):
    return [{"coding": [{"system": system, "code": code, "display": display}]}]


def _class_concept(code):
    beat_class = next(c for c in CLASSES if c.code == code)
    coding = [{"system": CLASS_SYSTEM, "code": beat_class.code, "display": beat_class.name}]
    if beat_class.snomed:
        coding.insert(0, {"system": SNOMED, "code": beat_class.snomed[0],
                          "display": beat_class.snomed[1]})
    return {"coding": coding, "text": beat_class.name}


def _patient(person):
    resource = {"resourceType": "Patient", "id": f"patient-{person.pk}"}
    if person.first_name or person.last_name:
        name = {"text": person.get_full_name()}
        if person.last_name:
            name["family"] = person.last_name
        if person.first_name:
            name["given"] = [person.first_name]
        resource["name"] = [name]
    if person.date_of_birth:
        resource["birthDate"] = person.date_of_birth.isoformat()
    return resource


def _observation(d, subject, issued, **fields):
    return {"resourceType": "Observation", "status": "final", "subject": subject,
            "issued": issued, "method": {"text": f"ECG Insight model {d.model_version}"},
            **fields}


def _finding(d, subject, issued):
    notes = [f"Model confidence {d.confidence:.0%}." if d.confidence is not None else None,
             "The model was not sure about this finding." if d.low_confidence else None,
             "Computed by a model that is not a medical device; a doctor should read the ECG."]
    return _observation(
        d, subject, issued, id=f"ecg-{d.pk}-finding",
        category=_category(OBSERVATION_CATEGORY, "procedure", "Procedure"),
        code={"coding": [{"system": LOINC, "code": "8601-7", "display": "EKG impression"}]},
        valueCodeableConcept=_class_concept(d.label),
        note=[{"text": n} for n in notes if n],
    )


def _heart_rate(d, subject, issued):
    return _observation(
        d, subject, issued, id=f"ecg-{d.pk}-heart-rate",
        category=_category(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs"),
        code={"coding": [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]},
        valueQuantity={"value": round(d.heart_rate_bpm, 1), "unit": "beats/minute",
                       "system": UCUM, "code": "/min"},
    )


def _beat_counts(d, subject, issued):
    return _observation(
        d, subject, issued, id=f"ecg-{d.pk}-beat-counts",
        category=_category(OBSERVATION_CATEGORY, "procedure", "Procedure"),
        code={"coding": [{"system": LOCAL_SYSTEM, "code": "beat-counts",
                          "display": "Heartbeats counted per class"}],
              "text": "Heartbeats counted per class"},
        valueQuantity={"value": d.beat_count, "unit": "beats", "system": UCUM,
                       "code": "{beats}"},
        component=[{"code": _class_concept(c.code),
                    "valueQuantity": {"value": int(d.counts.get(c.code, 0)), "unit": "beats",
                                      "system": UCUM, "code": "{beats}"}}
                   for c in CLASSES],
    )


def bundle(d, site):
    """The FHIR Bundle of diagnosis ``d`` as a dict; ``site`` is the site's base URL (it makes
    the identifiers and resource URNs unique to this site)."""
    subject = {"reference": _urn(site, "patient", d.owner_id),
               "display": d.owner.display_name}
    issued = (d.finished_at or d.queued_at).isoformat()
    observations = []
    if d.status == Diagnosis.Status.DONE and d.label:
        observations.append(_finding(d, subject, issued))
        if d.heart_rate_bpm is not None:
            observations.append(_heart_rate(d, subject, issued))
        if d.counts and d.beat_count:
            observations.append(_beat_counts(d, subject, issued))
    report = {
        "resourceType": "DiagnosticReport",
        "id": f"ecg-{d.pk}",
        "identifier": [{"system": f"{site}/api/v1/diagnoses", "value": str(d.pk)}],
        "status": REPORT_STATUS[d.status],
        "category": _category(V2_0074, "EC", "Electrocardiac (e.g., EKG, EEC, Holter)"),
        "code": {"coding": [{"system": LOINC, "code": "11524-6", "display": "EKG study"}],
                 "text": "ECG analysed by ECG Insight"},
        "subject": subject,
        "issued": issued,
        "result": [{"reference": _urn(site, "diagnosis", d.pk, o["id"])} for o in observations],
    }
    if d.status == Diagnosis.Status.DONE and d.label:
        report["conclusion"] = d.label_name
        report["conclusionCode"] = [_class_concept(d.label)]
    elif d.status == Diagnosis.Status.FAILED:
        report["conclusion"] = d.error_message or "The ECG could not be analysed."
    if not report["result"]:
        del report["result"]
    entries = [{"fullUrl": subject["reference"], "resource": _patient(d.owner)},
               {"fullUrl": _urn(site, "diagnosis", d.pk, "report"), "resource": report}]
    entries += [{"fullUrl": _urn(site, "diagnosis", d.pk, o["id"]), "resource": o}
                for o in observations]
    data = {
        "resourceType": "Bundle",
        "id": f"ecg-{d.pk}",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }
    Bundle.model_validate(data)  # raises if the export breaks FHIR's rules
    return data
