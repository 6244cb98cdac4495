#!/usr/bin/env python
"""Benchmark the diagnosis flow of a running site: upload -> queue -> worker -> result.

Not a test: it prints figures. Start the site and one Celery worker first, with the same
settings in this shell (the script creates its test users through the ORM), e.g.:

    export DJANGO_SETTINGS_MODULE=ecgsite.settings.local DEBUG=false \
           DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecg_bench REDIS_URL=redis://127.0.0.1:6379/4
    .venv/bin/python manage.py migrate
    export ECG_UPLOADS_PER_MINUTE=100000 GUNICORN_BIND=127.0.0.1:8000 GUNICORN_ACCESS_LOG=/dev/null
    .venv/bin/gunicorn ecgsite.wsgi -c gunicorn.conf.py &
    .venv/bin/celery -A ecgsite worker -l warning &
    .venv/bin/python scripts/bench_site.py --base-url http://127.0.0.1:8000 --bursts 10

gunicorn and the worker run with their production defaults (3 processes of 32 threads; one
pool process per core); DEBUG off, since DEBUG keeps every SQL query in memory.

What it measures, after one warm-up upload (the worker loads the model on its first task):
  * 1 user: beat images uploaded one after another;
  * 20 users at once (threads, each its own session), each uploading beat images in turn,
    the next as soon as the last result is back (a closed loop: the site is as busy as it
    is fast, and the latency is about 20 / throughput);
  * with --bursts N: N rounds of the 20 users each uploading one picture at the same moment;
  * one 30-minute MIT-BIH record (.hea + .dat), alone;
  * with --api (or --api-only): 20 clients at once submitting beat pictures through the JSON
    API with their own API tokens (bearer authentication, polling the status endpoint).
Latency ("seen") is "upload started -> the client has the result", and also the server's own
figure (finished_at - queued_at). How the client learns of the result (--mode): "poll" as the
upload page did before long-polling (first status request after 700 ms, then 1.5 times
longer), "push" as it does now (a picture's upload answer waits up to --upload-wait seconds
for the result; otherwise status.json?since=<status>&wait=25, answered when the worker writes
the result), "both" runs the two one after the other. Throughput is finished diagnoses
per minute over the whole concurrent run. The machine's load is printed: on a shared machine
the figures move with it.
gunicorn runs as in production (gunicorn.conf.py: threads, so waiting requests do not block
the others); the upload limit per minute is raised so that one user's run is not refused.
"""
import argparse
import http.cookiejar
import io
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-7f3a9c"
# The page's first status request before long-polling (static/js/diagnosis_upload.js then).
OLD_PAGE_FIRST_POLL_S = 0.7
PUSH_WAIT_S = 25
UPLOAD_WAIT_S = 5


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecgsite.settings.local")
    import django

    django.setup()


def ensure_users(count):
    """Bench users with confirmed e-mail addresses (as after a finished sign-up)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    User = get_user_model()
    emails = [f"bench-{i:02d}@example.com" for i in range(count)]
    for email in emails:
        user, created = User.objects.get_or_create(email=email)
        if created or not user.check_password(PASSWORD):
            user.set_password(PASSWORD)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True})
    return emails


def delete_bench_diagnoses():
    from diagnosis.models import Diagnosis

    Diagnosis.objects.filter(owner__email__startswith="bench-").delete()


def beat_images(data_dir, count):
    """PNG drawings of real annotated beats (several classes), as other tools draw them."""
    import wfdb
    from PIL import Image, ImageDraw

    picks = [("100", "N"), ("208", "V"), ("109", "L"), ("118", "R"), ("209", "A")]
    images = []
    for record, symbol in picks:
        base = str(Path(data_dir) / "mitdb" / record)
        rec = wfdb.rdrecord(base, channels=[0])
        ann = wfdb.rdann(base, "atr")
        peaks = [s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym == symbol]
        for peak in peaks[10:10 + max(1, count // len(picks) + 1)]:
            x = rec.p_signal[int(peak - 0.25 * rec.fs):int(peak + 0.45 * rec.fs), 0]
            lo, hi = float(x.min()), float(x.max())
            points = [(i / (len(x) - 1) * 181 + 5, (1 - (v - lo) / (hi - lo)) * 117 + 5)
                      for i, v in enumerate(x)]
            img = Image.new("RGB", (192, 128), "white")
            ImageDraw.Draw(img).line(points, fill=(90, 90, 90), width=2)
            buffer = io.BytesIO()
            img.save(buffer, format="PNG")
            images.append(buffer.getvalue())
    return images


def unique_png(png):
    """The same picture with a random text chunk: the site collapses the same upload sent
    again by the same person (ECG_UPLOAD_DEDUPE_WINDOW_S) into the diagnosis it already has,
    which would measure nothing."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("bench", secrets.token_hex(8))
    buffer = io.BytesIO()
    Image.open(io.BytesIO(png)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One signed-in user (standard library HTTP only: a cookie jar and urllib)."""

    def __init__(self, base_url, email, poll, mode="push", upload_wait=UPLOAD_WAIT_S):
        self.base = base_url.rstrip("/")
        self.upload_wait = upload_wait
        self.poll = poll
        self.mode = mode
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self.login(email)

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data=None, headers=None, content_type=None):
        request = urllib.request.Request(f"{self.base}{path}", data=data,
                                         headers=dict(headers or {}))
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with self.opener.open(request, timeout=600) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:  # 3xx (not followed) and 4xx/5xx
            return exc.code, exc.read()

    def login(self, email):
        self.request("/accounts/login/")
        form = urllib.parse.urlencode({"login": email, "password": PASSWORD,
                                       "csrfmiddlewaretoken": self.csrf()}).encode()
        for _ in range(20):
            status, _ = self.request("/accounts/login/", form,
                                     {"Referer": f"{self.base}/accounts/login/"},
                                     "application/x-www-form-urlencoded")
            if status != 429:
                break
            time.sleep(5)  # the site's login rate limit (allauth): wait, then try again
        if status != 302:
            raise SystemExit(f"login of {email} failed ({status}); is the site using the same "
                             "database as this script?")

    def post_files(self, files):
        boundary = secrets.token_hex(16)
        body = io.BytesIO()
        fields = [("csrfmiddlewaretoken", None, self.csrf().encode())]
        fields += [("files", name, content) for name, content in files]
        for field, filename, content in fields:
            body.write(f"--{boundary}\r\n".encode())
            disposition = f'form-data; name="{field}"'
            if filename:
                disposition += f'; filename="{filename}"'
            body.write(f"Content-Disposition: {disposition}\r\n".encode())
            if filename:
                body.write(b"Content-Type: application/octet-stream\r\n")
            body.write(b"\r\n" + content + b"\r\n")
        body.write(f"--{boundary}--\r\n".encode())
        # What static/js/diagnosis_upload.js does: a picture's answer waits for its result.
        wait = self.upload_wait if self.mode == "push" else 0
        path = "/diagnosis/upload/" + (f"?wait={wait:g}" if wait else "")
        return self.request(
            path, body.getvalue(),
            {"Accept": "application/json", "X-CSRFToken": self.csrf(),
             "Referer": f"{self.base}/diagnosis/upload/"},
            f"multipart/form-data; boundary={boundary}")

    def upload(self, files, timeout=600):
        """Upload ``files`` [(name, bytes)] and wait for the result; returns a record."""
        files = [(name, unique_png(content) if name.endswith(".png") else content)
                 for name, content in files]
        start = time.perf_counter()
        code, body = self.post_files(files)
        uploaded = time.perf_counter()
        if code != 201:
            raise RuntimeError(f"upload refused ({code}): {body[:300]!r}")
        status = json.loads(body)
        requests = 1
        delay = OLD_PAGE_FIRST_POLL_S
        while not status["finished"]:
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"diagnosis {status['id']} not finished after {timeout} s")
            url = status["status_url"]
            if self.mode == "push":
                # What static/js/diagnosis_live.js does: wait on the server for the change.
                since = ("queued,running" if status["kind"] == "image"
                         and status["status"] in ("queued", "running") else status["status"])
                url += f"?since={since}&wait={PUSH_WAIT_S}"
            elif self.mode == "poll":
                # What the upload page did before long-polling: first look after 700 ms,
                # then 1.5 times longer each time (at most 5 s).
                time.sleep(delay)
                delay = min(delay * 1.5, 5.0)
            else:  # "fast-poll": the --poll interval, as earlier versions of this script
                time.sleep(self.poll)
            _, body = self.request(url, headers={"Accept": "application/json"})
            requests += 1
            status = json.loads(body)
        end = time.perf_counter()
        server = (datetime.fromisoformat(status["finished_at"])
                  - datetime.fromisoformat(status["queued_at"])).total_seconds()
        return {"latency": end - start, "upload": uploaded - start, "server": server,
                "status": status["status"], "label": status["label"], "end": end,
                "start": start, "error": status["error"], "requests": requests}


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def report(title, results, wall=None):
    done = [r for r in results if r["status"] == "done"]
    failed = len(results) - len(done)
    lat = [r["latency"] for r in results]
    srv = [r["server"] for r in results]
    line = (f"{title:<40} n={len(results):<4} seen p50 {1000 * percentile(lat, .5):6.0f} ms  "
            f"p95 {1000 * percentile(lat, .95):6.0f} ms  max {1000 * max(lat):6.0f} ms   "
            f"server p50 {1000 * percentile(srv, .5):5.0f} ms  p95 "
            f"{1000 * percentile(srv, .95):5.0f} ms")
    if wall:
        line += f"   throughput {60 * len(results) / wall:6.1f} diagnoses/min"
    if results and "requests" in results[0]:
        line += f"   requests/upload {sum(r['requests'] for r in results) / len(results):.1f}"
    if failed:
        line += f"   ({failed} failed: {results[0]['error'] if results else ''})"
    print(line, flush=True)


# Processes of the site on this machine, by what they are (the first match of the command line).
SERVER_PROCESSES = (("web", "gunicorn"), ("worker", "celery"), ("PostgreSQL", "postgres"),
                    ("Redis", "redis-server"))


def server_cpu():
    """CPU seconds used so far by the site's processes on this machine, per process (empty
    when the site runs elsewhere). A process that starts or ends in between counts from its
    start or up to the last reading only."""
    import psutil  # installed with locust (requirements-dev.txt)

    totals = {}
    for proc in psutil.process_iter(["cmdline", "cpu_times"]):
        line = " ".join(proc.info["cmdline"] or [])
        times = proc.info["cpu_times"]
        for kind, needle in SERVER_PROCESSES:
            if needle in line and times is not None:
                totals[(kind, proc.pid)] = times.user + times.system
                break
    return totals


def cpu_per_kind(before, after, count):
    """Milliseconds of CPU per diagnosis for each kind of server process."""
    per_kind = {}
    for (kind, pid), seconds in after.items():
        per_kind[kind] = per_kind.get(kind, 0.0) + seconds - before.get((kind, pid), 0.0)
    return {kind: 1000 * seconds / count for kind, seconds in per_kind.items()}


def run_users(clients, images, per_user, bursts=False):
    """Every client uploads ``per_user`` pictures, each as soon as its previous result is
    back (a closed loop: the faster the site, the more it is asked); with ``bursts`` the
    clients wait for one another before each upload, so every round is len(clients)
    uploads sent at the same moment. Returns the results, the wall time, the client's
    own CPU seconds (this script shares the machine with the site it measures) and the CPU
    milliseconds per diagnosis of the site's processes on this machine."""
    results, lock = [], threading.Lock()
    barrier = threading.Barrier(len(clients))
    cpu = time.process_time()
    servers = server_cpu()

    def work(index, client):
        barrier.wait()
        for k in range(per_user):
            if bursts and k:
                barrier.wait()
            image = images[(index * per_user + k) % len(images)]
            result = client.upload([(f"beat-{index}-{k}.png", image)])
            with lock:
                results.append(result)

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return (results, wall, time.process_time() - cpu,
            cpu_per_kind(servers, server_cpu(), len(results)))


# --- The API (--api) -------------------------------------------------------------------------


def api_tokens(emails):
    """A fresh API token for each bench user (created through the ORM, as the account page
    does); the bench's earlier tokens are deleted first."""
    from django.contrib.auth import get_user_model

    from api.models import ApiToken

    ApiToken.objects.filter(user__email__in=emails, name="bench").delete()
    users = get_user_model().objects.filter(email__in=emails).order_by("email")
    return [ApiToken.issue(user, "bench")[1] for user in users]


class ApiClient:
    """One device with an API token: submits through POST /api/v1/diagnoses/ and polls the
    diagnosis's status link (standard library HTTP only)."""

    def __init__(self, base_url, token, poll):
        self.base = base_url.rstrip("/")
        self.poll = poll
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def request(self, url, data=None, content_type=None, headers=None):
        request = urllib.request.Request(url if url.startswith("http") else self.base + url,
                                         data=data, headers={**self.headers, **(headers or {})})
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def submit(self, name, content, key):
        boundary = secrets.token_hex(16)
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
                f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                ).encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request("/api/v1/diagnoses/", body,
                            f"multipart/form-data; boundary={boundary}",
                            {"Idempotency-Key": key})

    def upload(self, name, content, timeout=600):
        """Submit one picture and wait for its result; returns a record like Client.upload."""
        content = unique_png(content)
        start = time.perf_counter()
        code, body = self.submit(name, content, key=secrets.token_hex(16))
        uploaded = time.perf_counter()
        if code != 201:
            raise RuntimeError(f"API submission refused ({code}): {body[:300]!r}")
        status = json.loads(body)
        while not status["finished"]:
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"diagnosis {status['id']} not finished after {timeout} s")
            time.sleep(self.poll)
            code, body = self.request(status["links"]["status"])
            if code == 429:  # over the token's rate limit: wait as told
                continue
            status = json.loads(body)
        end = time.perf_counter()
        server = (datetime.fromisoformat(status["finished_at"])
                  - datetime.fromisoformat(status["queued_at"])).total_seconds()
        return {"latency": end - start, "upload": uploaded - start, "server": server,
                "status": status["status"], "label": status["label"], "end": end,
                "start": start, "error": status["error"]}


def run_api(args, emails, images):
    """--api: the concurrent run again, through the API: args.users devices at once, each
    submitting args.per_user beat pictures in turn and polling each to its result."""
    clients = [ApiClient(args.base_url, token, args.poll)
               for token in api_tokens(emails[: args.users])]
    warm = clients[0].upload("warm-up.png", images[0])
    print(f"{'API warm-up':<34} latency {warm['latency']:6.2f} s ({warm['status']})",
          flush=True)
    results, lock = [], threading.Lock()
    barrier = threading.Barrier(len(clients))

    def work(index, client):
        barrier.wait()
        for k in range(args.per_user):
            image = images[(index * args.per_user + k) % len(images)]
            result = client.upload(f"api-beat-{index}-{k}.png", image)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    report(f"beat image, API, {args.users} clients", results, wall)
    print(f"   (submit request alone: p50 {percentile([r['upload'] for r in results], .5):.2f} s,"
          f" p95 {percentile([r['upload'] for r in results], .95):.2f} s)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--single-uploads", type=int, default=20,
                        help="uploads in the one-user run")
    parser.add_argument("--per-user", type=int, default=5,
                        help="uploads per user in the concurrent run")
    parser.add_argument("--bursts", type=int, default=0,
                        help="also this many rounds of --users uploads sent at the same "
                             "moment (each round starts when the last one is back)")
    parser.add_argument("--record", default="100", help="mitdb record for the 30-minute run")
    parser.add_argument("--records", type=int, default=3,
                        help="times to run the record (0: no record run)")
    parser.add_argument("--poll", type=float, default=0.1,
                        help="status poll interval (s) of --mode fast-poll")
    parser.add_argument("--mode", choices=["both", "poll", "push", "fast-poll"], default="both",
                        help="how the client learns of the result: poll as the page did before "
                             "(first look after 700 ms, then 1.5x), push (long-polling, as the "
                             "page does now), both (one after the other), or fast-poll "
                             "(every --poll s)")
    parser.add_argument("--upload-wait", type=float, default=UPLOAD_WAIT_S,
                        help="push mode: seconds a picture's upload answer may wait for its "
                             "result, as the upload page asks (0: it answers at once and the "
                             "client long-polls the status, as the page did before)")
    parser.add_argument("--keep", action="store_true", help="keep the bench diagnoses")
    parser.add_argument("--api", action="store_true",
                        help="also submit through the API (the concurrent run, with tokens)")
    parser.add_argument("--api-only", action="store_true",
                        help="only the API run (no browser-form runs)")
    args = parser.parse_args(argv)

    setup_django()
    from django.conf import settings

    data_dir = Path(settings.ECG_DATA_DIR)
    emails = ensure_users(max(args.users, 1))
    images = beat_images(data_dir, 40)
    print(f"Site {args.base_url}; {len(images)} beat images from mitdb; record "
          f"{args.record} from {data_dir / 'mitdb'}", flush=True)

    if args.api_only:
        run_api(args, emails, images)
        if not args.keep:
            delete_bench_diagnoses()
        return

    print(f"Load of this machine before the runs: {os.getloadavg()[0]:.2f} "
          f"(1-minute average, {os.cpu_count()} CPUs)", flush=True)
    solo = Client(args.base_url, emails[0], args.poll, upload_wait=args.upload_wait)
    warm = solo.upload([("warm-up.png", images[0])])
    print(f"{'warm-up (model load in worker)':<40} latency {warm['latency']:6.2f} s "
          f"({warm['status']})", flush=True)

    modes = ["poll", "push"] if args.mode == "both" else [args.mode]
    for mode in modes:
        solo.mode = mode
        results = [solo.upload([(f"beat-{k}.png", images[k % len(images)])])
                   for k in range(args.single_uploads)]
        report(f"beat image, 1 user, {mode}", results)

        clients = [Client(args.base_url, e, args.poll, mode, args.upload_wait)
                   for e in emails[: args.users]]
        runs = [("users at once", False)] + ([("at once, bursts", True)] if args.bursts else [])
        for name, bursts in runs:
            per_user = args.bursts if bursts else args.per_user
            results, wall, cpu, servers = run_users(clients, images, per_user, bursts)
            report(f"beat image, {args.users} {name}, {mode}", results, wall)
            print(f"   (upload request alone: p50 "
                  f"{1000 * percentile([r['upload'] for r in results], .5):.0f} ms, p95 "
                  f"{1000 * percentile([r['upload'] for r in results], .95):.0f} ms; this "
                  f"script's CPU {1000 * cpu / len(results):.0f} ms per upload; load "
                  f"{os.getloadavg()[0]:.2f})", flush=True)
            if servers:
                print("   (CPU per diagnosis on this machine: " + ", ".join(
                    f"{kind} {ms:.1f} ms" for kind, ms in servers.items()) + ")", flush=True)
    solo.mode = modes[-1]
    if not args.records:
        if not args.keep:
            delete_bench_diagnoses()
        return

    header = data_dir / "mitdb" / f"{args.record}.hea"
    signal = (header.with_suffix(".dat").name, header.with_suffix(".dat").read_bytes())
    # A header comment line makes each upload a new file (the site collapses a repeated one).
    results = [solo.upload([(header.name, header.read_bytes()
                             + f"# bench {secrets.token_hex(4)}\n".encode()), signal])
               for _ in range(args.records)]
    report(f"30-minute record {args.record}", results)
    print(f"   (upload request alone: p50 {percentile([r['upload'] for r in results], .5):.2f} s;"
          f" label {results[-1]['label']})")

    if args.api:
        run_api(args, emails, images)

    if not args.keep:
        delete_bench_diagnoses()


if __name__ == "__main__":
    main()
