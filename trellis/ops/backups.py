"""Backups of the database: SQLite through its online backup API, PostgreSQL through pg_dump.

A backup is taken while Trellis runs; a restore replaces every record with the backup's.
"""

import os
import shlex
import sqlite3
import subprocess
from contextlib import closing, contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient
from django.utils import timezone

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class BackupError(Exception):
    pass


def backup(say) -> Path:
    """Write a backup into DATA_DIR/backups/, named by the time (UTC), and return its path."""
    folder = settings.DATA_DIR / "backups"
    # A backup holds every learner's record: readable by Trellis's own user only.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"trellis-{timezone.now():%Y%m%d-%H%M%S}"
    if connection.vendor == "sqlite":
        path = folder / f"{name}.sqlite3"
        _refuse_existing(path)
        # Written under another name first: a file named like a backup is a whole backup.
        partial = path.with_suffix(".partial")
        _create_private(partial)
        connection.ensure_connection()
        with _removed_on_failure(partial), closing(sqlite3.connect(partial)) as target:
            connection.connection.backup(target)
            # One self-contained file: the live database's WAL mode wants -wal and -shm files
            # beside it, which even a read-only open of the backup would create.
            target.execute("PRAGMA journal_mode=DELETE")
        partial.rename(path)
        say(f"SQLite online backup of {connection.settings_dict['NAME']} into {path}")
        return path
    path = folder / f"{name}.dump"
    _create_private(path)
    with _removed_on_failure(path):
        _run(say, "pg_dump", "--format=custom", f"--file={path}")
    return path


def restore(path: Path, say):
    """Replace the database's content with the backup's."""
    with open(path, "rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if connection.vendor == "sqlite":
        if header != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite backup, and the database is SQLite.")
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source:
            if source.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{path} is damaged (SQLite's quick_check fails).")
            connection.ensure_connection()
            source.backup(connection.connection)
        say(f"SQLite online backup of {path} into {connection.settings_dict['NAME']}")
        return
    if not header.startswith(PG_CUSTOM_HEADER):
        raise BackupError(f"{path} is not a pg_dump --format=custom file.")
    # One transaction: a restore that fails half-way leaves the database as it was.
    _run(say, "pg_restore", "--clean", "--if-exists", "--single-transaction", str(path))


def _refuse_existing(path):
    if path.exists():
        raise BackupError(f"{path} exists already; wait a second and run it again.")


@contextmanager
def _removed_on_failure(path):
    try:
        yield
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _create_private(path):
    _refuse_existing(path)
    path.touch(mode=0o600, exist_ok=False)


def _run(say, program, *params):
    """Run a PostgreSQL client program against the database of the settings, and say so.

    The password travels in PGPASSWORD (as Django's dbshell passes it), never on the line."""
    db = connection.settings_dict
    args = [program]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args.append(f"{flag}={db[key]}")
    args += [f"--dbname={db['NAME']}", *params]
    _, env = DatabaseClient.settings_to_cmd_args_env(db, [])
    say(shlex.join(args))
    done = subprocess.run(args, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")
