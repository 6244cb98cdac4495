"""Journeys through the site in headless Chromium, as a patient and as a doctor, each checking
what the pages show. The site runs on live_server with a real Celery worker (conftest.py)."""
import re
import subprocess
import time

import numpy as np
import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from diagnosis.models import Diagnosis
from tests.factories import PASSWORD, code_in, make_diagnosis, make_user, totp_now
from tests.inputs import excerpt_record, padded_beat_png, real_beat_png

from .steps import (
    PHONE,
    RECORD_UPLOAD_STATES,
    SCREENSHOTS,
    download,
    drop_files,
    expect_signed_in,
    page_width,
    pdf_pages_as_images,
    sign_in,
    wait_until_done,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The report's left and right margins are 2 cm; its pages are drawn at this resolution.
DPI = 100
MARGIN_PX = 2 / 2.54 * DPI
INK = 230  # a grey level below this is ink: text, the trace, its baseline, the grid


def ink_columns(image):
    """The first and last pixel column holding ink."""
    dark = np.asarray(image) < INK
    columns = np.flatnonzero(dark.any(axis=0))
    return int(columns[0]), int(columns[-1])


def assert_ink_inside_margins(pdf, tmp_path):
    images = pdf_pages_as_images(pdf, tmp_path, dpi=DPI)
    assert images, "the PDF has no page"
    for number, image in enumerate(images, 1):
        left, right = ink_columns(image)
        assert left >= MARGIN_PX - 1, (
            f"page {number}: ink {MARGIN_PX - left:.0f} px into the left margin")
        assert right <= image.width - MARGIN_PX + 1, (
            f"page {number}: ink {right - (image.width - MARGIN_PX):.0f} px into the right margin")


def pdf_text(pdf, tmp_path):
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, timeout=60,
                          capture_output=True, text=True).stdout


def test_sign_up_with_the_code_from_the_email_and_be_signed_in(pages):
    page = pages.open()
    page.goto("/accounts/signup/")
    page.fill("input[name=email]", "newcomer@example.com")
    page.fill("input[name=password1]", "a long enough pass phrase 42")
    page.fill("input[name=password2]", "a long enough pass phrase 42")
    pages.shot(page, "signup")
    page.locator("main button[type=submit]").last.click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.locator("main")).to_contain_text("newcomer@example.com")
    assert [m.to for m in mail.outbox] == [["newcomer@example.com"]]
    page.fill("input[name=code]", code_in(mail.outbox[0]))
    pages.shot(page, "code")
    page.locator("form:has(input[name=code]) button[type=submit].btn-primary").click()

    expect_signed_in(page)
    expect(page.locator("main")).to_contain_text("signed in as newcomer@example.com")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    pages.shot(page, "signed-in")


def test_a_dropped_beat_picture_comes_back_done_with_article_history_and_pdf(
        pages, mitdb, tmp_path):
    call_command("sync_articles", verbosity=0)  # the data migration's articles were flushed
    make_user("patient@example.com")
    page = pages.open()
    sign_in(page, "patient@example.com")
    page.goto("/diagnosis/upload/")
    page.evaluate(RECORD_UPLOAD_STATES)

    drop_files(page, "#dropzone", [("beat.png", real_beat_png(mitdb, "100", "N"), "image/png")])
    states = wait_until_done(page)
    pages.shot(page, "upload-done")

    assert any(s.startswith("beat.png") or "beat.png" in s for s in states), states
    # The upload's answer carries the picture's result (upload?wait=5): checked, then done.
    assert any("Uploaded; checking it" in s for s in states), states
    assert "Done:" in states[-1], states
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.status == "done"
    assert f"Done: {diagnosis.label_name}" in states[-1]

    page.locator("#upload-list a", has_text="See the result").click()
    expect(page.locator("h1")).to_contain_text("Result: beat.png")
    expect(page.locator(".finding")).to_contain_text(diagnosis.label_name)
    expect(page.get_by_role("link", name="Download PDF report")).to_be_visible()
    pages.shot(page, "result")

    learn = page.locator("section[aria-labelledby=learn-heading]")
    article_link = learn.locator("p a").first
    title = article_link.inner_text()
    article_link.click()
    expect(page.locator("h1")).to_have_text(title)
    pages.shot(page, "article")

    page.goto("/diagnosis/history/")
    row = page.locator("table.history-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(diagnosis.label_name)
    pages.shot(page, "history")

    pdf, kind = download(page, f"/diagnosis/{diagnosis.pk}/report.pdf")
    assert kind == "application/pdf"
    assert diagnosis.label_name in pdf_text(pdf, tmp_path)
    assert_ink_inside_margins(pdf, tmp_path)


def test_an_uploaded_wfdb_record_is_analysed_and_its_strip_pages_through(pages, mitdb,
                                                                         tmp_path):
    make_user("patient@example.com")
    header = excerpt_record(mitdb, "100", tmp_path / "record", seconds=35)
    page = pages.open()
    sign_in(page, "patient@example.com")
    page.goto("/diagnosis/upload/")
    page.evaluate(RECORD_UPLOAD_STATES)

    page.set_input_files("#upload-form input[type=file]",
                         [str(header), str(header.with_suffix(".dat"))])
    states = wait_until_done(page)
    assert "Done:" in states[-1], states
    page.locator("#upload-list a", has_text="See the result").click()

    diagnosis = Diagnosis.objects.get()
    assert diagnosis.kind == "signal" and diagnosis.status == "done"
    expect(page.locator(".finding")).to_contain_text(diagnosis.label_name)
    expect(page.locator("#strip-pages")).to_contain_text("of 4 (10 s each)")
    expect(page.locator("#strip-summary")).to_contain_text("From 0:00 to 0:10")
    expect(page.locator("#strip-prev")).to_be_disabled()
    pages.shot(page, "strip-page-1")

    page.click("#strip-next")
    expect(page.locator("#strip-summary")).to_contain_text("From 0:10 to 0:20")
    expect(page.locator("#strip-page")).to_have_value("2")
    page.fill("#strip-page", "4")
    page.press("#strip-page", "Enter")
    expect(page.locator("#strip-summary")).to_contain_text("From 0:30 to 0:35")
    expect(page.locator("#strip-next")).to_be_disabled()
    pages.shot(page, "strip-page-4")


def test_the_seconds_shown_goes_with_each_picture_chosen_after_it(pages, mitdb, tmp_path):
    make_user("patient@example.com")
    png, seconds = padded_beat_png(mitdb, "209", "A", seconds=1.5)
    picture = tmp_path / "padded.png"
    picture.write_bytes(png)
    page = pages.open()
    sign_in(page, "patient@example.com")
    page.goto("/diagnosis/upload/")

    page.fill("#id_seconds_shown", "0.1")
    page.set_input_files("#upload-form input[type=file]", [str(picture)])
    expect(page.locator("#upload-list li").first).to_contain_text(
        "Refused: A time span of 0.1 seconds cannot be used")
    assert not Diagnosis.objects.exists()
    pages.expected("/diagnosis/upload/: Failed to load resource: the server responded with a "
                   "status of 400")

    page.fill("#id_seconds_shown", f"{seconds:.4f}")
    page.evaluate(RECORD_UPLOAD_STATES)
    page.set_input_files("#upload-form input[type=file]", [str(picture)])
    expect(page.locator("#upload-list li").nth(1)).to_contain_text("Done:", timeout=120_000)
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.seconds_shown == pytest.approx(seconds, abs=1e-4)
    page.goto(diagnosis.get_absolute_url())
    expect(page.locator("#seconds-shown")).to_contain_text("given with the upload")


def test_a_recordings_pdf_strip_stays_inside_the_page_margins(pages, tmp_path):
    patient = make_user("patient@example.com")
    diagnosis = make_diagnosis(patient, kind="signal", label="V")
    page = pages.open()
    sign_in(page, patient.email)
    page.goto(diagnosis.get_absolute_url())
    expect(page.get_by_role("link", name="Download PDF report")).to_be_visible()

    pdf, kind = download(page, f"/diagnosis/{diagnosis.pk}/report.pdf")

    assert kind == "application/pdf"
    for number, image in enumerate(pdf_pages_as_images(pdf, tmp_path / "pages", DPI), 1):
        image.save(SCREENSHOTS / f"pdf-recording-page-{number}.png")
    assert_ink_inside_margins(pdf, tmp_path)


def share_and_review(pages, diagnosis, patient, doctor):
    """The patient invites the doctor by e-mail, the doctor accepts and corrects the finding
    with a note. Returns the patient's page."""
    patient_page = pages.open()
    sign_in(patient_page, patient.email)
    patient_page.goto("/sharing/")
    patient_page.fill("input[name=email]", doctor.email)
    patient_page.get_by_role("button", name="Send invitation").click()
    expect(patient_page.locator("main")).to_contain_text(doctor.email)
    pages.shot(patient_page, "sharing")
    link = re.search(r"/sharing/invitations/[^/\s]+/", mail.outbox[-1].body).group(0)

    doctor_page = pages.open()
    sign_in(doctor_page, doctor.email)
    doctor_page.goto(link)
    doctor_page.get_by_role("button", name="Accept").click()
    expect(doctor_page.locator("main")).to_contain_text("Pat Ient")
    doctor_page.goto(f"/doctors/results/{diagnosis.pk}/review/")
    doctor_page.get_by_label("I correct the finding").check()
    doctor_page.select_option("select[name=label]", "R")
    doctor_page.fill("textarea[name=notes]", "A bundle branch block, not extra beats. See me.")
    pages.shot(doctor_page, "review-form")
    doctor_page.get_by_role("button", name="Save review").click()
    doctor_page.wait_for_load_state()
    pages.shot(doctor_page, "review-saved")
    return patient_page


def test_a_patient_shares_with_a_doctor_who_reviews_and_the_patient_sees_the_review(pages):
    patient = make_user("patient@example.com", first_name="Pat", last_name="Ient")
    doctor = make_user("doctor@example.com", role="doctor", verified_doctor=True,
                       first_name="Dana", last_name="Doc")
    diagnosis = make_diagnosis(patient, kind="signal", label="V")

    page = share_and_review(pages, diagnosis, patient, doctor)
    page.goto(diagnosis.get_absolute_url())

    panel = page.locator(".review-panel")
    expect(panel).to_contain_text("Dana Doc")
    expect(panel).to_contain_text("reads this ECG as Right Bundle Branch Block")
    expect(panel).to_contain_text("A bundle branch block, not extra beats. See me.")
    pages.shot(page, "result-reviewed")


def test_the_pdf_of_a_reviewed_result_shows_the_doctors_reading(pages, tmp_path):
    patient = make_user("patient@example.com", first_name="Pat", last_name="Ient")
    doctor = make_user("doctor@example.com", role="doctor", verified_doctor=True,
                       first_name="Dana", last_name="Doc")
    diagnosis = make_diagnosis(patient, kind="signal", label="V")
    page = share_and_review(pages, diagnosis, patient, doctor)

    pdf, _ = download(page, f"/diagnosis/{diagnosis.pk}/report.pdf")
    text = " ".join(pdf_text(pdf, tmp_path).split())

    # The doctor's reading comes first, named as theirs; the model's finding after it.
    assert "Dana Doc" in text
    assert text.index("Right Bundle Branch Block") < text.index("Premature Ventricular"), text


def test_enable_two_factor_authentication_and_sign_in_with_it(pages):
    make_user("patient@example.com")
    page = pages.open()
    sign_in(page, "patient@example.com")
    page.goto("/accounts/2fa/totp/activate/")
    page.fill("input[name=password]", PASSWORD)  # security settings ask for it again
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.fill("input[name=code]", totp_now(secret))
    pages.shot(page, "totp-activate")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator("main")).to_contain_text("ecovery codes")
    pages.shot(page, "totp-activated")
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()

    # The code of the next 30-s step: one code cannot be used twice.
    later = time.time() + 30
    time.sleep(max(0.0, 30 - time.time() % 30) + 0.5)
    sign_in(page, "patient@example.com")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("input[name=code]", "000000")
    page.locator("form:has(input[name=code]) button[type=submit].btn-primary").click()
    expect(page.locator("main")).to_contain_text("Incorrect code")
    page.fill("input[name=code]", totp_now(secret, at=later))
    pages.shot(page, "totp-sign-in")
    page.locator("form:has(input[name=code]) button[type=submit].btn-primary").click()

    expect_signed_in(page)
    expect(page.locator("main")).to_contain_text("signed in as patient@example.com")


def phone_results(pages):
    patient = make_user("patient@example.com")
    picture = make_diagnosis(patient, kind="image", label="V",
                             original_name="a-picture-with-a-long-file-name-from-a-phone.png")
    recording = make_diagnosis(patient, kind="signal", label="V")
    page = pages.open(viewport=PHONE)
    sign_in(page, patient.email)
    return page, picture, recording


def assert_on_screen(page, locator):
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (locator, box)


def test_the_result_page_fits_a_phone(pages):
    page, picture, recording = phone_results(pages)
    for name, diagnosis in (("picture", picture), ("recording", recording)):
        page.goto(diagnosis.get_absolute_url())
        pages.shot(page, f"phone-result-{name}")

        assert_on_screen(page, page.locator(".finding"))
        assert_on_screen(page, page.get_by_role("link", name="Download PDF report"))
        assert_on_screen(page, page.get_by_role("link", name="Delete"))
        assert page_width(page) <= PHONE["width"], name


def test_the_history_page_fits_a_phone(pages):
    page, picture, recording = phone_results(pages)
    page.goto("/diagnosis/history/")
    pages.shot(page, "phone-history")

    rows = page.locator("table.history-table tbody tr")
    expect(rows).to_have_count(2)
    for i in range(2):
        assert_on_screen(page, rows.nth(i).get_by_text(picture.label_name))
        assert_on_screen(page, rows.nth(i).get_by_role("link", name="Open"))
    assert page_width(page) <= PHONE["width"]
