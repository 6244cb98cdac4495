#!/usr/bin/env python
"""Load benchmark: the site with production settings under 50 simulated people for 60 s.

Not a test: it starts the stack, runs Locust headless (scripts/locustfile.py) and prints what
it measured. Usage (PostgreSQL and Redis on 127.0.0.1, the PhysioNet records in
../shared/data or ECG_DATA_DIR):

    .venv/bin/python scripts/load.py                    # 50 users, 60 s
    .venv/bin/python scripts/load.py --users 20 --seconds 30 --web-workers 2

What it starts, each in its own process group, all stopped at the end:
  * a database of its own (``--database``, default ecg_load; migrated; dropped afterwards
    unless --keep) and a Redis database (``--redis-url``, flushed first);
  * gunicorn (one process pool: --web-workers processes x --threads threads; by default 3
    sync workers with a 60 s timeout, as the Dockerfile runs it) with
    ecgsite.settings.production, a fresh random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1;
  * one Celery worker (--worker-concurrency pool processes, default 1);
  * Locust, headless, --users people spawned at --spawn-rate per second.

The stand-in for the TLS proxy: the site trusts X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER,
as behind the real proxy) and the Locust client sets it on every request over loopback
http://, so Django sees HTTPS (Secure cookies, Referer-checked CSRF, no SSL redirect).

People are signed in before the run (sessions made through Django, as a sign-in would): the
sign-in rate limit is per IP address, and all 50 come from 127.0.0.1 here.

Prints: requests per second, p50/p95 per page, upload-to-result latency (p50/p95), errors,
and the peak resident memory of the web server (master + workers) and of the worker (main
process + pool), sampled every 0.2 s; then checks in the database that every accepted
upload was classified exactly once.
"""
import argparse
import csv
import os
import secrets
import signal
import struct
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "runs" / "load"
PY = sys.executable


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    # As the Dockerfile runs it: 3 sync workers (no keep-alive). With --threads > 1 gunicorn
    # keeps idle connections 2 s, and a client reusing one as it closes gets a reset.
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--database", default="ecg_load")
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--keep", action="store_true", help="keep the database and runs/load")
    return parser.parse_args(argv)


def unique_png(png):
    """``png`` with a tEXt chunk holding a random nonce before IEND: the same picture, but a
    different file, so the site's duplicate collapsing does not answer from an earlier upload."""
    data = b"load\x00" + secrets.token_hex(8).encode()
    chunk = struct.pack(">I", len(data)) + b"tEXt" + data
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + data) & 0xFFFFFFFF)
    end = png.rindex(b"IEND") - 4
    return png[:end] + chunk + png[end:]


def stack_env(args):
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "ecgsite.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{args.db_url}/{args.database}",
        "REDIS_URL": args.redis_url,
        "CACHE_KEY_PREFIX": "ecg-load",
        "MEDIA_ROOT": str(OUT / "media"),
        "STATIC_ROOT": str(OUT / "static"),
        "EMAIL_URL": "consolemail://",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def run(cmd, env, **kwargs):
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


def create_database(args):
    import psycopg

    with psycopg.connect(f"{args.db_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')


def drop_database(args):
    import psycopg

    with psycopg.connect(f"{args.db_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


def prepare(args, env):
    """Database, static files, accounts with sessions, and the beat pictures."""
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    create_database(args)
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PY, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT / 'scripts')!r})
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from allauth.account.models import EmailAddress
from bench_site import beat_images
accounts = []
for i in range({args.users}):
    email = f"load-{{i:02d}}@example.com"
    user = get_user_model().objects.create_user(email=email, password=None)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    client = Client()
    client.force_login(user)
    accounts.append({{"email": email,
                      "session": client.cookies[settings.SESSION_COOKIE_NAME].value}})
pictures = [p.hex() for p in beat_images(settings.ECG_DATA_DIR, 20)]
print(json.dumps({{"accounts": accounts, "pictures": pictures,
                   "session_cookie": settings.SESSION_COOKIE_NAME,
                   "csrf_cookie": settings.CSRF_COOKIE_NAME}}))
"""
    users = subprocess.run([PY, "manage.py", "shell", "-c", code], env=env, cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout
    path = OUT / "users.json"
    path.write_text(users.strip().splitlines()[-1])
    return path


def start(cmd, env, log_name):
    log = open(OUT / log_name, "wb")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise SystemExit(f"timed out waiting for {what}")


def answers(url):
    # Through the proxy's stand-in: without the header the site redirects to https://.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=2):
            return True
    except OSError:
        return False


class PeakMemory(threading.Thread):
    """Peak resident memory (MiB) of a process and all its descendants, summed."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        import psutil

        self.root = psutil.Process(pid)
        self.peak = 0.0
        self.running = True

    def run(self):
        import psutil

        while self.running:
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.2)


def read_stats(prefix):
    with open(f"{prefix}_stats.csv") as f:
        return list(csv.DictReader(f))


def classified_once(env):
    code = """
from django.db.models import Count
from diagnosis.models import Diagnosis
rows = Diagnosis.objects.filter(owner__email__startswith="load-")
print(rows.count(), dict(rows.values_list("status").annotate(n=Count("id"))),
      rows.filter(attempts__gt=1).count())
"""
    out = subprocess.run([PY, "manage.py", "shell", "-c", code], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def main(argv=None):
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    env = stack_env(args)
    print(f"Preparing: database {args.database}, {args.users} signed-in accounts...",
          flush=True)
    users_file = prepare(args, env)
    base = f"http://127.0.0.1:{args.port}"
    web = start([PY, "-m", "gunicorn", "ecgsite.wsgi:application", "--bind",
                 f"127.0.0.1:{args.port}", "--workers", str(args.web_workers), "--threads",
                 str(args.threads), "--timeout", "60"], env, "web.log")
    worker = start([PY, "-m", "celery", "-A", "ecgsite", "worker", "--concurrency",
                    str(args.worker_concurrency), "--loglevel", "INFO", "--without-gossip",
                    "--without-mingle"], env, "worker.log")
    processes = [web, worker]
    try:
        wait_for(lambda: answers(base + "/"), 60, "the web server")
        wait_for(lambda: "ready." in (OUT / "worker.log").read_text(), 120, "the worker")
        memory = {"web": PeakMemory(web.pid), "worker": PeakMemory(worker.pid)}
        for sampler in memory.values():
            sampler.start()
        print(f"Web: gunicorn, {args.web_workers} processes x {args.threads} threads; worker: "
              f"{args.worker_concurrency} pool process(es). Running Locust: {args.users} users "
              f"for {args.seconds} s...", flush=True)
        prefix = OUT / "locust"
        locust_env = {**env, "LOAD_USERS_FILE": str(users_file)}
        started = time.monotonic()
        subprocess.run([PY, "-m", "locust", "-f", str(ROOT / "scripts" / "locustfile.py"),
                        "--headless", "--users", str(args.users), "--spawn-rate",
                        str(args.spawn_rate), "--run-time", f"{args.seconds}s",
                        "--host", base, "--csv", str(prefix), "--only-summary",
                        "--loglevel", "WARNING", "--stop-timeout", "130"],
                       env=locust_env, cwd=ROOT, check=False,
                       stdout=open(OUT / "locust.log", "wb"), stderr=subprocess.STDOUT)
        wall = time.monotonic() - started
        time.sleep(1)
        for sampler in memory.values():
            sampler.running = False
        report(read_stats(prefix), wall, memory, args)
        print(f"Diagnoses of the run (count, by status, run more than once): "
              f"{classified_once(env)}")
        print(f"Logs and Locust's CSV files (failures in locust_failures.csv): {OUT}")
    finally:
        for process in processes:
            stop(process)
        if not args.keep:
            drop_database(args)


def report(rows, wall, memory, args):
    print(f"\n{'name':<40} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'max ms':>7}")
    aggregated = None
    for row in rows:
        if row["Name"] == "Aggregated":
            aggregated = row
            continue
        name = row["Name"] if row["Type"] != "RESULT" else "UPLOAD TO RESULT (poll 0.25 s)"
        print(f"{row['Type'] + ' ' + name if row['Type'] != 'RESULT' else name:<40} "
              f"{row['Request Count']:>8} {row['Failure Count']:>6} "
              f"{float(row['Requests/s']):7.2f} {row['50%']:>7} {row['95%']:>7} "
              f"{float(row['Max Response Time']):7.0f}")
    if aggregated:
        results = sum(int(r["Request Count"]) for r in rows if r["Type"] == "RESULT")
        requests = int(aggregated["Request Count"]) - results
        errors = int(aggregated["Failure Count"])
        print(f"\nHTTP requests: {requests} in {args.seconds} s = {requests / args.seconds:.1f} "
              f"requests/s; errors (HTTP and unfinished results): {errors}")
    print(f"Peak memory: web {memory['web'].peak:.0f} MiB (gunicorn master + "
          f"{args.web_workers} workers), worker {memory['worker'].peak:.0f} MiB (main + "
          f"{args.worker_concurrency} pool process(es)); wall {wall:.0f} s")


if __name__ == "__main__":
    main()
