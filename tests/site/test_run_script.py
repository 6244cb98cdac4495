"""`make run` (scripts/run.sh) points e-mail links at the address it serves (issue 16,
defect 7): SITE_DOMAIN follows HOST and PORT unless it is given."""
import os
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _site_domain_seen_by_manage_py(tmp_path, **env):
    """Run scripts/run.sh with a stand-in Python that records SITE_DOMAIN at the first
    manage.py command (migrate) and stops the script there."""
    seen = tmp_path / "site_domain"
    fake = tmp_path / "python"
    fake.write_text(f'#!/bin/sh\nprintf "%s" "$SITE_DOMAIN" > {seen}\nexit 3\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
             "PYTHON": str(fake), **env}
    result = subprocess.run(["bash", "scripts/run.sh"], cwd=ROOT, env=clean,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3, result.stderr
    return seen.read_text()


@pytest.mark.parametrize(("host", "port", "domain"), [
    ("127.0.0.1", "8123", "127.0.0.1:8123"),
    ("0.0.0.0", "9000", "localhost:9000"),
])
def test_e_mail_links_follow_make_runs_host_and_port(tmp_path, host, port, domain):
    assert _site_domain_seen_by_manage_py(tmp_path, HOST=host, PORT=port) == domain


def test_a_given_site_domain_wins(tmp_path):
    seen = _site_domain_seen_by_manage_py(tmp_path, HOST="127.0.0.1", PORT="8123",
                                          SITE_DOMAIN="ecg.example.org")
    assert seen == "ecg.example.org"
