"""gunicorn's settings for Trellis, from the environment (`trellis serve` runs gunicorn with it;
`gunicorn -c python:trellis.ops.gunicorn_conf trellis.wsgi` does the same by hand)."""

import os
import shutil
from pathlib import Path

from trellis.env import env_int, env_list

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")
from django.conf import settings  # noqa: E402  (needs the settings module named first)

# gunicorn's advice for a worker count; threads (gthread) so that a slow phone upload or a wait
# on the database holds a thread, not a whole process.
workers = env_int("TRELLIS_WORKERS", 2 * (os.cpu_count() or 1) + 1)
threads = env_int("TRELLIS_THREADS", 4)
bind = env_list("TRELLIS_BIND", "127.0.0.1:8000")
# No access log: its lines carry raw paths and query strings. trellis.ops.middleware logs one
# line per request without them.
accesslog = None
# Every server on a machine would share ~/.gunicorn/gunicorn.ctl; Trellis is run by signals.
control_socket_disable = True

# Each worker keeps its metrics in files here, so /metrics adds up every worker's (metrics.py).
# Set before the workers start, which is when they import prometheus-client.
metrics_dir = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(settings.DATA_DIR / "metrics"))
)


def on_starting(server):
    # The files of the previous run's workers would be counted again.
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
