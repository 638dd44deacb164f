"""Fault: the task broker (Redis) away for a while under load.

Run from the project root: ``.venv/bin/python bench/faults/redis_down.py``. It starts a Redis
of its own on a free loopback port (append-only file on, as a broker's Redis should run; the
machine's Redis is never stopped), a throwaway database (BENCH_DATABASE_URL's server, database
trellis_fault_redis), `trellis serve` on that broker and a Celery worker with beat. Eight phones
sync batches of 50, end a session every three batches (each end queues the decision rules of
its goals: `monitoring.tasks.evaluate_goals`) and read pages. Then Redis is

1. frozen (SIGSTOP: connections open, no answer, as a hung or failing-over server) for 20 s;
2. killed (SIGKILL) and kept away for BENCH_FAULT_OUTAGE seconds (60), then started again.

Checked and printed: pages and sync keep answering 200 throughout, and no request waits long
for the broker; tasks queued meanwhile wait in the outbox (trellis/tasks/base.py) and run once
Redis is back (the outbox is sent by the worker as beat asks, every minute); every session
ended during the outage has its goals evaluated after its end. Exits 1 when a check fails.
"""

import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Phone, check, harness, prepare, succeeded, summarize  # noqa: E402

OUTAGE = int(os.environ.get("BENCH_FAULT_OUTAGE", "60"))
FROZEN = int(os.environ.get("BENCH_FAULT_FROZEN", "20"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/x")
DATABASE_URL = DATABASE_URL.rsplit("/", 1)[0] + "/trellis_fault_redis"


def waiting():
    from trellis.tasks.models import WaitingTask

    return WaitingTask.objects.count()


def unevaluated(ended):
    """The (session, goal) pairs of ended sessions whose goal was not evaluated since."""
    from trellis.monitoring.models import GoalStatus

    computed = dict(GoalStatus.objects.values_list("goal_id", "computed_at"))
    return [
        (session, goal)
        for session, goals, at in ended
        for goal in goals
        if goal not in computed or computed[goal].timestamp() < at
    ]


def latency(phones, since, until, what="sync"):
    times = sorted(a.seconds for p in phones for a in p.answers
                   if since <= a.at < until and a.what == what)
    if not times:
        return "none"
    return (f"p50 {1000 * times[len(times) // 2]:.0f} ms, max {1000 * times[-1]:.0f} ms "
            f"({len(times)})")


def main():
    folder = Path(tempfile.mkdtemp(prefix="trellis-fault-redis-"))
    redis = harness.Redis(harness.free_port(), folder / "redis.log", folder)
    redis.wait_ready()
    env = harness.trellis_env(folder, DATABASE_URL, TRELLIS_BROKER_URL=redis.url,
                              TRELLIS_WORKERS=2, TRELLIS_THREADS=4)
    server = worker = None
    phones = []
    ok = True
    try:
        accounts = prepare(DATABASE_URL, folder, env)
        server = harness.Server(env, folder / "server.log")
        server.wait_ready()
        worker = harness.Worker(env, folder / "worker.log", "--beat", "--concurrency", "1",
                                "--schedule", str(folder / "celerybeat-schedule"))
        worker.wait_ready()
        print(f"Redis of our own on 127.0.0.1:{redis.port}, trellis serve and a worker with "
              "beat on it")
        phones = [
            Phone(server.base, account, accounts["prompts"], end_every=3).start()
            for account in accounts["collectors"]
        ]
        print(f"{len(phones)} phones syncing 50 events, ending a session every 3 batches, "
              "reading two pages ...")
        time.sleep(10)
        before = (time.time() - 10, time.time())

        frozen_at = time.time()
        redis.popen.send_signal(signal.SIGSTOP)
        print(f"Redis frozen (SIGSTOP) for {FROZEN} s")
        time.sleep(FROZEN)
        kept_frozen = waiting()
        redis.popen.send_signal(signal.SIGCONT)
        thawed_at = time.time()
        print(f"Redis answers again; {kept_frozen} tasks were kept in the outbox meanwhile")
        time.sleep(10)

        down_at = time.time()
        redis.popen.kill()
        redis.popen.wait()
        print(f"Redis killed (SIGKILL), away for {OUTAGE} s")
        time.sleep(OUTAGE)
        kept_down = waiting()
        redis.restart()
        redis.wait_ready()
        up_at = time.time()
        print(f"Redis started again; {kept_down} tasks were kept in the outbox meanwhile")
        outbox_empty = _wait(lambda: waiting() == 0, 150)
        emptied = time.time()
        time.sleep(2)
        for phone in phones:
            phone.finish()
        ended_in_outages = [
            e for p in phones for e in p.ended
            if frozen_at <= e[2] < thawed_at or down_at <= e[2] < up_at
        ]
        every_ended = [e for p in phones for e in p.ended]
        evaluated = _wait(lambda: not unevaluated(every_ended), 60)

        print()
        print("Checks:")
        for label, since, until in (
            ("before", *before),
            ("frozen", frozen_at, thawed_at),
            ("away", down_at, up_at),
            ("after", up_at, time.time()),
        ):
            seen = summarize(phones, since, until)
            failed = {k: n for k, n in seen.items() if not succeeded(k[1])}
            total = sum(seen.values())
            ok &= check(not failed, f"Redis {label}: {total} requests, "
                        f"{sum(failed.values())} failed {dict(failed) or ''}; sync "
                        f"{latency(phones, since, until)}, session end "
                        f"{latency(phones, since, until, 'session end')}")
        ok &= check(kept_frozen > 0 and kept_down > 0,
                    f"tasks queued meanwhile were kept: {kept_frozen} while frozen, "
                    f"{kept_down} while away")
        ok &= check(outbox_empty, f"the outbox was sent {emptied - up_at:.0f} s after Redis came "
                    f"back (beat asks every minute)")
        ok &= check(evaluated and bool(ended_in_outages),
                    f"{len(ended_in_outages)} sessions ended during the faults and "
                    f"{len(every_ended)} in all: every one's goals evaluated after its end "
                    f"({len(unevaluated(every_ended))} left)")
        slowest = max(a.seconds for p in phones for a in p.answers)
        ok &= check(slowest < 10, f"no request hung on the broker (slowest {slowest:.1f} s)")
        print("All checks passed." if ok else "Some checks FAILED.")
        return 0 if ok else 1
    finally:
        for phone in phones:
            phone.stop.set()
        if server is not None:
            server.stop()
        if worker is not None:
            worker.kill()
        if redis.alive():
            redis.popen.send_signal(signal.SIGCONT)
        redis.kill()
        from django.db import connections

        connections.close_all()
        harness.drop_database(DATABASE_URL)
        if ok:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"(logs in {folder})")


def _wait(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(1)
    return False


if __name__ == "__main__":
    sys.exit(main())
