"""PostgreSQL: what the application's role may do to the audit log.

The trigger of migration 0002 refuses UPDATE and DELETE, but a table's owner can disable a
trigger, so in production the migrations run as one role (the owner) and the web and worker
processes as another that may only read and append: `trellis audit grant-app-role ROLE`, run
as the owner, sets that up.
"""

from django.db import connection

from trellis.audit.triggers import AUDIT_TABLE


def app_role_grants(role: str) -> list[str]:
    """The statements that leave `role` able to SELECT and INSERT the log, and nothing else."""
    name = connection.ops.quote_name(role)
    return [
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {name}",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {name}",
        f"GRANT USAGE ON SEQUENCE {AUDIT_TABLE}_id_seq TO {name}",
    ]


def grant_app_role(role: str) -> list[str]:
    statements = app_role_grants(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE])
        (owner,) = cursor.fetchone()
        if owner == role:
            raise ValueError(
                f"{role} owns {AUDIT_TABLE}, so it could disable the append-only trigger: "
                "run the migrations as another role, which then owns the tables."
            )
        for statement in statements:
            cursor.execute(statement)
    return statements
