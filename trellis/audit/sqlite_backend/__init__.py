"""Django's SQLite backend, with a flush that steps around the audit log's triggers."""
