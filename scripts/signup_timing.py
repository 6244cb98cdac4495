"""How long a sign-up takes for a new address and for one that has an account already.

The two must not differ (the difference would tell whether an address is registered). Runs
the real sign-up view through Django's test client with the production password hasher
(PBKDF2), on a throw-away PostgreSQL database of the test settings:

    TEST_DATABASE_NAME=test_ecg_timing .venv/bin/python scripts/signup_timing.py [--runs 15]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecgsite.settings.test")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    import django
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    django.setup()
    setup_test_environment()
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0)
    try:
        with override_settings(PASSWORD_HASHERS=[
                "django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
            timings = measure(args.runs)
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    print(f"sign-up answer time over {args.runs} runs each ({settings.PASSWORD_HASHERS[0]} "
          "replaced by PBKDF2):")
    for label, values in timings.items():
        ms = sorted(v * 1000 for v in values)
        print(f"  {label:<16} median {statistics.median(ms):6.1f} ms   "
              f"min {ms[0]:6.1f} ms   max {ms[-1]:6.1f} ms")


def measure(runs):
    from django.core.cache import cache
    from django.test import Client

    from tests.conftest import make_user

    make_user("taken@example.com")
    timings = {"new address": [], "existing address": []}
    password = "a long enough password 9"
    for i in range(runs):
        for label, email in (("new address", f"new{i}@example.com"),
                             ("existing address", "taken@example.com")):
            cache.clear()  # the sign-up rate limit
            client = Client()
            start = time.perf_counter()
            response = client.post("/accounts/signup/", {
                "email": email, "password1": password, "password2": password})
            timings[label].append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code
    return timings


if __name__ == "__main__":
    main()
