"""What a collector's phone and a supervisor's browser send, as the real pages do.

The collection screen signs in with the sign-in form (a browser session), then talks to the API
with that session and Django's CSRF token in `X-CSRFToken` (static/collect/sync.js): sessions
are posted to `/api/v1/sessions` with a client-chosen id (start.js, offline start), events to
`/api/v1/sync` in batches of `{"events": [{id, session, goal, target, kind, value, recorded_at,
voids}]}` with the device's ISO times, and the end to `PATCH /api/v1/sessions/<id>`. A supervisor
signs in the same way and types a second-factor code.

Used by the locustfile and by the drivers' idle and fault measurements. `request(method, path,
name, **kwargs)` is the caller's HTTP call (locust's client, or a requests.Session with the
server's address put in front).
"""

import datetime as dt
import random
import re
import uuid

BATCH = 50
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def now_iso(at=None):
    return (at or dt.datetime.now(dt.UTC)).isoformat(timespec="milliseconds")


def csrf_headers(cookies):
    return {"X-CSRFToken": cookies.get("csrftoken", ""), "Accept": "application/json"}


def _form_token(response):
    match = TOKEN.search(response.text)
    return match[1] if match else ""


def sign_in(request, cookies, account, *, name="sign in"):
    """The sign-in form (and the second-factor form when the account has codes); returns the
    page reached, or raises RuntimeError."""
    page = request("GET", "/accounts/login/", name)
    response = request(
        "POST",
        "/accounts/login/",
        name,
        data={
            "username": account["username"],
            "password": account["password"],
            "csrfmiddlewaretoken": _form_token(page),
            "next": "/",
        },
    )
    if response.status_code != 200:
        raise RuntimeError(f"{account['username']}: sign-in answered {response.status_code}")
    if "/accounts/two-factor/verify/" in (response.url or ""):
        if not account.get("codes"):
            raise RuntimeError(f"{account['username']} was asked for a code it does not have")
        response = request(
            "POST",
            "/accounts/two-factor/verify/?next=/",
            name,
            data={
                "code": account["codes"].pop(0),
                "csrfmiddlewaretoken": _form_token(response),
                "next": "/",
            },
        )
    if response.status_code != 200 or "/accounts/" in (response.url or "") or (
        "sessionid" not in cookies
    ):
        raise RuntimeError(f"{account['username']}: sign-in ended at {response.url}")
    return response


class Device:
    """One collector's phone: its sessions and the events it has made, batch by batch.

    `sent` holds every event id it ever sent (a resend sends the same ids again), `pending` the
    batch that has not had an answer yet (resent, as sync.js does, until the server answers)."""

    def __init__(self, account, prompts, rng=None):
        self.account = account
        self.prompts = prompts
        self.rng = rng or random.Random()
        self.learner_index = self.rng.randrange(len(account["learners"]))
        self.session = None
        self.started_at = None
        self.batches_in_session = 0
        self.previous = []  # the last answered batch's events (for undo)
        self.pending = None  # the body of the batch waiting for an answer
        self.sent = set()
        self.sent_events = 0  # every event sent, resends included
        self.statuses = {"accepted": 0, "duplicate": 0, "rejected": 0}
        self.rejections = []

    @property
    def learner(self):
        return self.account["learners"][self.learner_index]

    def next_learner(self):
        self.learner_index = (self.learner_index + 1) % len(self.account["learners"])
        return self.learner

    def start_body(self):
        """A new session of the current learner (client-chosen id and time)."""
        self.session = str(uuid.uuid4())
        self.started_at = dt.datetime.now(dt.UTC)
        self.batches_in_session = 0
        self.previous = []
        return {
            "id": self.session,
            "learner": self.learner["id"],
            "goals": [g["id"] for g in self.learner["goals"]],
            "started_at": now_iso(self.started_at),
            "setting": "school",
        }

    def _value(self, kind):
        if kind == "count":
            return {"n": 1}
        if kind == "trial":
            return {"result": self.rng.choice(("correct", "correct", "incorrect", "no_response")),
                    "prompt": self.rng.choice(self.prompts)}
        return {"ms": self.rng.randint(5_000, 300_000)}

    def new_batch(self, size=BATCH):
        """The next batch of taps since the last sync: counts mostly, trials, a timing, and now
        and then an undo (a void of an event of the previous batch)."""
        now = dt.datetime.now(dt.UTC)
        goals = self.learner["goals"]
        events = []
        for i in range(size):
            recorded = max(now - dt.timedelta(milliseconds=40 * (size - i)),
                           self.started_at + dt.timedelta(milliseconds=i + 1))
            roll = self.rng.random()
            if roll < 0.02 and self.previous:
                undone = self.rng.choice(self.previous)
                events.append({
                    "id": str(uuid.uuid4()), "session": self.session, "goal": undone["goal"],
                    "target": None, "kind": "void", "value": {"reason": "Tapped by mistake"},
                    "recorded_at": now_iso(recorded), "voids": undone["id"],
                })
                continue
            goal = goals[0] if roll < 0.6 else goals[1] if roll < 0.95 else goals[2]
            events.append({
                "id": str(uuid.uuid4()), "session": self.session, "goal": goal["id"],
                "target": None, "kind": goal["kind"], "value": self._value(goal["kind"]),
                "recorded_at": now_iso(recorded), "voids": None,
            })
        self.pending = {"events": events}
        return self.pending

    def note_sent(self, body):
        self.sent.update(e["id"] for e in body["events"])
        self.sent_events += len(body["events"])

    def answered(self, body, results):
        """The server's answer to a batch: True when it answered every event."""
        if len(results) != len(body["events"]):
            return False
        for result in results:
            self.statuses[result["status"]] = self.statuses.get(result["status"], 0) + 1
            if result["status"] == "rejected" and len(self.rejections) < 20:
                self.rejections.append(result.get("reason"))
        if body is self.pending:
            self.pending = None
            self.previous = [e for e in body["events"] if e["kind"] != "void"]
            self.batches_in_session += 1
        return True
