"""The audit log: every read, change and denial leaves one entry; the chain shows tampering."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from trellis.audit.log import record, verify_chain
from trellis.audit.models import AppendOnly, AuditEntry


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


def tamper(sql, params):
    """Change the table behind the application's back, as someone with SQL access might."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditentry SET action = 'x'", "DELETE FROM audit_auditentry"]
)
def test_postgresql_refuses_update_and_delete_even_in_plain_sql(world, sql):
    record("learner.view", learner=world.own_learner)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)


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
