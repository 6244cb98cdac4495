"""The WSGI module loads the URLconf (and every view module) when a web process starts, not
during the first request it serves."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_wsgi_application_loads_the_urls_and_views():
    code = (
        "import sys, ecgsite.wsgi; "
        "print(all(m in sys.modules for m in ('ecgsite.urls', 'diagnosis.views', 'api.views')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ecgsite.settings.test"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
