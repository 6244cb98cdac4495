"""The FHIR export: a Bundle that fhir.resources validates (the R4B models, FHIR 4.3, R4's
technical correction), with the codes a record system looks for."""
import pytest
from fhir.resources.R4B.bundle import Bundle

from ml.registry import BY_CODE
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db


def export(client, d):
    response = client.get(f"/api/v1/diagnoses/{d.pk}/fhir")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    resources = {e.resource.get_resource_type(): [] for e in bundle.entry}
    for entry in bundle.entry:
        resources[entry.resource.get_resource_type()].append(entry.resource)
    return bundle, resources


def codes(concept):
    return {(c.system, c.code) for c in concept.coding}


def test_a_finished_recording_exports_report_finding_heart_rate_and_beat_counts(
        patient, patient_api):
    d = make_diagnosis(patient, kind="signal", label="V")

    bundle, resources = export(patient_api, d)

    assert bundle.type == "collection"
    (person,) = resources["Patient"]
    assert person.name[0].family == "Ient" and person.name[0].given == ["Pat"]
    (report,) = resources["DiagnosticReport"]
    assert report.status == "final"
    assert ("http://loinc.org", "11524-6") in codes(report.code)
    assert ("http://snomed.info/sct", BY_CODE["V"].snomed[0]) in codes(report.conclusionCode[0])
    assert report.subject.reference == bundle.entry[0].fullUrl
    finding = next(o for o in resources["Observation"] if o.id.endswith("finding"))
    assert ("http://loinc.org", "8601-7") in codes(finding.code)
    assert ("http://snomed.info/sct", "251175005") in codes(finding.valueCodeableConcept)
    rate = next(o for o in resources["Observation"] if o.id.endswith("heart-rate"))
    assert ("http://loinc.org", "8867-4") in codes(rate.code)
    assert float(rate.valueQuantity.value) == 60.0 and rate.valueQuantity.code == "/min"
    counts = next(o for o in resources["Observation"] if o.id.endswith("beat-counts"))
    per_class = {next(c.code for c in comp.code.coding if c.system.endswith("beat-class")):
                 int(comp.valueQuantity.value) for comp in counts.component}
    assert per_class == d.counts and int(counts.valueQuantity.value) == d.beat_count
    assert len(resources["Observation"]) == 3
    # Every result the report lists is in the bundle.
    urls = {e.fullUrl for e in bundle.entry}
    assert {r.reference for r in report.result} <= urls and len(report.result) == 3


def test_a_beat_picture_exports_the_finding_only(patient, patient_api):
    d = make_diagnosis(patient, kind="image", label="N")
    _, resources = export(patient_api, d)
    (finding,) = resources["Observation"]
    assert ("http://snomed.info/sct", "164854000") in codes(finding.valueCodeableConcept)


def test_a_failed_analysis_is_a_cancelled_report_with_the_reason(patient, patient_api):
    d = make_diagnosis(patient, status="failed")
    _, resources = export(patient_api, d)
    (report,) = resources["DiagnosticReport"]
    assert report.status == "cancelled" and report.conclusion == "This image is blank."
    assert "Observation" not in resources


def test_a_queued_diagnosis_is_a_registered_report_without_results(patient, patient_api):
    d = make_diagnosis(patient, status="queued")
    _, resources = export(patient_api, d)
    assert resources["DiagnosticReport"][0].status == "registered"
    assert "Observation" not in resources


def test_the_bundle_is_checked_before_it_is_sent(patient, monkeypatch):
    """An export that broke FHIR's rules would raise, not reach a record system."""
    from pydantic import ValidationError

    from api import fhir

    d = make_diagnosis(patient, kind="signal", label="V")
    monkeypatch.setattr(fhir, "REPORT_STATUS", {**fhir.REPORT_STATUS, "done": None})
    with pytest.raises(ValidationError):
        fhir.bundle(d, "http://testserver")
