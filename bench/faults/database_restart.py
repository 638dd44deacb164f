"""Fault: the database restarted under load.

Run from the project root: ``.venv/bin/python bench/faults/database_restart.py`` (root, as on
these machines: the cluster runs as the `postgres` user). It starts a PostgreSQL cluster of its
own (initdb in a temporary folder, on a free loopback port: the machine's shared cluster is
never touched), a small district on it and `trellis serve` in front. Eight phones sync batches
of 50 and read pages from threads, then the database is stopped (fast shutdown: connections
cut) for BENCH_FAULT_OUTAGE seconds (10) and started again, and later crashed and restarted at
once (immediate mode: recovery from the WAL).

Checked and printed: every answer while the database is away is a 5xx, JSON under /api/ (a
phone reads it and sends again), and no answer shows a traceback, the driver's words or SQL;
no request hangs; requests succeed again within seconds of the database's return; no batch is
half written (each sent again after a failure is answered all accepted or all duplicate, never
a mix), and at the end every event sent is stored exactly once; the server log names no
learner. Exits 1 when a check fails.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    Phone,
    check,
    harness,
    prepare,
    stored_counts,
    succeeded,
    summarize,
)

OUTAGE = int(os.environ.get("BENCH_FAULT_OUTAGE", "10"))
PG_BIN = Path(os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


class Cluster:
    """A PostgreSQL cluster of our own, run as the postgres user, on loopback."""

    def __init__(self, folder, port):
        self.folder = Path(folder)
        self.data = self.folder / "pgdata"
        self.port = port
        self.log = self.folder / "postgresql.log"
        shutil.chown(self.folder, "postgres", "postgres")
        self.folder.chmod(0o700)
        self.as_postgres(
            PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync"
        )

    def as_postgres(self, *argv, check=True):
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, argv)],
            check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def pg_ctl(self, *args, check=True):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        return self.as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w",
                                "-o", options, *args, check=check)

    def start(self):
        self.pg_ctl("start")

    def stop(self, mode="fast"):
        self.pg_ctl("-m", mode, "stop")

    def restart(self, mode="immediate"):
        self.pg_ctl("-m", mode, "restart")

    def destroy(self):
        self.pg_ctl("-m", "immediate", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def main():
    folder = Path(tempfile.mkdtemp(prefix="trellis-fault-db-"))
    folder.chmod(0o711)  # the postgres user passes through to its cluster's folder
    (folder / "cluster").mkdir()
    cluster = Cluster(folder / "cluster", harness.free_port())
    server = None
    phones = []
    ok = True
    try:
        cluster.start()
        url = f"postgresql://postgres@127.0.0.1:{cluster.port}/trellis_fault"
        env = harness.trellis_env(folder, url, TRELLIS_WORKERS=2, TRELLIS_THREADS=4)
        accounts = prepare(url, folder, env)
        print(f"PostgreSQL cluster of our own on 127.0.0.1:{cluster.port}; a district of "
              f"{len(accounts['collectors'])} collectors")
        server = harness.Server(env, folder / "server.log")
        server.wait_ready()
        phones = [
            Phone(server.base, account, accounts["prompts"]).start()
            for account in accounts["collectors"]
        ]
        print(f"{len(phones)} phones syncing 50 events and reading two pages in turn ...")
        time.sleep(10)

        faults = []
        down = time.time()
        cluster.stop("fast")
        print(f"Database stopped (fast shutdown) for {OUTAGE} s")
        time.sleep(OUTAGE)
        cluster.start()
        back = time.time()
        faults.append(("stopped", down, back))
        print("Database started again")
        time.sleep(15)
        down = time.time()
        cluster.restart("immediate")
        back = time.time()
        faults.append(("crashed and restarted", down, back))
        print(f"Database crashed and restarted (immediate mode) in {back - down:.1f} s")
        time.sleep(15)
        everyone_sent = all(phone.finish() for phone in phones)
        print()
        print("Checks:")
        ok &= check(everyone_sent, "every phone's waiting batch went once the database was back")

        ends = [down for _, down, _ in faults[1:]] + [time.time()]
        for (label, down, back), until in zip(faults, ends, strict=True):
            seen = summarize(phones, since=down, until=back + 1)
            failed = {k: n for k, n in seen.items() if not succeeded(k[1])}
            shown = ", ".join(f"{n} × {what} {status}{' JSON' if js else ''}"
                              for (what, status, js), n in sorted(failed.items(), key=str))
            print(f"  while the database was {label}: {shown or 'no request failed'}")
            api_not_json = [k for k in failed if k[0] != "page" and not k[2]]
            ok &= check(not api_not_json, f"{label}: every failed API answer is JSON "
                        f"({', '.join(map(str, api_not_json)) or 'none other'})")
            not_5xx = [k for k in failed if not (isinstance(k[1], int) and k[1] >= 500)]
            ok &= check(not not_5xx, f"{label}: every failure is a 5xx answer "
                        f"({', '.join(map(str, not_5xx)) or 'no other kind'})")
            after = [a for p in phones for a in p.answers if a.at >= back and succeeded(a.status)]
            first = min((a.at for a in after), default=None)
            # Sent once the database was back: a connection that failed during the outage was
            # closed at the end of its request, so none of the dead ones is reused.
            late = [
                a for p in phones for a in p.answers
                if back <= a.at - a.seconds and a.at < until and not succeeded(a.status)
            ]
            ok &= check(first is not None and not late,
                        f"{label}: requests succeed again "
                        f"{(first - back) if first else float('nan'):.1f} s after the database "
                        f"is back; of those sent after, {len(late)} failed")

        answers = [a for p in phones for a in p.answers]
        leaks = [a for a in answers if a.leak]
        ok &= check(not leaks, f"no answer shows a traceback, the driver's words or SQL "
                    f"({len(answers):,} answers, {len(leaks)} did)")
        slowest = max(a.seconds for a in answers)
        ok &= check(slowest < 10, f"no request hung (slowest answer {slowest:.1f} s)")

        harness.setup_django(env)
        retried = [(ids, tries) for p in phones for ids, tries in p.batches if len(tries) > 1]
        mixed = [
            tries for _, tries in retried
            if tries[-1][1] is not None and len(+tries[-1][1]) > 1
        ]
        wholly = sum(
            1 for _, tries in retried if tries[-1][1] and set(+tries[-1][1]) == {"duplicate"}
        )
        ok &= check(not mixed, f"no half-written batch: {len(retried)} batches sent again after "
                    f"a failure, each answered all accepted ({len(retried) - wholly - len(mixed)})"
                    f" or all duplicate ({wholly}, stored before the answer was lost), "
                    f"{len(mixed)} a mix")
        batches = [ids for p in phones for ids, _ in p.batches]
        counts = stored_counts(batches)
        sent = {i for p in phones for i in p.device.sent}
        ok &= check(all(c == len(ids) for c, ids in zip(counts, batches, strict=True)),
                    f"every batch stored whole: {len(batches)} batches, {len(sent):,} events "
                    f"sent, {sum(counts):,} stored")
        log = server.output()
        names = re.findall(r"Learner\d+|Load\d{4}", log)
        tracebacks = log.count("Traceback")
        ok &= check(not names, f"the server log names no learner ({tracebacks} tracebacks "
                    f"logged, {len(names)} names)")
        print("All checks passed." if ok else "Some checks FAILED.")
        return 0 if ok else 1
    finally:
        for phone in phones:
            phone.stop.set()
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        cluster.destroy()
        if ok:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"(logs in {folder})")


if __name__ == "__main__":
    sys.exit(main())
