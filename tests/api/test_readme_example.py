"""The README's Python example runs as printed, against a live test server and a real worker
(only the address and the token are put in)."""
import contextlib
import io
import re
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from api.models import ApiToken
from ecgsite.celery import app

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def readme_example():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The API", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    return code


def test_the_readmes_python_example_submits_and_reads_a_result(live_server, patient):
    _, token = ApiToken.issue(patient, "readme")
    code = readme_example()
    code, n_base = re.subn(r'^BASE = ".*"$', f'BASE = "{live_server.url}/api/v1"', code,
                           flags=re.M)
    code, n_token = re.subn(r'^TOKEN = ".*"', f'TOKEN = "{token}"', code, flags=re.M)
    assert n_base == n_token == 1
    printed = io.StringIO()

    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      shutdown_timeout=60, loglevel="WARNING"), \
            contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102 (our own README)

    assert printed.getvalue().strip() == "Normal 10 beats"
