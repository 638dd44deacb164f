"""The load test: a district's collectors and supervisors at once, against gunicorn on PostgreSQL.

Run from the project root: ``.venv/bin/python bench/bench_load.py`` (or ``make load``). It
creates a throwaway database (BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/trellis_load, dropped at the end), migrates it, builds a
synthetic district (bench/load/world.py: 100 collectors with 5 learners each, 3 goals a learner,
30 school days of history; 10 supervisors with a second factor), runs the nightly decision
rules (`trellis monitor`) so the dashboard has its statuses, collects the static files, and
starts `trellis serve` on a loopback port (TRELLIS_WORKERS and TRELLIS_THREADS from the
environment, else gunicorn_conf's defaults) with a Celery worker beside it on Redis
(BENCH_LOAD_BROKER_URL, default redis://127.0.0.1:6379/12, a db number of its own, emptied at
the end; BENCH_LOAD_CELERY=0 runs without a worker).

First, on the idle server, one request at a time: sync batches of 50 events and the pages of
the load (single-request latency). Then locust, headless (bench/load/locustfile.py): every
collector syncs 50 events every 3–7 s and reads their screens, every supervisor reads the
dashboard and graphs, for BENCH_LOAD_SECONDS (300). BENCH_LOAD_USERS sets the collectors (100),
BENCH_LOAD_SUPERVISORS the supervisors (a tenth of the collectors, at least 1).

Afterwards the events in the database are counted against the ids sent (every batch that was
sent again included): each event sent must be stored exactly once. Printed: errors, sync and
page p50/p95 under load beside the idle figures, and the targets (0 errors, sync p95 ≤ 250 ms,
page p95 ≤ 500 ms). Exits 1 when a target is missed. BENCH_KEEPDB=1 keeps the database.
"""

import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import harness  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/trellis_load"
)
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "300"))
COLLECTORS = int(os.environ.get("BENCH_LOAD_USERS", "100"))
SUPERVISORS = int(os.environ.get("BENCH_LOAD_SUPERVISORS", str(max(1, COLLECTORS // 10))))
BROKER_URL = os.environ.get("BENCH_LOAD_BROKER_URL", "redis://127.0.0.1:6379/12")
CELERY = os.environ.get("BENCH_LOAD_CELERY", "1") != "0"
SPAWN_RATE = float(os.environ.get("BENCH_LOAD_SPAWN_RATE", "2"))
IDLE_ROUNDS = int(os.environ.get("BENCH_LOAD_IDLE_ROUNDS", "20"))
TARGETS = {"errors": 0, "sync p95": 250, "page p95": 500}


def category(name):
    if name.startswith("sync"):
        return "sync"
    if name.startswith(("page:", "api:")):
        return "page"
    if name.startswith("session"):
        return "write"
    return "sign in"


def idle_latency(base, accounts):
    """One request at a time on the idle server: sync batches and the pages of the load, from
    accounts that locust does not use. Returns ({name: [ms]}, the event ids sent)."""
    import requests
    from client import Device, csrf_headers, sign_in

    times = defaultdict(list)

    def session_call(session):
        def call(method, path, name, **kwargs):
            began = time.perf_counter()
            response = session.request(method, base + path, timeout=30, **kwargs)
            times[name].append((time.perf_counter() - began) * 1000)
            if response.status_code >= 400:
                raise SystemExit(f"idle {name}: {response.status_code} {response.text[:300]}")
            return response

        return call

    collector = requests.Session()
    call = session_call(collector)
    account = accounts["probe_collectors"][0]
    device = Device(account, accounts["prompts"])
    sign_in(call, collector.cookies, account)
    learner = device.learner["id"]
    json_headers = lambda: csrf_headers(collector.cookies) | {"Content-Type": "application/json"}  # noqa: E731
    call("POST", "/api/v1/sessions", "session start", data=json.dumps(device.start_body()),
         headers=json_headers())
    supervisor = requests.Session()
    boss = accounts["probe_supervisors"][0]
    supervise = session_call(supervisor)
    sign_in(supervise, supervisor.cookies, boss)
    goal = boss["goals"][0]
    htmx = {"HX-Request": "true", "HX-Target": "dashboard-table"}
    pages = [
        (call, "/caseload/", "page: caseload", {}),
        (call, f"/collect/learners/{learner}/start/", "page: start (offline kit)", {}),
        (call, f"/api/v1/learners/{learner}/kit", "api: kit", {}),
        (call, f"/collect/sessions/{device.session}/", "page: screen", {}),
        (supervise, "/dashboard/", "page: dashboard", {}),
        (supervise, "/dashboard/?flag=any", "page: dashboard table (htmx)", {"headers": htmx}),
        (supervise, f"/goals/{goal}/monitor/", "page: goal graph", {}),
        (supervise, f"/goals/{goal}/graph.png?for=internal", "page: graph PNG", {}),
    ]
    for rounds, keep in ((5, False), (IDLE_ROUNDS, True)):  # warm every worker first
        for _ in range(rounds):
            body = device.new_batch()
            device.note_sent(body)
            response = call("POST", "/api/v1/sync", "sync", data=json.dumps(body),
                            headers=json_headers())
            device.answered(body, response.json()["results"])
            time.sleep(0.05)
            for fn, path, name, kwargs in pages:
                fn("GET", path, name, **kwargs)
                time.sleep(0.05)
        if not keep:
            times.clear()
    if device.statuses["accepted"] != len(device.sent):
        raise SystemExit(f"idle syncs were not all accepted: {device.statuses}")
    return times, device


def build(env, data_dir):
    t0 = time.perf_counter()
    harness.create_database(DATABASE_URL)
    harness.trellis(env, "migrate", "--noinput")
    harness.trellis(env, "collectstatic", "--noinput", "--verbosity", "0")
    print(f"Database {DATABASE_URL.rsplit('/', 1)[-1]} migrated, static files collected "
          f"in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    from django.db import connection
    from world import build as build_world

    from trellis.audit.log import AuditContext, set_context

    set_context(AuditContext())
    accounts = build_world(COLLECTORS, SUPERVISORS)
    connection.close()
    counts = accounts["counts"]
    print(
        f"Built {COLLECTORS} collectors (+1 for the idle figures), {SUPERVISORS} supervisors "
        f"(+1), {counts['learners']} learners, {counts['goals']} goals, "
        f"{counts['history_sessions']:,} past sessions with {counts['history_events']:,} events "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    t0 = time.perf_counter()
    harness.trellis(env, "monitor")
    print(f"Nightly decision rules (trellis monitor) in {time.perf_counter() - t0:.0f} s")
    path = data_dir / "accounts.json"
    path.write_text(json.dumps(accounts))
    return accounts, path


def stored_ids(since):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id::text FROM collect_event WHERE received_at >= %s", [since]
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) - count(DISTINCT id) FROM collect_event WHERE received_at >= %s",
            [since],
        )
        twice = cursor.fetchone()[0]
    return ids, twice


def fmt(ms):
    return "—" if ms is None else f"{ms:,.0f}"


def main():
    data_dir = Path(tempfile.mkdtemp(prefix="trellis-load-"))
    extra = {"TRELLIS_BROKER_URL": BROKER_URL} if CELERY else {}
    env = harness.trellis_env(data_dir, DATABASE_URL, **extra)
    harness.setup_django(env)
    keep = bool(os.environ.get("BENCH_KEEPDB"))
    server = worker = None
    try:
        accounts, accounts_path = build(env, data_dir)
        from django.utils import timezone

        since = timezone.now()
        if CELERY:
            import redis

            redis.Redis.from_url(BROKER_URL).flushdb()
            worker = harness.Worker(env, data_dir / "worker.log", "--concurrency", "1")
            worker.wait_ready()
        server = harness.Server(env, data_dir / "server.log")
        server.wait_ready()
        print(
            f"trellis serve: {server.workers} workers × {server.threads} threads on "
            f"{server.base}" + (", a Celery worker on Redis" if CELERY else ", no Celery worker")
        )

        idle, idle_device = idle_latency(server.base, accounts)
        idle_sent = idle_device.sent
        out = data_dir / "locust.json"
        spawn = SPAWN_RATE
        locust_env = {
            **os.environ,
            "BENCH_LOAD_ACCOUNTS": str(accounts_path),
            "BENCH_LOAD_OUT": str(out),
            "BENCH_LOAD_COLLECTORS": str(COLLECTORS),
            "BENCH_LOAD_SUPERVISORS": str(SUPERVISORS),
        }
        print(f"locust: {COLLECTORS} collectors + {SUPERVISORS} supervisors, {spawn} started a "
              f"second, for {SECONDS} s ...", flush=True)
        argv = [
            str(Path(sys.executable).parent / "locust"), "-f", "bench/load/locustfile.py",
            "--headless", "--host", server.base, "--users", str(COLLECTORS + SUPERVISORS),
            "--spawn-rate", str(spawn), "--run-time", f"{SECONDS}s", "--stop-timeout", "30",
            "--only-summary", "--loglevel", "WARNING",
        ]
        began = time.monotonic()
        load = harness.Process(argv, locust_env, data_dir / "locust.log")
        load.popen.wait(timeout=SECONDS + 300)
        wall = time.monotonic() - began
        if not out.exists():
            raise SystemExit(f"locust wrote no results:\n{load.output()[-3000:]}")
        result = json.loads(out.read_text())
        load.stop()

        samples = result["samples"]
        ramp = max(result["signed_in"], default=0)
        steady_from = ramp + 10
        by_name = defaultdict(list)
        failures = defaultdict(int)
        windows = {"whole run": defaultdict(list), "steady": defaultdict(list)}
        for name, ms, ok, at in samples:
            by_name[name].append(ms)
            windows["whole run"][category(name)].append(ms)
            if at >= steady_from:
                windows["steady"][category(name)].append(ms)
            if not ok:
                failures[name] += 1
        idle_category = defaultdict(list)
        for name, values in idle.items():
            idle_category[category(name)] += values
        errors = sum(failures.values()) + sum(
            int(e.split(" × ")[0]) for e in result["exceptions"]
        )

        ids, twice = stored_ids(since)
        stored = set(ids)
        sent = set(result["sent"]) | idle_sent
        missing, extra = sent - stored, stored - sent
        server_errors = server.output().count('"status": 5')

        print()
        print(f"{'request':<32}{'count':>8}{'failed':>8}{'idle p50':>10}{'load p50':>10}"
              f"{'load p95':>10}  (ms)")
        for name in sorted(by_name, key=lambda n: (category(n), n)):
            values = by_name[name]
            print(f"{name:<32}{len(values):>8,}{failures[name]:>8}"
                  f"{fmt(harness.pct(idle.get(name, []), 50)):>10}"
                  f"{fmt(harness.pct(values, 50)):>10}{fmt(harness.pct(values, 95)):>10}")
        print()
        requests_done = len(samples)
        print(f"Requests: {requests_done:,} in {wall:.0f} s ({requests_done / wall:.1f}/s); "
              f"every user signed in {ramp:.0f} s after the first request; server 5xx answers "
              f"logged: {server_errors}")
        for e in result["exceptions"]:
            print(f"  exception in a user: {e}")
        for name, n in failures.items():
            if n:
                print(f"  failed: {n} × {name}")
        for reason in result["rejections"][:5]:
            print(f"  rejected event: {reason}")
        print(f"Errors: {errors}  (target {TARGETS['errors']})")
        print(f"Idle server, one request at a time: sync p50 "
              f"{fmt(harness.pct(idle_category['sync'], 50))} ms, p95 "
              f"{fmt(harness.pct(idle_category['sync'], 95))} ms; pages p50 "
              f"{fmt(harness.pct(idle_category['page'], 50))} ms, p95 "
              f"{fmt(harness.pct(idle_category['page'], 95))} ms")
        missed = []
        for window, label in (
            ("whole run", "Whole run (sign-ins included)"),
            ("steady", f"Steady state (from {steady_from:.0f} s, every user signed in)"),
        ):
            sync, page = windows[window]["sync"], windows[window]["page"]
            figures = {"sync p95": harness.pct(sync, 95), "page p95": harness.pct(page, 95)}
            print(f"{label}: sync (POST /api/v1/sync, 50 events) p50 "
                  f"{fmt(harness.pct(sync, 50))} ms, p95 {fmt(figures['sync p95'])} ms "
                  f"(target ≤ {TARGETS['sync p95']}); pages (screens, kit, dashboard, graphs) "
                  f"p50 {fmt(harness.pct(page, 50))} ms, p95 {fmt(figures['page p95'])} ms "
                  f"(target ≤ {TARGETS['page p95']})")
            missed += [
                f"{key} ({window})" for key, value in figures.items()
                if value is None or value > TARGETS[key]
            ]
        if errors > TARGETS["errors"]:
            missed.insert(0, "errors")
        statuses = {
            key: n + idle_device.statuses.get(key, 0) for key, n in result["statuses"].items()
        }
        print(
            f"Events: {result['sent_events'] + idle_device.sent_events:,} sent ("
            f"{len(sent):,} distinct; the rest re-sent), {len(stored):,} stored, "
            f"{twice} stored twice, {len(missing)} sent but not stored, {len(extra)} stored but "
            f"never sent; answers: {statuses['accepted']:,} accepted, "
            f"{statuses['duplicate']:,} duplicate, {statuses['rejected']:,} rejected"
        )
        exactly_once = not missing and not extra and not twice
        print(f"Every event sent stored exactly once: {'yes' if exactly_once else 'NO'}")
        if not exactly_once:
            missed.append("exactly once")
        print("Targets met." if not missed else f"Targets missed: {', '.join(missed)}")
        print(f"(logs in {data_dir})")
        return 1 if missed else 0
    finally:
        if server is not None:
            server.stop()
        if worker is not None:
            worker.stop()
            import redis

            redis.Redis.from_url(BROKER_URL).flushdb()
        from django.db import connections

        connections.close_all()
        if not keep:
            harness.drop_database(DATABASE_URL)


if __name__ == "__main__":
    sys.exit(main())
