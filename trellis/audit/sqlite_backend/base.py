"""Django's SQLite backend; only `flush` differs.

SQLite's triggers refuse DELETE on the audit log (migration 0004), and Django's flush empties
tables with DELETE (PostgreSQL's uses TRUNCATE, which row triggers do not see). Flush — the
`trellis flush` command and the test runner between browser tests — wipes every table anyway,
so it drops the triggers, empties the tables and puts the triggers back in one transaction.
"""

from django.db.backends.sqlite3 import base

from trellis.audit.triggers import AUDIT_TABLE, SQLITE_CREATE, SQLITE_DROP


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if AUDIT_TABLE not in tables:
            return statements
        return [*SQLITE_DROP, *statements, *SQLITE_CREATE]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
