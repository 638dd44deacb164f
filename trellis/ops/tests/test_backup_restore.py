"""An admin backs Trellis up while it runs, then restores the backup into a fresh database and
finds every record there, with an audit chain that verifies."""

import json
import os
import re
import shutil
import subprocess
import sys
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from trellis.audit.models import AuditEntry
from trellis.testing import make_dose, make_goal, make_incident, make_session

pytestmark = pytest.mark.django_db(transaction=True)


def every_record():
    """Every row of every model, by primary key: what a restore must bring back."""
    return {
        model._meta.label: sorted(
            str(pk) for pk in model._base_manager.values_list("pk", flat=True)
        )
        for model in apps.get_models()
    }


EVERY_RECORD = (
    "import json; from trellis.ops.tests.test_backup_restore import every_record; "
    "print(json.dumps(every_record()))"
)


def trellis(*args, database_url, **extra_env):
    """The `trellis` command on another database of this installation (same data folder, so
    the same keys)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "trellis.settings",
        **extra_env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "trellis", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def records(world, client):
    """A day's work: a session with its events, an incident, a dose, a learner's page read."""
    learner = world.own_learner
    make_session(world, learner, [make_goal(world, learner)], by=world.assistant)
    make_incident(world, learner)
    make_dose(world, learner)
    client.force_login(world.assistant)
    client.get(f"/learners/{learner.pk}/")
    return every_record()


def backup(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("backup", stdout=out)
    return out.getvalue(), tmp_path / "backups"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup")
def test_a_sqlite_backup_restores_into_a_fresh_file(records, settings, tmp_path):
    entries = AuditEntry.objects.count()
    said, folder = backup(settings, tmp_path)
    (path,) = folder.iterdir()
    assert re.fullmatch(r"trellis-\d{8}-\d{6}\.sqlite3", path.name)
    assert f"Backup written: {path}" in said
    assert path.stat().st_mode & 0o077 == 0  # it holds every learner's record

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    restored = trellis("restore", str(path), "--noinput", database_url=fresh)
    assert f"audit chain intact, {entries} entries" in restored
    assert "Audit chain intact" in trellis("audit", "verify", database_url=fresh)
    assert json.loads(trellis("shell", "-v0", "-c", EVERY_RECORD, database_url=fresh)) == records


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backup")
def test_a_backup_older_than_the_newest_checkpoint_restores_with_a_warning(
    records, settings, tmp_path
):
    """The entries written after the backup are lost with it: the restore says so, records the
    restore, and anchors the log again, so the next verify passes."""
    from trellis.audit.checkpoint import write_checkpoint
    from trellis.audit.log import record

    _, folder = backup(settings, tmp_path)
    (path,) = folder.iterdir()
    record("learner.view", detail={"after": "the backup"})
    settings.AUDIT_CHECKPOINTS = tmp_path / "checkpoints.jsonl"
    write_checkpoint()
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    checkpoints = {"TRELLIS_AUDIT_CHECKPOINTS": str(settings.AUDIT_CHECKPOINTS)}
    restored = trellis("restore", str(path), "--noinput", database_url=fresh, **checkpoints)
    assert "Warning: the newest entries were removed" in restored
    assert "audit chain intact" in restored
    assert "Audit chain intact" in trellis("audit", "verify", database_url=fresh, **checkpoints)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backup")
@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed")
def test_a_postgresql_backup_restores_into_a_fresh_database(records, settings, tmp_path):
    entries = AuditEntry.objects.count()
    said, folder = backup(settings, tmp_path)
    (path,) = folder.iterdir()
    assert re.fullmatch(r"trellis-\d{8}-\d{6}\.dump", path.name)
    db = connection.settings_dict
    assert f"pg_dump --host={db['HOST']}" in said and "--format=custom" in said

    fresh_name = f"{db['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{fresh_name}"')
        cursor.execute(f'CREATE DATABASE "{fresh_name}"')
    fresh = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{fresh_name}"
    try:
        restored = trellis("restore", str(path), "--noinput", database_url=fresh)
        assert "pg_restore" in restored and "--clean --if-exists" in restored
        assert f"audit chain intact, {entries} entries" in restored
        assert json.loads(trellis("shell", "-v0", "-c", EVERY_RECORD, database_url=fresh)) == (
            records
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh_name}" WITH (FORCE)')


def test_a_file_that_is_no_backup_is_refused(db, tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("shopping list")
    with pytest.raises(CommandError, match="is not a SQLite backup|is not a pg_dump"):
        call_command("restore", str(not_a_backup), "--noinput")
