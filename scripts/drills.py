#!/usr/bin/env python
"""Fault drills: what happens to uploads when a part of the stack fails, measured.

Not a test: a person runs it and reads the outcome it prints. Each drill starts the site
(gunicorn with production settings behind the loopback stand-in for the TLS proxy, as
scripts/load.py does), a Celery worker with the periodic sweep (--beat), and its OWN
PostgreSQL and Redis servers (a PostgreSQL cluster made with initdb under runs/drills/ on
port 5442, a redis-server on port 6391), so that stopping them never disturbs anything
else on the machine. Then it uploads beat pictures (each a distinct file) while it breaks
one part, and checks afterwards:

  * accepted: every upload answered 201 has a result (done), within the drill's wait;
  * refused: uploads answered 503 "temporarily unavailable, not stored" left no row;
  * no answer (connection dropped): retried once, as a person would, and then either
    stored once (the retry collapses into the first, when the first was stored) or refused;
  * classified once: the worker logged exactly one successful classification per result.

    .venv/bin/python scripts/drills.py all            # or: worker-kill redis-restart
                                                     #     postgres-restart web-restart

Needs: redis-server and PostgreSQL's server binaries (/usr/lib/postgresql/<v>/bin; as root
the cluster runs as the ``postgres`` user), and the PhysioNet records (../shared/data).
Timings are the production defaults except two that would make a person wait minutes: a
queued row is re-sent by the sweep after ECG_DIAGNOSIS_REQUEUE_AFTER_S=20 s (default 120)
and the sweep runs every 5 s (default 15).
"""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (scripts/load.py: the stack's environment and helpers)

ROOT = load.ROOT
OUT = ROOT / "runs" / "drills"
PG_PORT, REDIS_PORT = 5442, 6391
PY = sys.executable


def as_postgres():
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class Postgres:
    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise SystemExit("PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) are "
                             "missing: apt-get install postgresql")
        self.bin = Path(bins[-1])
        self.data = OUT / "pg"
        shutil.rmtree(self.data, ignore_errors=True)
        self.data.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(OUT, "postgres")
            shutil.chown(self.data, "postgres")
        subprocess.run([*as_postgres(), str(self.bin / "initdb"), "-D", str(self.data), "-A",
                        "trust", "-U", "postgres"], check=True, capture_output=True)

    def ctl(self, *args):
        subprocess.run([*as_postgres(), str(self.bin / "pg_ctl"), "-D", str(self.data), "-w",
                        "-l", str(self.data / "server.log"), *args], check=True,
                       capture_output=True)

    def start(self):
        self.ctl("-o", f"-p {PG_PORT} -k /tmp -c listen_addresses=127.0.0.1", "start")

    def stop(self):
        self.ctl("-m", "fast", "stop")


class Redis:
    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, start_new_session=True)
        load.wait_for(lambda: subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"],
                                             capture_output=True).returncode == 0, 20, "Redis")

    def stop(self):
        # As a crash or a restart without persistence would: the queue is lost with it.
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


class Stack:
    def __init__(self, name):
        OUT.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.pg, self.redis = Postgres(), Redis()
        self.pg.start()
        self.redis.start()
        args = load.parse_args(["--users", "1", "--port", "8766", "--database", "ecg_drill",
                                "--db-url", f"postgres://postgres@127.0.0.1:{PG_PORT}",
                                "--redis-url", f"redis://127.0.0.1:{REDIS_PORT}/0"])
        load.OUT = OUT
        self.args = args
        self.env = load.stack_env(args)
        self.env.update({"ECG_DIAGNOSIS_REQUEUE_AFTER_S": "20",
                         "ECG_DIAGNOSIS_SWEEP_EVERY_S": "5", "LOG_LEVEL": "INFO"})
        users = json.loads(load.prepare(args, self.env).read_text())
        self.account = users["accounts"][0]["session"]
        self.cookies = (users["session_cookie"], users["csrf_cookie"])
        self.pictures = [bytes.fromhex(p) for p in users["pictures"]]
        self.base = f"http://127.0.0.1:{args.port}"
        self.web = self.worker = None
        self.start_web()
        self.start_worker()

    def start_web(self):
        self.web = load.start([PY, "-m", "gunicorn", "ecgsite.wsgi:application", "--bind",
                               f"127.0.0.1:{self.args.port}", "--workers", "2", "--timeout",
                               "120"], self.env, f"{self.name}-web.log")
        load.wait_for(lambda: load.answers(self.base + "/"), 60, "the web server")

    def start_worker(self, log_suffix=""):
        log = f"{self.name}-worker{log_suffix}.log"
        self.worker = load.start([PY, "-m", "celery", "-A", "ecgsite", "worker", "--beat",
                                  "--schedule", str(OUT / "beat-schedule"), "--concurrency",
                                  "1", "--loglevel", "INFO"], self.env, log)
        load.wait_for(lambda: "ready." in (OUT / log).read_text(), 120, "the worker")

    def kill(self, process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def close(self):
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                load.stop(process)
        self.redis.stop()
        self.pg.stop()

    # --- uploading ---------------------------------------------------------------------

    def upload(self, name, content):
        """(status code or None when no answer, JSON body or None)."""
        csrf = "b" * 32
        try:
            response = requests.post(
                f"{self.base}/diagnosis/upload/", files={"files": (name, content, "image/png")},
                headers={"X-Forwarded-Proto": "https", "Accept": "application/json",
                         "X-CSRFToken": csrf, "Referer": f"https://127.0.0.1:{self.args.port}/",
                         "Cookie": f"{self.cookies[0]}={self.account}; "
                                   f"{self.cookies[1]}={csrf}"},
                timeout=30, allow_redirects=False)
        except requests.RequestException:
            return None, None
        try:
            body = response.json()
        except ValueError:
            body = {"html": response.text[:200]}
        return response.status_code, body

    def upload_during(self, seconds, every=0.5):
        """Uploads a distinct picture every ``every`` s for ``seconds`` s, in a thread;
        returns (thread, outcomes) with outcomes [(name, bytes, code, body)]."""
        outcomes = []

        def run():
            end, k = time.monotonic() + seconds, 0
            while time.monotonic() < end:
                name = f"{self.name}-{k}.png"
                content = load.unique_png(self.pictures[k % len(self.pictures)])
                code, body = self.upload(name, content)
                outcomes.append((name, content, code, body))
                k += 1
                time.sleep(every)

        thread = threading.Thread(target=run)
        thread.start()
        return thread, outcomes

    def rows(self):
        code = """
import json
from diagnosis.models import Diagnosis
print(json.dumps(list(Diagnosis.objects.values("id", "status", "attempts", "original_name"))))
"""
        out = subprocess.run([PY, "manage.py", "shell", "-c", code], env=self.env, cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout
        return {r["id"]: r for r in json.loads(out.strip().splitlines()[-1])}

    def settle(self, outcomes, wait_s=150):
        """Retry the unanswered uploads once; wait for every stored row to finish; report."""
        for i, (name, content, code, _body) in enumerate(outcomes):
            if code is None:
                retry_code, retry_body = self.upload(name, content)
                outcomes[i] = (name, content, "none->" + str(retry_code), retry_body)
        started = time.monotonic()
        while time.monotonic() - started < wait_s:
            rows = self.rows()
            if all(r["status"] in ("done", "failed") for r in rows.values()):
                break
            time.sleep(2)
        rows = self.rows()
        logs = "".join(p.read_text(errors="replace")
                       for p in OUT.glob(f"{self.name}-worker*.log"))
        successes = len(re.findall(r"classify_diagnosis\[[^]]+\] succeeded in \S+ 'done'",
                                   logs))
        accepted = [b["id"] for _, _, c, b in outcomes if str(c).endswith("201") and b]
        by_code = {}
        for _, _, c, _ in outcomes:
            by_code[str(c)] = by_code.get(str(c), 0) + 1
        done = [r for r in rows.values() if r["status"] == "done"]
        lost = [pk for pk in accepted if rows.get(pk, {}).get("status") != "done"]
        names = {}
        for r in rows.values():
            names[r["original_name"]] = names.get(r["original_name"], 0) + 1
        print(f"  uploads: {len(outcomes)}; answers: {by_code}")
        print(f"  rows stored: {len(rows)}, done: {len(done)}, other: "
              f"{sorted({r['status'] for r in rows.values()} - {'done'})}; "
              f"attempts>1: {sum(r['attempts'] > 1 for r in rows.values())}; "
              f"files stored twice: {sum(n > 1 for n in names.values())}")
        print(f"  accepted (201) but not done after {time.monotonic() - started:.0f} s: "
              f"{lost or 'none'}")
        refused = [n for n, _, c, _ in outcomes if str(c).endswith("503")]
        print(f"  refused with 503 but stored anyway: "
              f"{[n for n in refused if n in names] or 'none'}")
        print(f"  successful classifications logged by the worker: {successes} "
              f"(= rows done: {successes == len(done)})")
        return not lost and successes == len(done)


def drill_worker_kill(stack):
    print("Worker killed (SIGKILL, with its pool) in the middle of a 30-minute recording; "
          "restarted 5 s later, while pictures keep coming.")
    data = Path(os.environ.get("ECG_DATA_DIR", ROOT.parent / "shared" / "data"))
    header = data / "mitdb" / "100.hea"
    csrf = "b" * 32
    response = requests.post(
        f"{stack.base}/diagnosis/upload/",
        files=[("files", ("100.hea", header.read_bytes())),
               ("files", ("100.dat", header.with_suffix(".dat").read_bytes()))],
        headers={"X-Forwarded-Proto": "https", "Accept": "application/json",
                 "X-CSRFToken": csrf, "Referer": f"https://127.0.0.1:{stack.args.port}/",
                 "Cookie": f"{stack.cookies[0]}={stack.account}; {stack.cookies[1]}={csrf}"},
        timeout=60)
    record = response.json()["id"]
    load.wait_for(lambda: stack.rows()[record]["status"] == "running", 60, "the record to run")
    thread, outcomes = stack.upload_during(10)
    time.sleep(1)
    killed = time.monotonic()
    stack.kill(stack.worker)
    print(f"  killed the worker while diagnosis {record} was running")
    time.sleep(5)
    stack.start_worker("-2")
    thread.join()
    load.wait_for(lambda: stack.rows()[record]["status"] in ("done", "failed"), 180,
                  "the record to finish")
    print(f"  the record was done {time.monotonic() - killed:.0f} s after the kill "
          f"(attempts {stack.rows()[record]['attempts']})")
    outcomes.append(("100.hea", b"", 201, {"id": record}))
    return stack.settle(outcomes)


def drill_redis_restart(stack):
    print("Redis (cache and broker) killed 4 s into 16 s of uploads (one every 0.5 s) and "
          "restarted 6 s later, empty.")
    thread, outcomes = stack.upload_during(16)
    time.sleep(4)
    stack.redis.stop()
    time.sleep(6)
    stack.redis.start()
    thread.join()
    return stack.settle(outcomes)


def drill_postgres_restart(stack):
    print("PostgreSQL stopped 4 s into 16 s of uploads (one every 0.5 s) and started 5 s "
          "later.")
    thread, outcomes = stack.upload_during(16)
    time.sleep(4)
    stack.pg.stop()
    time.sleep(5)
    stack.pg.start()
    thread.join()
    return stack.settle(outcomes)


def drill_web_restart(stack):
    print("Web server killed (SIGKILL, gunicorn and its workers) 4 s into 12 s of uploads "
          "and restarted at once; uploads with no answer are sent again once.")
    thread, outcomes = stack.upload_during(12, every=0.2)
    time.sleep(4)
    stack.kill(stack.web)
    stack.start_web()
    thread.join()
    return stack.settle(outcomes)


DRILLS = {"worker-kill": drill_worker_kill, "redis-restart": drill_redis_restart,
          "postgres-restart": drill_postgres_restart, "web-restart": drill_web_restart}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("drill", choices=[*DRILLS, "all"])
    args = parser.parse_args(argv)
    names = list(DRILLS) if args.drill == "all" else [args.drill]
    verdicts = {}
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        stack = Stack(name)
        try:
            verdicts[name] = DRILLS[name](stack)
        finally:
            stack.close()
    for name, ok in verdicts.items():
        print(f"{name}: " + ("nothing accepted lost, each classified once" if ok
                             else "FAILED (see above)"))
    sys.exit(0 if all(verdicts.values()) else 1)


if __name__ == "__main__":
    main()
