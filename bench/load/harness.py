"""What the load test and the fault tests share: a throwaway PostgreSQL database, Trellis's
environment for it, `trellis serve` and a Celery worker as subprocesses, and a few helpers.

Every server listens on loopback only; every process started here is stopped by its id.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def pct(values, p):
    """The p-th percentile (nearest rank) of the values; None when there are none."""
    values = sorted(values)
    if not values:
        return None
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _maintenance(url):
    """The URL of the server's `postgres` database, and the database name of `url`."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit(f"{url}: name the throwaway database in the URL")
    return urlunsplit(parts._replace(path="/postgres")), name


def create_database(url):
    """Create the database of `url` anew (dropped first if a previous run left it)."""
    import psycopg

    maintenance, name = _maintenance(url)
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url):
    import psycopg

    maintenance, name = _maintenance(url)
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def trellis_env(data_dir, database_url, **extra):
    """The environment of a production Trellis process on this database and data folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The suite's and the coding tools' variables have no place in a deployment.
        if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="trellis.settings",
        TRELLIS_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
    )
    env.pop("TRELLIS_BROKER_URL", None)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def trellis(env, *args, quiet=True):
    """Run a `trellis` management command to its end."""
    subprocess.run(
        [PYTHON, "-m", "trellis", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def setup_django(env):
    """Django in this process, on the same settings and database as the server."""
    os.environ.update(env)
    import django

    django.setup()


def get(url, timeout=5, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


class Process:
    """A subprocess with its output in a file, stopped by its own id."""

    def __init__(self, argv, env, log_path):
        self.log_path = Path(log_path)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )

    @property
    def pid(self):
        return self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def stop(self, timeout=20):
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()

    def kill(self):
        if self.alive():
            self.popen.kill()
            self.popen.wait()
        self.log.close()

    def output(self):
        self.log.flush()
        return self.log_path.read_text(errors="replace")


class Server(Process):
    """`trellis serve` (gunicorn with trellis/ops/gunicorn_conf.py) on a loopback port, with
    TRELLIS_WORKERS and TRELLIS_THREADS from the environment given (gunicorn_conf's defaults
    otherwise)."""

    def __init__(self, env, log_path, port=None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**env, "TRELLIS_BIND": f"127.0.0.1:{self.port}"}
        self.workers = env.get("TRELLIS_WORKERS") or str(2 * (os.cpu_count() or 1) + 1)
        self.threads = env.get("TRELLIS_THREADS") or "4"
        super().__init__([PYTHON, "-m", "trellis", "serve"], env, log_path)

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise SystemExit(f"trellis serve stopped:\n{self.output()[-3000:]}")
            try:
                if get(f"{self.base}/readyz", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"trellis serve was not ready in {seconds} s:\n{self.output()[-3000:]}")


class Worker(Process):
    """A Celery worker (`celery -A trellis.celery worker`) on the broker of the environment."""

    def children(self):
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except FileNotFoundError:
            return []
        return [int(pid) for pid in text.split()]

    def kill(self):
        # Pool processes first: they would outlive a main process killed alone.
        for pid in self.children():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        super().kill()

    def __init__(self, env, log_path, *args):
        argv = [PYTHON, "-m", "celery", "-A", "trellis.celery", "worker", "--loglevel", "INFO"]
        super().__init__([*argv, *args], env, log_path)

    def wait_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise SystemExit(f"the worker stopped:\n{self.output()[-3000:]}")
            if " ready." in self.output():
                return
            time.sleep(0.2)
        raise SystemExit(f"the worker was not ready in {seconds} s:\n{self.output()[-3000:]}")


class Redis(Process):
    """A redis-server of our own on a loopback port, keeping nothing on disk (the machine's
    Redis is shared: it is never stopped by a test)."""

    def __init__(self, port, log_path, data_dir):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.argv = [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            # A broker keeps its queue across a restart: every write in the append-only file.
            "--appendonly", "yes", "--appendfsync", "always", "--dir", str(data_dir),
        ]
        super().__init__(self.argv, os.environ.copy(), log_path)

    def restart(self):
        """The same server again (same port, same files), after a kill."""
        self.log.close()
        self.__init__(self.port, self.log_path, self.argv[-1])

    def wait_ready(self, seconds=10):
        import redis

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        raise SystemExit(f"redis-server did not answer:\n{self.output()[-2000:]}")
