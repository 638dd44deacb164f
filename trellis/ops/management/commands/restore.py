from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from trellis.audit.checkpoint import write_checkpoint
from trellis.audit.log import record, verify_chain
from trellis.ops.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace every record of the database with those of a backup made by `trellis backup` "
        "(SQLite: the online backup API; PostgreSQL: pg_restore --clean --if-exists), then "
        "verify the audit chain. Stop Trellis first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file, interactive, **options):
        if not file.is_file():
            raise CommandError(f"No backup at {file}.")
        database = connection.settings_dict["NAME"]
        if interactive:
            answer = input(f"Every record of {database} will be replaced by {file}'s. Type 'yes': ")
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore(file, self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        report = verify_chain()
        if report.cut_short:
            # The backup is older than the newest checkpoint: the entries written since it are
            # not in it. Say so, record the restore, and anchor the log again from here.
            self.stdout.write(
                f"Warning: {report.problem}. The backup is older than the newest audit "
                "checkpoint; the entries after it are lost with the rest of that period's data."
            )
            record("audit.restore", detail={"file": file.name, "lost_after": report.broken_at})
            write_checkpoint()
            report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Restored, but the audit chain breaks at entry {report.broken_at}: "
                f"{report.problem}."
            )
        self.stdout.write(f"Restored {file}: audit chain intact, {report.checked} entries.")
