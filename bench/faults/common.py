"""What the fault tests share: a small district on a throwaway database with `trellis serve`
in front, and phones that sync and read pages from threads while a fault is made, keeping
every answer for the checks."""

import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import harness  # noqa: E402
from client import Device, csrf_headers, sign_in  # noqa: E402

# What an answer must never show: a traceback, the database's own words, SQL.
LEAKS = ("Traceback", "psycopg", "OperationalError", "SELECT ", "INSERT ", "django.db")


def prepare(database_url, data_dir, env, *, collectors=8, supervisors=1):
    """Create, migrate and fill the database, collect the static files; the accounts."""
    harness.create_database(database_url)
    harness.trellis(env, "migrate", "--noinput")
    harness.trellis(env, "collectstatic", "--noinput", "--verbosity", "0")
    harness.setup_django(env)
    from django.db import connection
    from world import build

    from trellis.audit.log import AuditContext, set_context

    set_context(AuditContext())
    accounts = build(collectors, supervisors, history_days=5)
    connection.close()
    (Path(data_dir) / "accounts.json").write_text(json.dumps(accounts))
    return accounts


def check(ok, text):
    print(f"  [{'ok' if ok else 'FAILED'}] {text}")
    return ok


class Answer:
    __slots__ = ("at", "what", "status", "json", "leak", "seconds")

    def __init__(self, at, what, status, is_json, leak, seconds):
        self.at, self.what, self.status, self.json = at, what, status, is_json
        self.leak, self.seconds = leak, seconds


class Phone:
    """A collector's phone on its own thread: signs in, starts a session, then syncs a batch
    and reads a page in turn until stopped. A batch without a 200 stays pending and is sent
    again before anything new, as sync.js does. Every answer is kept."""

    def __init__(self, base, account, prompts, *, pause=0.3, end_every=0):
        import requests

        self.base = base
        self.http = requests.Session()
        self.device = Device(account, prompts)
        self.pause = pause
        self.end_every = end_every  # end the session after this many batches (0: never)
        self.answers = []
        # (ids, [(status, Counter of the answer's statuses or None) for each attempt])
        self.batches = []
        self.ended = []  # (session id, goal ids, when the end was answered 200)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def call(self, method, path, what, **kwargs):
        began = time.monotonic()
        try:
            response = self.http.request(method, self.base + path, timeout=30, **kwargs)
        except Exception as error:  # the server did not answer at all
            self.answers.append(Answer(time.time(), what, type(error).__name__, False, False,
                                       time.monotonic() - began))
            return None
        text = response.text
        is_json = response.headers.get("Content-Type", "").startswith("application/json")
        self.answers.append(
            Answer(time.time(), what, response.status_code, is_json,
                   any(word in text for word in LEAKS), time.monotonic() - began)
        )
        return response

    def json_headers(self):
        return csrf_headers(self.http.cookies) | {"Content-Type": "application/json"}

    def start(self):
        def call(method, path, name, **kwargs):
            return self.http.request(method, self.base + path, timeout=30, **kwargs)

        sign_in(call, self.http.cookies, self.device.account)
        self.open_session()
        self.thread.start()
        return self

    def open_session(self):
        body = self.device.start_body()
        while not self.stop.is_set():
            response = self.call("POST", "/api/v1/sessions", "session start",
                                 data=json.dumps(body), headers=self.json_headers())
            if response is not None and response.status_code in (200, 201):
                return True
            time.sleep(self.pause)
        return False

    def sync_pending(self):
        device = self.device
        body = device.pending or device.new_batch()
        ids = [e["id"] for e in body["events"]]
        if not self.batches or self.batches[-1][0] != ids:
            self.batches.append((ids, []))
        device.note_sent(body)
        response = self.call("POST", "/api/v1/sync", "sync", data=json.dumps(body),
                             headers=self.json_headers())
        status = response.status_code if response is not None else "no answer"
        if status == 200:
            results = response.json()["results"]
            device.answered(body, results)
            self.batches[-1][1].append((status, Counter(r["status"] for r in results)))
        else:
            self.batches[-1][1].append((status, None))
        return status == 200

    def end_session(self):
        device = self.device
        body = {"ended_at": device.previous[-1]["recorded_at"]}
        response = self.call("PATCH", f"/api/v1/sessions/{device.session}", "session end",
                             data=json.dumps(body), headers=self.json_headers())
        if response is not None and response.status_code == 200:
            self.ended.append((device.session, [g["id"] for g in device.learner["goals"]],
                               time.time()))
            device.next_learner()
            return self.open_session()
        return False

    def run(self):
        while not self.stop.is_set():
            if self.sync_pending():
                if self.end_every and self.device.batches_in_session >= self.end_every:
                    if not self.end_session():
                        continue  # stopped before the next session could start
            self.call("GET", "/caseload/", "page")
            self.call("GET", f"/collect/sessions/{self.device.session}/", "page")
            time.sleep(self.pause)

    def finish(self, seconds=60):
        """Stop the loop, then send what waits (a phone back on the network)."""
        self.stop.set()
        self.thread.join(60)
        deadline = time.monotonic() + seconds
        while self.device.pending is not None and time.monotonic() < deadline:
            if not self.sync_pending():
                time.sleep(1)
        return self.device.pending is None


def succeeded(status):
    return isinstance(status, int) and 200 <= status < 300


def summarize(phones, since=None, until=None):
    """Counter of (what, status, json) over the answers between two times."""
    seen = Counter()
    for phone in phones:
        for a in phone.answers:
            if (since is None or a.at >= since) and (until is None or a.at < until):
                seen[(a.what, a.status, a.json)] += 1
    return seen


def stored_counts(ids_by_batch):
    """How many of each batch's ids are stored."""
    from django.db import connection

    counts = []
    with connection.cursor() as cursor:
        for ids in ids_by_batch:
            cursor.execute(
                "SELECT count(*) FROM collect_event WHERE id = ANY(%s::uuid[])", [ids]
            )
            counts.append(cursor.fetchone()[0])
    return counts
