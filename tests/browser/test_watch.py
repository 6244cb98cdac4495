"""The journeys' watch on each page catches what it is there to catch: a JavaScript error and
a script the Content-Security-Policy refuses, on a real page of the site."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_watch_reports_script_errors_and_csp_violations(pages):
    page = pages.open()
    page.goto("/")
    # An inline script, as an injected one would be: the policy refuses it.
    page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.ran = true";
        document.body.appendChild(s);
        setTimeout(() => { throw new Error("boom in a page script"); }, 0);
    }""")
    page.wait_for_timeout(300)

    seen = "\n".join(pages.problems)
    assert page.evaluate("window.ran === undefined")
    assert "CSP violation: script-src-elem blocked inline" in seen, seen
    assert "JavaScript error" in seen and "boom in a page script" in seen, seen
    pages.problems.clear()  # seen and checked: this test passes
