"""What a person does on the site, as browser steps the journeys share."""
import base64
import subprocess
from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

from tests.factories import PASSWORD

SCREENSHOTS = Path(settings.BASE_DIR) / "runs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Long enough for the worker's first task, which waits for the model to load.
WAIT_MS = 90_000

# Collects each text the upload list shows, so a journey can tell which states it went
# through (queued, running, done) even when they pass quickly.
RECORD_UPLOAD_STATES = """
() => {
  window.uploadStates = [];
  const list = document.getElementById("upload-list");
  const note = () => list.querySelectorAll("li").forEach((item) => {
    const text = item.innerText.trim();
    if (window.uploadStates[window.uploadStates.length - 1] !== text) {
      window.uploadStates.push(text);
    }
  });
  new MutationObserver(note).observe(list, {subtree: true, childList: true,
                                            characterData: true, attributes: true});
}
"""

# A DataTransfer holding the files, as the browser builds one for files dragged from the
# desktop (Playwright cannot drag from outside the page).
DATA_TRANSFER = """
(files) => {
  const transfer = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], f.name, {type: f.type}));
  }
  return transfer;
}
"""


def sign_in(page, email, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]", has_text="Sign in").click()
    page.wait_for_load_state()


def expect_signed_in(page):
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()


def drop_files(page, selector, files):
    """Drag ``files`` ([(name, bytes, type)]) onto ``selector`` and drop them."""
    payload = [{"name": name, "data": base64.b64encode(data).decode(), "type": kind}
               for name, data, kind in files]
    transfer = page.evaluate_handle(DATA_TRANSFER, payload)
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": transfer})


def wait_until_done(page):
    """Wait for the upload list's one row to say the result is ready; returns the states it
    showed on the way."""
    row = page.locator("#upload-list li").first
    expect(row).to_contain_text("Done:", timeout=WAIT_MS)
    return page.evaluate("window.uploadStates")


def download(page, url):
    """The bytes at ``url``, fetched with the page's cookies (as a click on the link would)."""
    response = page.request.get(url)
    assert response.ok, f"{url}: HTTP {response.status}"
    return response.body(), response.headers["content-type"]


def page_width(page):
    return page.evaluate("document.scrollingElement.scrollWidth")


def pdf_pages_as_images(data, tmp_path, dpi=72):
    """The PDF's pages as PIL images (pdftoppm, from poppler-utils)."""
    from PIL import Image

    tmp_path.mkdir(parents=True, exist_ok=True)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=60)
    return [Image.open(p).convert("L") for p in sorted(tmp_path.glob("page*.png"))]
