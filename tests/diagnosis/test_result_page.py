"""The result page, its live status, the plot data and the PDF report."""
import base64
import re
import zlib

import pytest

from diagnosis.models import Diagnosis
from ml.registry import N_CLASSES
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db


def pdf_text(data):
    """The text drawn in a reportlab PDF (content streams are ASCII85 + Flate encoded)."""
    chunks = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = match.group(1).strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2].replace(b"\n", b""))
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue  # an image stream
    return "".join(re.findall(r"\((.*?)(?<!\\)\) Tj", "".join(chunks)))


def test_a_queued_diagnosis_shows_its_live_status(patient_client, patient):
    d = make_diagnosis(patient, status="queued")

    page = patient_client.get(d.get_absolute_url()).content.decode()
    status = patient_client.get(f"/diagnosis/{d.pk}/status.json").json()

    assert 'id="live-status"' in page and "Waiting in the queue" in page
    assert "diagnosis_result.js" in page
    assert status["status"] == "queued" and status["finished"] is False
    assert status["status_url"] == f"/diagnosis/{d.pk}/status.json"


def test_the_status_says_how_many_uploads_are_ahead(patient_client, patient, other_patient):
    from django.utils import timezone

    now = timezone.now()
    make_diagnosis(other_patient, status="queued", when=now - timezone.timedelta(seconds=20))
    make_diagnosis(patient, status="queued", when=now - timezone.timedelta(seconds=10))
    mine = make_diagnosis(patient, status="queued", when=now)

    assert patient_client.get(f"/diagnosis/{mine.pk}/status.json").json()["queue_position"] == 2


def test_a_done_image_shows_finding_probabilities_advice_and_input(patient_client, patient):
    d = make_diagnosis(patient, kind="image", label="V")

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert 'id="live-status"' not in page
    assert "Premature Ventricular Contraction" in page and "90%" in page
    assert page.count('class="prob-bar') == N_CLASSES and "<svg" in page
    assert "Mention it to your doctor" in page  # occasional PVC: routine
    assert "call emergency services" in page  # the red flags are always there
    assert d.input_files[0].get_absolute_url() in page and "<img" in page
    assert "abc123def456" in page
    assert f"/diagnosis/{d.pk}/report.pdf" in page
    assert "not a medical device" in page


def test_ventricular_fibrillation_is_an_emergency(patient_client, patient):
    d = make_diagnosis(patient, kind="signal", label="VF", vf_episodes=[[12.0, 19.5]])

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert "urgency-emergency" in page and 'role="alert"' in page
    assert "call emergency services now" in page
    assert "0:12" in page and "0:19" in page and "7.5 s" in page


def test_a_low_confidence_result_warns_and_says_what_to_do(patient_client, patient):
    d = make_diagnosis(patient, kind="image", label="N", low_confidence=True, confidence=0.41)

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert "Low confidence" in page and "Result uncertain" in page
    assert "upload a clearer picture of a single beat" in page


def test_a_rejected_input_shows_the_reason_and_the_next_step(patient_client, patient):
    d = make_diagnosis(patient, status="failed")

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert "could not be analysed" in page and "This image is blank." in page
    assert "upload the file again" in page


def test_a_signal_result_shows_counts_heart_rate_and_the_strip(patient_client, patient):
    d = make_diagnosis(patient, kind="signal", label="V")

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert 'id="strip-canvas"' in page and 'id="plot-config"' in page
    assert "60 beats per minute" in page
    assert re.search(r"Premature Ventricular Contraction \(V\)</td><td class=\"num\">1<", page)


def test_the_result_links_to_the_articles_about_the_finding(patient_client, patient):
    from articles.services import learn_more

    d = make_diagnosis(patient, kind="image", label="V")
    links = learn_more("V")

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert links["article"] is not None, "the articles app ships an article for every class"
    assert links["article"].get_absolute_url() in page
    for article in links["diseases"] + links["prevention"]:
        assert article.get_absolute_url() in page


def test_a_finding_without_any_article_shows_no_empty_learn_more_card(patient_client, patient):
    from articles.models import Article

    Article.objects.all().delete()
    d = make_diagnosis(patient, kind="image", label="V")

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert "Premature Ventricular Contraction" in page  # the finding itself is shown
    assert "Learn more" not in page and 'id="learn-heading"' not in page


def test_the_signal_json_serves_one_page_with_its_beats(patient_client, patient, settings):
    settings.ECG_PLOT_PAGE_SECONDS = 10
    d = make_diagnosis(patient, kind="signal", label="V")

    first = patient_client.get(f"/diagnosis/{d.pk}/signal.json?overview=1").json()
    fourth = patient_client.get(f"/diagnosis/{d.pk}/signal.json?page=3").json()
    beyond = patient_client.get(f"/diagnosis/{d.pk}/signal.json?page=99").json()

    assert first["pages"] == 6 and first["start_s"] == 0 and first["end_s"] == 10
    assert len(first["values"]) <= 2000
    assert [b[0] for b in first["beats"]] == [i + 0.5 for i in range(10)]
    assert max(first["values"]) > 0.5  # the synthetic beats peak at about 1 mV
    assert len(first["overview"]["times"]) == 60 and first["overview"]["labels"][30] == "V"
    assert fourth["start_s"] == 30 and fourth["beats"][0][:2] == [30.5, "V"]
    assert beyond["page"] == 5
    assert "overview" not in fourth


def test_the_pdf_report_has_patient_finding_probabilities_plot_and_disclaimer(patient_client,
                                                                            patient):
    d = make_diagnosis(patient, kind="signal", label="V")

    response = patient_client.get(f"/diagnosis/{d.pk}/report.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="ecg-report-{d.pk}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in ("Pat Ient", "patient@example.com", "Premature Ventricular Contraction",
                     "abc123def456", "Rhythm strip", "not a medical device", "Beats per class"):
        assert expected in text, expected


def test_the_pdf_of_an_image_result_contains_the_image(patient_client, patient):
    d = make_diagnosis(patient, kind="image", label="N")

    response = patient_client.get(f"/diagnosis/{d.pk}/report.pdf")

    assert b"/Subtype /Image" in response.content
    assert "Uploaded image" in pdf_text(response.content)


def test_the_pdf_says_the_time_span_of_a_picture_as_the_page_does(patient_client, patient):
    given = make_diagnosis(patient, kind="image", label="N", seconds_shown=1.25)
    judged = make_diagnosis(patient, kind="image", label="N")
    recording = make_diagnosis(patient, kind="signal", label="N")

    def both(d):
        page = patient_client.get(d.get_absolute_url()).content.decode()
        return page, pdf_text(patient_client.get(f"/diagnosis/{d.pk}/report.pdf").content)

    for d, said in ((given, "1.25 s, given with the upload"), (judged, "not given: the reader")):
        page, pdf = both(d)
        assert said in page and said in pdf and "Time span shown" in pdf
    page, pdf = both(recording)
    assert "Time span shown" not in page and "Time span shown" not in pdf


def test_there_is_no_report_before_the_analysis_finished(patient_client, patient):
    d = make_diagnosis(patient, status="running")
    assert patient_client.get(f"/diagnosis/{d.pk}/report.pdf").status_code == 404
    assert Diagnosis.objects.get(pk=d.pk).status == "running"


def test_the_page_and_the_pdf_name_the_leads_analysed_and_the_mode(patient_client, patient):
    d = make_diagnosis(patient, kind="signal", label="L", analysis_mode="several leads",
                       leads_used=["I", "II", "V1"])

    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert "Leads analysed</dt><dd>I, II, V1 (several leads)" in page
    assert "Several leads (recordings model)" in page
    text = pdf_text(patient_client.get(f"/diagnosis/{d.pk}/report.pdf").content)
    assert "I, II, V1 \\(several leads\\)" in text or "I, II, V1 (several leads)" in text


def test_a_picture_result_says_it_was_read_as_a_picture(patient_client, patient):
    d = make_diagnosis(patient, kind="image", label="N", analysis_mode="picture")

    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert "Picture (image model)" in page and "Leads analysed" not in page
