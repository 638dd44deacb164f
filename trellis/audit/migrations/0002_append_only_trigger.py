"""On PostgreSQL, refuse UPDATE and DELETE on the audit log even for SQL run by the app's role.

TRUNCATE is left alone: the test runner empties tables with it between tests. A production
deployment also revokes TRUNCATE from the application role (see docs/ARCHITECTURE.md).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION trellis_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION trellis_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS trellis_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
