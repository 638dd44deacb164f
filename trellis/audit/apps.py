from django.apps import AppConfig
from django.db.backends.signals import connection_created


def register_sqlite_functions(sender, connection, **kwargs):
    """The audit chain's hash as an SQL function, so an append is one statement on SQLite too
    (see log._APPEND)."""
    if connection.vendor == "sqlite":
        from trellis.audit.models import sha256_hex

        connection.connection.create_function(
            "trellis_sha256_hex", 1, sha256_hex, deterministic=True
        )


class AuditConfig(AppConfig):
    name = "trellis.audit"
    verbose_name = "Audit log"

    def ready(self):
        connection_created.connect(register_sqlite_functions)
