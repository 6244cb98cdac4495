"""Production settings refuse unsafe configurations; a realistic one passes check --deploy.

Each case runs Django in a subprocess with a clean environment, as a server would start.
"""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env, tmp_path):
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ECG_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "ecgsite.settings.production",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120,
    )


def realistic_environment():
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ecg.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://ecg.example.org",
        "SITE_DOMAIN": "ecg.example.org",
        "DATABASE_URL": "postgres://ecg:db-password@db:5432/ecg",
        "REDIS_URL": "redis://redis:6379/0",
        "EMAIL_URL": "smtp+tls://mailer:mail-password@smtp.example.org:587",
        "DEFAULT_FROM_EMAIL": "ECG Insight <noreply@ecg.example.org>",
        "TRUSTED_PROXY_COUNT": "1",
    }


def test_production_settings_without_a_secret_key_refuse_to_load(tmp_path):
    env = realistic_environment()
    del env["SECRET_KEY"]

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "weak_key",
    ["short", "dev-only-insecure-key-do-not-use-in-production",
     "django-insecure-" + "x" * 50, "a" * 60],
)
def test_production_settings_refuse_a_weak_secret_key(tmp_path, weak_key):
    result = run_manage("check", env={**realistic_environment(), "SECRET_KEY": weak_key},
                        tmp_path=tmp_path)

    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


@pytest.mark.parametrize("hosts", [None, "", "*"])
def test_production_settings_refuse_missing_or_wildcard_hosts(tmp_path, hosts):
    env = realistic_environment()
    if hosts is None:
        del env["ALLOWED_HOSTS"]
    else:
        env["ALLOWED_HOSTS"] = hosts

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_check_deploy_passes_without_a_warning_in_a_realistic_environment(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG",
                        env=realistic_environment(), tmp_path=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_collects_static_files_into_a_compressed_manifest(tmp_path):
    static_root = tmp_path / "static"
    env = {**realistic_environment(), "STATIC_ROOT": str(static_root)}

    result = run_manage("collectstatic", "--noinput", env=env, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    manifest = (static_root / "staticfiles.json").read_text()
    assert '"css/site.css"' in manifest
    assert list(static_root.glob("css/site.*.css.gz"))


def test_the_development_default_is_embedded(tmp_path):
    """No DATABASE_URL and no REDIS_URL: SQLite, the database cache and a file broker."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
        " s.CELERY_BROKER_URL, s.DEBUG]))"
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "ECG_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "ecgsite.settings.local"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["django.db.backends.sqlite3", "ecgsite.cache.CountingDatabaseCache", '
        '"filesystem://", true]'
    )
    for folder in ("queue", "processed", "control"):
        assert (tmp_path / "var" / "broker" / folder).is_dir()


def test_with_servers_configured_it_uses_postgresql_and_redis(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'],"
        " s.CELERY_BROKER_URL]))"
    )
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "ECG_VAR_DIR": str(tmp_path / "var"), "DJANGO_SETTINGS_MODULE": "ecgsite.settings.local",
           "DATABASE_URL": "postgres://ecg@db:5432/ecg", "REDIS_URL": "redis://redis:6379/0"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["django.db.backends.postgresql", "ecgsite.cache.ResilientRedisCache", '
        '"redis://redis:6379/0"]'
    )
    assert not (tmp_path / "var" / "broker").exists()


def test_production_settings_without_a_site_domain_refuse_to_load(tmp_path):
    env = realistic_environment()
    del env["SITE_DOMAIN"]

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SITE_DOMAIN" in result.stderr


def test_production_settings_refuse_a_localhost_site_domain(tmp_path):
    env = {**realistic_environment(), "SITE_DOMAIN": "localhost:8000"}

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0 and "SITE_DOMAIN" in result.stderr
