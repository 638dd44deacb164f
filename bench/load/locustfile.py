"""The load of a district's working day, for locust (run by bench/bench_load.py, headless).

Collectors (a phone each, bench/load/client.py): sign in with the form, then, session after
session, read the caseload, open a learner's start page (it carries the offline kit) and the
kit endpoint, post the session, open the screen, and every few seconds sync a batch of 50
events through the API with the session and its CSRF token; one answer in twenty is "lost" and
the batch sent again (the server must answer every event duplicate and store nothing twice); now
and then the screen is reloaded; after two dozen batches (about two minutes) the session ends and
the next learner's begins. A batch that gets no answer is sent again, as sync.js does, before
anything new.

Supervisors: sign in with a second factor, then read the dashboard, its filtered table (the htmx
swap), a supervisee's goal page (the graph as SVG with its data) and now and then a graph as PNG.

Environment (set by the driver): BENCH_LOAD_ACCOUNTS (the JSON file of accounts world.build
wrote), BENCH_LOAD_OUT (where this process writes every request's time and the ids sent),
BENCH_LOAD_COLLECTORS, BENCH_LOAD_SUPERVISORS, BENCH_LOAD_SESSION_BATCHES (24).
"""

import json
import os
import random
import sys
import threading
import time
from itertools import count
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from client import Device, csrf_headers, sign_in  # noqa: E402

ACCOUNTS = json.loads(Path(os.environ["BENCH_LOAD_ACCOUNTS"]).read_text())
OUT = Path(os.environ["BENCH_LOAD_OUT"])
SESSION_BATCHES = int(os.environ.get("BENCH_LOAD_SESSION_BATCHES", "24"))
RESEND = 0.05  # an answer lost on the way back: the device sends the batch again
RELOAD = 0.05  # the screen reloaded after a sync

samples = []  # (name, milliseconds, ok, seconds since the first request)
signed_in = []  # when each user had signed in (seconds since the first request)
_began = []
devices = []
_collector_numbers = count()
_supervisor_numbers = count()
_lock = threading.Lock()


@events.request.add_listener
def _timed(request_type, name, response_time, response_length, exception=None, **kwargs):
    samples.append((name, response_time, exception is None, _since()))


def _since():
    now = time.monotonic()
    if not _began:
        _began.append(now)
    return now - _began[0]


@events.quitting.add_listener
def _write(environment, **kwargs):
    OUT.write_text(
        json.dumps(
            {
                "samples": samples,
                "signed_in": signed_in,
                "sent": sorted({i for d in devices for i in d.sent}),
                "sent_events": sum(d.sent_events for d in devices),
                "statuses": {
                    status: sum(d.statuses.get(status, 0) for d in devices)
                    for status in ("accepted", "duplicate", "rejected")
                },
                "rejections": [r for d in devices for r in d.rejections][:20],
                "collectors": len(devices),
                # Exceptions raised in a user's code (a failed sign-in, say), not requests.
                "exceptions": [
                    f"{e['count']} × {e['msg']}" for e in environment.runner.exceptions.values()
                ]
                if environment.runner
                else [],
            }
        )
    )


def _why(response):
    """A failed request in a few words: its status, or what went wrong when none came."""
    if response.status_code == 0:
        return f"no answer: {type(response.error).__name__}: {str(response.error)[:80]}"
    return f"{response.status_code} at {_since():.0f} s"


class Browser(HttpUser):
    abstract = True

    def sign_in(self, account):
        """The sign-in form; tried again (three times at most) when it fails, as a person would."""
        for attempt in range(3):
            try:
                sign_in(self.call, self.client.cookies, account)
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(2)
        signed_in.append(_since())

    def call(self, method, path, name, **kwargs):
        return self.client.request(method, path, name=name, **kwargs)

    def page(self, path, name, **kwargs):
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if response.status_code != 200:
                response.failure(_why(response))
            elif "/accounts/login/" in (response.url or ""):
                response.failure("signed out")
        return response

    def api(self, method, path, name, body):
        headers = csrf_headers(self.client.cookies) | {"Content-Type": "application/json"}
        return self.client.request(
            method, path, name=name, data=json.dumps(body), headers=headers, catch_response=True
        )


class Collector(Browser):
    fixed_count = int(os.environ.get("BENCH_LOAD_COLLECTORS", "100"))
    wait_time = between(3, 7)

    def on_start(self):
        with _lock:
            number = next(_collector_numbers)
        account = ACCOUNTS["collectors"][number % len(ACCOUNTS["collectors"])]
        self.device = Device(account, ACCOUNTS["prompts"], random.Random(number))
        devices.append(self.device)
        self.sign_in(account)
        self.open_session()

    def open_session(self):
        learner = self.device.learner["id"]
        self.page("/caseload/", "page: caseload")
        self.page(f"/collect/learners/{learner}/start/", "page: start (offline kit)")
        self.page(f"/api/v1/learners/{learner}/kit", "api: kit")
        body = self.device.start_body()
        with self.api("POST", "/api/v1/sessions", "session start", body) as response:
            if response.status_code not in (200, 201):
                response.failure(_why(response))
                self.device.session = None
                return
        self.page(f"/collect/sessions/{self.device.session}/", "page: screen")

    def end_session(self):
        body = {"ended_at": self.device.previous[-1]["recorded_at"]}
        path = f"/api/v1/sessions/{self.device.session}"
        with self.api("PATCH", path, "session end", body) as response:
            if response.status_code != 200:
                response.failure(_why(response))

    def sync(self, body, name="sync", expect="accepted"):
        first = not (set(e["id"] for e in body["events"]) & self.device.sent)
        self.device.note_sent(body)
        with self.api("POST", "/api/v1/sync", name, body) as response:
            if response.status_code != 200:
                response.failure(_why(response))
                return False
            try:
                results = response.json()["results"]
            except (ValueError, KeyError):
                response.failure("no results")
                return False
            if not self.device.answered(body, results):
                response.failure("results do not match the batch")
                return False
            statuses = {r["status"] for r in results}
            if "rejected" in statuses:
                response.failure(f"rejected: {next(r['reason'] for r in results if r['reason'])}")
            elif first and statuses != {expect}:
                response.failure(f"expected {expect}, got {sorted(statuses)}")
        return True

    @task
    def work(self):
        device = self.device
        if device.session is None:
            self.open_session()
            return
        if device.pending is None and device.batches_in_session >= SESSION_BATCHES:
            self.end_session()
            device.next_learner()
            self.open_session()
            return
        body = device.pending or device.new_batch()
        if not self.sync(body):
            return  # sent again at the next turn, before anything new
        if random.random() < RESEND:
            self.sync(body, "sync (re-sent)", expect="duplicate")
        if random.random() < RELOAD:
            self.page(f"/collect/sessions/{device.session}/", "page: screen")

    def on_stop(self):
        # The device keeps an unanswered batch; it goes before the phone is put away.
        for _ in range(3):
            if self.device.pending is None or self.sync(self.device.pending):
                break


class Supervisor(Browser):
    fixed_count = int(os.environ.get("BENCH_LOAD_SUPERVISORS", "10"))
    wait_time = between(3, 8)

    def on_start(self):
        with _lock:
            number = next(_supervisor_numbers)
        self.account = ACCOUNTS["supervisors"][number % len(ACCOUNTS["supervisors"])]
        self.rng = random.Random(1000 + number)
        self.sign_in(self.account)

    @task(3)
    def dashboard(self):
        self.page("/dashboard/", "page: dashboard")

    @task(2)
    def flagged(self):
        htmx = {"HX-Request": "true", "HX-Target": "dashboard-table"}
        self.page("/dashboard/?flag=any", "page: dashboard table (htmx)", headers=htmx)

    @task(4)
    def goal(self):
        goal = self.rng.choice(self.account["goals"])
        self.page(f"/goals/{goal}/monitor/", "page: goal graph")

    @task(1)
    def graph_png(self):
        goal = self.rng.choice(self.account["goals"])
        self.page(f"/goals/{goal}/graph.png?for=internal", "page: graph PNG")
