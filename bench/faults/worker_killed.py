"""Fault: a Celery worker killed (SIGKILL) in the middle of a task.

Run from the project root: ``.venv/bin/python bench/faults/worker_killed.py``. It uses a
throwaway database (BENCH_DATABASE_URL's server, database trellis_fault_worker), a Redis of its
own on a free loopback port (append-only file on, as a broker's Redis should run) and real
workers (`celery -A trellis.celery worker`, prefork, one process), whose email backend is a
slow mail server (slow_mail.py). Three people are notified by email (incidents.notify: one
task, `send_notification_emails`, for the three), and the worker is killed while it sends the
second email:

1. the pool process is killed (as the kernel's OOM killer would): the worker's main process
   sees it die and puts the task back (acks late, reject on worker lost); it runs again;
2. the whole worker is killed, main process and all (a lost machine): a new worker gets the
   task once the broker's visibility timeout has passed (TRELLIS_BROKER_VISIBILITY_TIMEOUT,
   10 s here; an hour by default) and kombu's sweep of unacknowledged tasks comes round
   (about every 100 s), so this part takes up to two minutes;
3. informational: the pool process killed after the mail server took an email but before the
   task marked it sent. That email goes twice: delivery is at least once, never lost.

Checked and printed for 1 and 2: the task ran again and every notification was emailed exactly
once (the rerun skips those marked sent in the transaction that sent them). Exits 1 when a
check fails.
"""

import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import check, harness  # noqa: E402

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/x")
DATABASE_URL = DATABASE_URL.rsplit("/", 1)[0] + "/trellis_fault_worker"
HERE = Path(__file__).resolve().parent


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    print(f"  (gave up waiting for {what} after {seconds} s)")
    return False


def deliveries(mail):
    log = mail / "delivered.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return Counter(line.split("\t")[0] for line in lines)


def main():
    folder = Path(tempfile.mkdtemp(prefix="trellis-fault-worker-"))
    mail = folder / "mail"
    mail.mkdir()
    redis = harness.Redis(harness.free_port(), folder / "redis.log", folder)
    redis.wait_ready()
    env = harness.trellis_env(
        folder,
        DATABASE_URL,
        TRELLIS_BROKER_URL=redis.url,
        TRELLIS_BROKER_VISIBILITY_TIMEOUT=10,
        EMAIL_BACKEND="slow_mail.SlowBackend",
        BENCH_FAULT_MAIL_DIR=mail,
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
    )
    workers = []
    ok = True
    try:
        harness.create_database(DATABASE_URL)
        harness.trellis(env, "migrate", "--noinput")
        harness.setup_django(env)
        from django.contrib.auth.models import User
        from django.db import transaction

        from trellis.audit.log import AuditContext, set_context
        from trellis.incidents.models import Notification
        from trellis.incidents.notify import notify

        set_context(AuditContext())
        people = [
            User.objects.create_user(f"person{i}", email=f"person{i}@fault.invalid")
            for i in range(3)
        ]
        second = people[1].email

        def start_worker(name, **extra):
            worker = harness.Worker({**env, **{k: str(v) for k, v in extra.items()}},
                                    folder / f"{name}.log", "--concurrency", "1",
                                    "--pool", "prefork", "--hostname", f"{name}@fault")
            workers.append(worker)
            worker.wait_ready()
            return worker

        def send_three(label):
            with transaction.atomic():
                made = notify(people, kind="fault-test", message=label,
                              email_subject=f"Fault test: {label}")
            return [n.pk for n in made]

        def emailed(ids):
            return Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).count()

        print("1. The pool process killed while it sends the second of three emails")
        before = deliveries(mail)
        worker = start_worker("worker1")
        ids = send_three("pool process killed")
        wait_for(lambda: (mail / "sending").exists() and (mail / "sending").read_text() == second,
                 60, "the second email")
        (child,) = worker.children()
        os.kill(child, signal.SIGKILL)
        print(f"  killed the pool process {child} (SIGKILL) while it sent to {second}")
        done = wait_for(lambda: emailed(ids) == 3, 60, "the task's rerun")
        sent = deliveries(mail) - before
        log = worker.output()
        ok &= check("WorkerLostError" in log and done,
                    "the worker saw its process die (WorkerLostError) and the task ran again")
        ok &= check(done and all(sent[p.email] == 1 for p in people),
                    f"each of the three emailed exactly once: {dict(sent)}")
        worker.stop()

        print("2. The whole worker killed while it sends the second email; a new worker starts")
        before = deliveries(mail)
        worker = start_worker("worker2")
        ids = send_three("whole worker killed")
        wait_for(lambda: (mail / "sending").exists() and (mail / "sending").read_text() == second,
                 60, "the second email")
        for pid in [*worker.children(), worker.pid]:
            os.kill(pid, signal.SIGKILL)
        worker.popen.wait()
        killed = time.monotonic()
        print("  killed the worker's main and pool processes (SIGKILL)")
        worker = start_worker("worker3")
        done = wait_for(lambda: emailed(ids) == 3, 150, "the redelivery")
        sent = deliveries(mail) - before
        ok &= check(done, f"a new worker ran the task again, {time.monotonic() - killed:.0f} s "
                    "after the kill (visibility timeout 10 s here, then kombu's sweep of unacked "
                    "tasks, about every 100 s)")
        ok &= check(done and all(sent[p.email] == 1 for p in people),
                    f"each of the three emailed exactly once: {dict(sent)}")
        worker.stop()

        print("3. (informational) Killed after the mail server took the second email, before "
              "the task marked it sent")
        before = deliveries(mail)
        worker = start_worker("worker4", BENCH_FAULT_MAIL_LINGER=3)
        ids = send_three("killed after delivery")
        wait_for(lambda: (mail / "delivered").exists()
                 and (mail / "delivered").read_text() == second, 60, "the second delivery")
        (child,) = worker.children()
        os.kill(child, signal.SIGKILL)
        done = wait_for(lambda: emailed(ids) == 3, 60, "the task's rerun")
        sent = deliveries(mail) - before
        print(f"  emailed: {dict(sent)} — the one in the window went twice (at least once, "
              "never lost)" if done else "  the rerun did not finish")
        ok &= done
        worker.stop()
        print("All checks passed." if ok else "Some checks FAILED.")
        return 0 if ok else 1
    finally:
        for worker in workers:
            worker.kill()
        redis.kill()
        from django.db import connections

        connections.close_all()
        harness.drop_database(DATABASE_URL)
        if ok:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"(logs in {folder})")


if __name__ == "__main__":
    sys.exit(main())
