"""Re-hash the existing chain with the audit key (HMAC-SHA256 instead of plain SHA-256).

Run once by the operator who holds the key, as the table's owner: it is the one time the chain
is rebuilt, before anything can depend on the keyed hashes.
"""

from django.db import migrations

from trellis.audit.models import canonical_content, chain_hash

GENESIS = "0" * 64


def key_the_chain(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
        previous = GENESIS
        for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=5000):
            new_hash = chain_hash(previous, canonical_content(entry))
            cursor.execute(
                "UPDATE audit_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
                [previous, new_hash, entry.pk],
            )
            previous = new_hash
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [migrations.RunPython(key_the_chain, migrations.RunPython.noop)]
