from django.core.management.base import BaseCommand, CommandError

from trellis.ops.backups import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database into DATA_DIR/backups/trellis-YYYYmmdd-HHMMSS (UTC): SQLite "
        "with its online backup API, PostgreSQL with pg_dump --format=custom. Safe while "
        "Trellis runs."
    )

    def handle(self, *args, **options):
        try:
            path = backup(self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backup written: {path}")
