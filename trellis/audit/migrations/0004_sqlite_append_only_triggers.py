"""On SQLite, refuse UPDATE and DELETE on the audit log from any SQL (PostgreSQL: 0002)."""

from django.db import migrations

from trellis.audit.triggers import SQLITE_CREATE, SQLITE_DROP


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_key_the_chain")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
