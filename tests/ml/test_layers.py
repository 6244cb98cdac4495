"""The web and worker processes load the run-time core of ml only.

Which module may import which (ml.reports above ml.training above the run-time core, no
Django in ml, no import loop, the site never importing ml.training or ml.reports) is checked
by import-linter's contracts in pyproject.toml (``make test`` runs ``lint-imports``). This
test checks what a static graph cannot: what a process really has loaded after starting the
site and the worker's task module and serving the Info page's beat pictures.
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_web_and_worker_processes_load_the_run_time_core_only():
    script = (
        "import sys, django; django.setup(); "
        "import ecgsite.urls, diagnosis.tasks, diagnosis.inference; "
        "from django.test import Client; from ml.registry import CLASS_CODES; "
        "client = Client(); "
        "assert all(client.get(f'/learn/beats/{c}.png').status_code == 200 "
        "for c in CLASS_CODES); "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('ml'))))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ecgsite.settings.test"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.split()
    assert "ml.registry" in loaded and "ml.formats" in loaded
    assert [m for m in loaded if m.startswith(("ml.training", "ml.reports"))] == []
