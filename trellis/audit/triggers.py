"""The SQLite triggers that keep the audit log append-only (PostgreSQL's: migration 0002)."""

AUDIT_TABLE = "audit_auditentry"

SQLITE_CREATE = [
    f"CREATE TRIGGER audit_no_{op.lower()} BEFORE {op} ON {AUDIT_TABLE} "
    f"BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: {op} refused'); END"
    for op in ("UPDATE", "DELETE")
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS audit_no_{op}" for op in ("update", "delete")]
