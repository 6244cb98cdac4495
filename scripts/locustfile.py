"""Locust users for the load benchmark (scripts/load.py starts the site and runs this file).

Each simulated person is one of the accounts load.py signed in (LOAD_USERS_FILE: their
session cookies), browses (home, history, a result, the articles) and now and then uploads a
picture of one beat on the upload page and waits for its result, as the page's script does
(polling the status endpoint). "upload to result" is that wait, from the start of the upload
to the status saying finished, reported as its own line.

The site runs with production settings behind a TLS proxy; the loopback stand-in for that
proxy is the X-Forwarded-Proto header this client sets on every request (the header the
proxy sets, which SECURE_PROXY_SSL_HEADER trusts). The session and CSRF cookies are Secure,
so they are sent in an explicit Cookie header (a cookie jar keeps Secure cookies off plain
http://).
"""
import itertools
import json
import os
import random
import secrets
import sys
import time

from locust import HttpUser, between, events, task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import unique_png  # noqa: E402

USERS = json.loads(open(os.environ["LOAD_USERS_FILE"]).read())  # noqa: SIM115
_next_user = itertools.count()
# How long one upload may wait for its result before it counts as failed.
RESULT_TIMEOUT_S = float(os.environ.get("LOAD_RESULT_TIMEOUT_S", "120"))
POLL_S = float(os.environ.get("LOAD_POLL_S", "0.25"))


class Patient(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        account = USERS["accounts"][next(_next_user) % len(USERS["accounts"])]
        self.csrf = secrets.token_hex(16)  # 32 characters, as Django's own tokens
        self.headers = {
            "X-Forwarded-Proto": "https",
            "Cookie": f"{USERS['session_cookie']}={account['session']}; "
                      f"{USERS['csrf_cookie']}={self.csrf}",
        }
        self.results = []
        self.pictures = [bytes.fromhex(p) for p in USERS["pictures"]]

    def page(self, path, name=None):
        with self.client.get(path, headers=self.headers, name=name or path,
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                # HTTP 0: no answer at all (response.error says why).
                response.failure(f"HTTP {response.status_code} {response.error or ''}")

    @task(3)
    def home(self):
        self.page("/")

    @task(3)
    def history(self):
        self.page("/diagnosis/history/")

    @task(2)
    def articles(self):
        self.page("/learn/")

    @task(2)
    def a_result(self):
        if self.results:
            self.page(f"/diagnosis/{random.choice(self.results)}/", name="/diagnosis/[id]/")

    @task(2)
    def upload(self):
        self.page("/diagnosis/upload/")
        base = self.client.base_url
        start = time.perf_counter()
        with self.client.post(
                "/diagnosis/upload/", name="/diagnosis/upload/ (POST)", allow_redirects=False,
                files={"files": ("beat.png", unique_png(random.choice(self.pictures)),
                                 "image/png")},
                headers={**self.headers, "Accept": "application/json",
                         "X-CSRFToken": self.csrf,
                         "Referer": base.replace("http://", "https://") + "/diagnosis/upload/"},
                catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
                return
            status = response.json()
        self.results.append(status["id"])
        while not status["finished"]:
            if time.perf_counter() - start > RESULT_TIMEOUT_S:
                self.result_event(start, f"not finished after {RESULT_TIMEOUT_S} s")
                return
            time.sleep(POLL_S)
            with self.client.get(status["status_url"], name="/diagnosis/[id]/status.json",
                                 headers={**self.headers, "Accept": "application/json"},
                                 allow_redirects=False, catch_response=True) as polled:
                if polled.status_code != 200:
                    polled.failure(f"HTTP {polled.status_code}")
                    continue
                status = polled.json()
        self.result_event(start, None if status["status"] == "done"
                          else f"diagnosis {status['status']}: {status.get('error')}")

    def result_event(self, start, error):
        events.request.fire(request_type="RESULT", name="upload to result",
                            response_time=(time.perf_counter() - start) * 1000,
                            response_length=0, exception=RuntimeError(error) if error else None,
                            context={})
