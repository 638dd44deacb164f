"""The audit log: every read, change and denial leaves one entry; the chain shows tampering."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from trellis.audit.checkpoint import write_checkpoint
from trellis.audit.log import GENESIS, record, verify_chain
from trellis.audit.models import AppendOnly, AuditEntry
from trellis.audit.triggers import SQLITE_CREATE, SQLITE_DROP


def entries(**filters):
    return list(AuditEntry.objects.filter(**filters))


def test_reading_a_learner_leaves_one_entry_naming_who_what_and_from_where(client, world):
    client.force_login(world.assistant)
    client.get(f"/learners/{world.own_learner.pk}/", REMOTE_ADDR="10.1.2.3")
    [entry] = entries(action="learner.view", learner_id=world.own_learner.pk)
    assert entry.actor_id == world.assistant.pk
    assert entry.learner_label == "Olive Quillfeather"
    assert entry.ip == "10.1.2.3" and entry.result == "ok"


def test_a_denied_read_leaves_one_denied_entry(client, world):
    client.force_login(world.technician)
    client.get(f"/learners/{world.own_learner.pk}/")
    [entry] = entries(result="denied")
    assert entry.actor_id == world.technician.pk and entry.learner_id == world.own_learner.pk


def test_changing_a_learner_leaves_one_entry(world):
    before = AuditEntry.objects.count()
    world.own_learner.preferred_name = "Liv"
    world.own_learner.save()
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-id").first().action == "learner.change"


def test_an_entry_rolls_back_with_the_change_it_describes(world):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record("learner.change", learner=world.own_learner)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before


def test_entries_survive_the_deletion_of_the_learner_they_name(world):
    learner_id = world.classmate.pk
    world.classmate.delete()
    assert entries(action="learner.delete", learner_id=learner_id)
    assert entries(action="learner.create", learner_id=learner_id)


def test_the_application_cannot_change_or_delete_entries(world):
    entry = record("learner.view", learner=world.own_learner)
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()


def test_the_chain_verifies(world, capsys):
    record("learner.view", learner=world.own_learner)
    report = verify_chain()
    assert report.ok and report.checked == AuditEntry.objects.count()
    call_command("audit", "verify")
    assert "Audit chain intact" in capsys.readouterr().out


def tamper(sql, params=()):
    """Change the table behind the application's back, as the owner of the database might:
    with the append-only triggers out of the way."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        else:
            for statement in SQLITE_DROP:
                cursor.execute(statement)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")
        else:
            for statement in SQLITE_CREATE:
                cursor.execute(statement)


def test_an_edited_entry_is_detected(world):
    entry = record("learner.view", learner=world.own_learner)
    record("learner.view", learner=world.own_learner)
    tamper("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["nobody", entry.pk])
    report = verify_chain()
    assert report.broken_at == entry.pk and "content was changed" in report.problem
    with pytest.raises(CommandError, match=f"broken at entry {entry.pk}"):
        call_command("audit", "verify")


def test_a_removed_entry_is_detected(world):
    removed = record("learner.view", learner=world.own_learner)
    after = record("learner.view", learner=world.own_learner)
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [removed.pk])
    report = verify_chain()
    assert report.broken_at == after.pk and "removed" in report.problem


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"]
)
def test_the_database_refuses_update_and_delete_even_in_plain_sql(world, sql):
    """A trigger on both databases: SQL that bypasses the application is refused too."""
    record("learner.view", learner=world.own_learner)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_a_chain_rebuilt_without_the_key_is_detected(world):
    """Someone with write access edits an entry and recomputes every hash after it with the
    plain hash the chain used before it was keyed: without the key, the hashes do not fit."""
    import hashlib

    first = record("learner.view", learner=world.own_learner)
    record("learner.view", learner=world.own_learner)
    tamper("UPDATE audit_auditentry SET actor_label = 'nobody' WHERE id = %s", [first.pk])
    previous = GENESIS
    for entry in AuditEntry.objects.order_by("id"):
        rebuilt = hashlib.sha256((previous + entry.canonical()).encode()).hexdigest()
        tamper(
            "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [previous, rebuilt, entry.pk],
        )
        previous = rebuilt
    report = verify_chain()
    assert not report.ok and report.broken_at == AuditEntry.objects.order_by("id")[0].pk
    assert "rebuilt" in report.problem


@pytest.fixture
def checkpoints(tmp_path, settings):
    settings.AUDIT_CHECKPOINTS = tmp_path / "checkpoints.jsonl"
    return settings.AUDIT_CHECKPOINTS


def test_cutting_the_newest_entries_is_detected_by_the_checkpoint(world, checkpoints, capsys):
    record("learner.view", learner=world.own_learner)
    newest = record("learner.change", learner=world.own_learner)
    write_checkpoint()
    call_command("audit", "verify")
    assert "the newest checkpoint" in capsys.readouterr().out
    tamper("DELETE FROM audit_auditentry WHERE id = %s", [newest.pk])
    report = verify_chain()  # what is left is still a chain; only the checkpoint knows
    assert not report.ok and report.broken_at == newest.pk
    assert "newest entries were removed" in report.problem
    with pytest.raises(CommandError, match="newest entries were removed"):
        call_command("audit", "verify")


def test_entries_after_the_checkpoint_are_fine_and_a_forged_checkpoint_is_not(world, checkpoints):
    record("learner.view", learner=world.own_learner)
    call_command("audit", "checkpoint")
    record("learner.view", learner=world.own_learner)
    assert verify_chain().ok
    newest = AuditEntry.objects.order_by("-id").first()
    checkpoints.write_text(
        checkpoints.read_text()
        + f'{{"at": "2026-12-03T00:00:00", "count": 99, "hash": "{newest.hash}", '
        f'"id": {newest.pk}, "signature": "{"0" * 64}"}}\n'
    )
    report = verify_chain()
    assert not report.ok and "forged" in report.problem


def test_a_web_process_writes_a_checkpoint_when_one_is_due(client, world, checkpoints, settings):
    import trellis.audit.checkpoint as checkpoint

    settings.AUDIT_CHECKPOINT_MINUTES = 10
    checkpoint._last_written = 0.0
    client.force_login(world.assistant)
    client.get(f"/learners/{world.own_learner.pk}/")
    client.get(f"/learners/{world.own_learner.pk}/")
    assert len(checkpoints.read_text().splitlines()) == 1  # not again within ten minutes
    assert checkpoint.newest_checkpoint().entry_id <= AuditEntry.objects.latest("id").pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append lock is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    """Four connections appending at once, in and out of their own transactions: the lock
    orders them, and every entry's prev_hash is the entry before it."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def append(n):
        try:
            for i in range(15):
                if i % 3:
                    record("learner.view", detail={"writer": n, "i": i})
                else:
                    with transaction.atomic():
                        record("learner.change", detail={"writer": n, "i": i})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(append, range(4)))
    report = verify_chain()
    assert report.ok and report.checked == 60


def test_where_an_append_cannot_be_one_statement_it_still_keeps_the_chain(world, monkeypatch):
    """SQLite, or PostgreSQL with server-side binding (the lock and the INSERT cannot go as one
    query): the append takes the lock, reads the last hash and inserts."""
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr("trellis.audit.log._one_statement", lambda: False)
    with CaptureQueriesContext(connection) as queries:
        record("learner.view", learner=world.own_learner)
    if connection.vendor == "postgresql":
        assert "pg_advisory_xact_lock" in queries.captured_queries[0]["sql"]
    record("learner.view", learner=world.own_learner)
    report = verify_chain()
    assert report.ok and report.checked == AuditEntry.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's")
def test_the_application_role_appends_but_cannot_change_disable_or_empty_the_log(world):
    """Production runs the web as a role that does not own the table (docs/ARCHITECTURE.md):
    it appends, and every way around the trigger is refused."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE trellis_app_probe NOLOGIN")  # rolled back with the test
        cursor.execute(
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
            "TO trellis_app_probe"
        )
        cursor.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO trellis_app_probe")
    call_command("audit", "grant-app-role", "trellis_app_probe")

    def as_app(sql=None):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL ROLE trellis_app_probe")
            if sql:
                cursor.execute(sql)
            else:
                record("learner.view", learner=world.own_learner)
            cursor.execute("RESET ROLE")

    with transaction.atomic():
        as_app()
    for sql, refusal in [
        ("UPDATE audit_auditentry SET action = 'x'", "permission denied"),
        ("DELETE FROM audit_auditentry", "permission denied"),
        ("TRUNCATE audit_auditentry", "permission denied"),
        ("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only", "must be owner"),
    ]:
        with pytest.raises(DatabaseError, match=refusal), transaction.atomic():
            as_app(sql)
    assert verify_chain().ok
