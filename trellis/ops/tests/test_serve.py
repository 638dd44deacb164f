"""An operator runs Trellis as production runs it: `trellis serve` (gunicorn) on a new machine,
told by /readyz when to let traffic in, with `check --deploy` clean under HTTPS."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def trellis_env(tmp_path, **extra):
    env = {**os.environ, "TRELLIS_DATA_DIR": str(tmp_path), **extra}
    env["DJANGO_SETTINGS_MODULE"] = "trellis.settings"
    env.pop("DATABASE_URL", None)  # a new machine: SQLite in its data folder
    # Set by conftest for the browser tests' live server; never in a deployment.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = trellis_env(
        tmp_path, TRELLIS_WORKERS="2", TRELLIS_THREADS="2", TRELLIS_BIND=f"127.0.0.1:{port}"
    )
    # The probes render no page, so an empty manifest stands in for `trellis collectstatic`.
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    process = subprocess.Popen(
        [sys.executable, "-m", "trellis", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if get(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"trellis serve did not start: {process.communicate()}")
    yield base, env, process
    if process.poll() is None:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_new_server_is_alive_at_once_and_ready_once_migrated(server):
    base, env, process = server
    status, body = get(f"{base}/readyz")
    assert status == 503
    assert json.loads(body)["checks"]["migrations"]["unapplied"] > 0

    subprocess.run([sys.executable, "-m", "trellis", "migrate", "-v0"], env=env, check=True)
    status, body = get(f"{base}/readyz")
    assert (status, json.loads(body)["ready"]) == (200, True)

    # Two workers, one set of metrics: /metrics adds up every worker's requests.
    sent = 20
    for _ in range(sent):
        get(f"{base}/readyz")
    status, metrics = get(f"{base}/metrics")
    count = re.search(
        r'request_duration_seconds_count\{method="GET",view="readyz"\} (\S+)', metrics
    )
    assert float(count[1]) == sent + 2

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert out.splitlines()[0].endswith(
        "gunicorn --config python:trellis.ops.gunicorn_conf trellis.wsgi"
    )
    assert "Using worker: gthread" in err
    logged = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    ready = [line["status"] for line in logged if line.get("view") == "readyz"]
    assert ready[:2] == [503, 200] and len(ready) == sent + 2


def test_serve_refuses_to_start_before_the_static_files_are_collected(
    settings, tmp_path, monkeypatch
):
    monkeypatch.setattr(os, "execv", lambda *args: pytest.fail("gunicorn was started"))
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = settings.STORAGES | {
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    }
    with pytest.raises(CommandError, match="trellis collectstatic"):
        call_command("serve")


def test_the_deployment_checklist_passes_over_https(tmp_path):
    env = trellis_env(tmp_path, TRELLIS_HTTPS="true", SECRET_KEY=secrets.token_urlsafe(50))
    done = subprocess.run(
        [sys.executable, "-m", "trellis", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "no issues (1 silenced)" in done.stdout  # HSTS preload: settings.py says why


STORED = (
    "from django.core.files.base import ContentFile; "
    "from django.core.files.storage import storages; s = storages['default']; "
    "name = s.save('attachments/note.txt', ContentFile(b'synthetic')); "
    "print(type(s).__name__, s.path(name) if hasattr(s, 'location') else name)"
)


def test_uploads_go_to_the_data_folder_or_to_the_storage_production_names(tmp_path):
    """Attachments use Django's storage API: the demo keeps them in its data folder;
    production names another backend (object storage) and its options."""

    def stored(**extra):
        env = trellis_env(tmp_path, **extra)
        done = subprocess.run(
            [sys.executable, "-m", "trellis", "shell", "-c", STORED],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1].split()

    backend, path = stored()
    assert backend == "FileSystemStorage"
    assert path == str(tmp_path / "media" / "attachments" / "note.txt")
    assert (tmp_path / "media" / "attachments" / "note.txt").read_bytes() == b"synthetic"
    backend, _ = stored(
        TRELLIS_FILE_STORAGE="django.core.files.storage.FileSystemStorage",
        TRELLIS_FILE_STORAGE_OPTIONS=f'{{"location": "{tmp_path / "bucket"}"}}',
    )
    assert (tmp_path / "bucket" / "attachments" / "note.txt").exists()
    env = trellis_env(tmp_path, TRELLIS_FILE_STORAGE_OPTIONS="{bucket")
    done = subprocess.run([sys.executable, "-m", "trellis", "check"], env=env, capture_output=True)
    assert b"TRELLIS_FILE_STORAGE_OPTIONS must be JSON" in done.stderr
