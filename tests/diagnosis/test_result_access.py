"""Only the owner sees a diagnosis, its files, its plot data and its report: everyone else
gets 404, and nothing is reachable without signing in."""
import pytest

from diagnosis.models import Diagnosis
from tests.factories import make_diagnosis
from tests.inputs import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture
def signal_result(patient):
    return make_diagnosis(patient, kind="signal", label="V")


@pytest.fixture
def image_result(patient):
    return make_diagnosis(patient, kind="image", label="N")


def urls_of(d):
    base = f"/diagnosis/{d.pk}/"
    urls = [base, base + "status.json", base + "report.pdf", base + "delete/"]
    urls += [f.get_absolute_url() for f in d.input_files]
    if d.kind == "signal":
        urls.append(base + "signal.json?page=0&overview=1")
    return urls


@pytest.mark.parametrize("which", ["signal_result", "image_result"])
def test_the_owner_can_open_everything(patient_client, which, request):
    d = request.getfixturevalue(which)
    for url in urls_of(d):
        assert patient_client.get(url).status_code == 200, url


@pytest.mark.parametrize("which", ["signal_result", "image_result"])
def test_another_patient_gets_404_for_everything(client, other_patient, which, request,
                                                 media_root):
    d = request.getfixturevalue(which)
    client.force_login(other_patient)
    for url in urls_of(d):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/diagnosis/{d.pk}/delete/").status_code == 404
    assert Diagnosis.objects.filter(pk=d.pk).exists()
    assert len(stored_files(media_root)) == d.files.count()


def test_a_doctor_without_a_share_gets_404_too(client, doctor, signal_result):
    client.force_login(doctor)
    for url in urls_of(signal_result):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in(client, signal_result):
    for url in urls_of(signal_result):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_file_of_one_diagnosis_is_not_reachable_through_another(patient_client, patient,
                                                                  image_result):
    other = make_diagnosis(patient, kind="image")
    stolen = image_result.input_files[0]
    response = patient_client.get(f"/diagnosis/{other.pk}/files/{stolen.pk}/")
    assert response.status_code == 404


def test_the_plot_trace_is_not_served_as_a_file(patient_client, signal_result):
    trace_file = signal_result.files.get(role="trace")
    response = patient_client.get(f"/diagnosis/{signal_result.pk}/files/{trace_file.pk}/")
    assert response.status_code == 404


def test_the_uploaded_image_is_shown_inline_and_signal_files_download(patient_client,
                                                                     image_result,
                                                                     signal_result):
    image = patient_client.get(image_result.input_files[0].get_absolute_url())
    header = patient_client.get(signal_result.input_files[0].get_absolute_url())

    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline")
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    assert header["Content-Disposition"].startswith("attachment")
    assert "no-store" in image["Cache-Control"]


def test_visible_to_is_the_single_access_rule(patient, other_patient, signal_result):
    assert list(Diagnosis.objects.visible_to(patient)) == [signal_result]
    assert not Diagnosis.objects.visible_to(other_patient).exists()
    assert signal_result.can_view(patient) and not signal_result.can_view(other_patient)
