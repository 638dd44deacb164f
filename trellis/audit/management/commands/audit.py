from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from trellis.audit.checkpoint import write_checkpoint
from trellis.audit.log import verify_chain
from trellis.audit.roles import grant_app_role


class Command(BaseCommand):
    help = (
        "Audit log tools. `trellis audit verify` checks that no entry was changed, removed or "
        "cut from the end; `trellis audit checkpoint` signs the newest entry into the "
        "checkpoint file; `trellis audit grant-app-role ROLE` (PostgreSQL, as the tables' "
        "owner) lets the application's role only read and append."
    )

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["verify", "checkpoint", "grant-app-role"])
        parser.add_argument("role", nargs="?", help="grant-app-role: the application's role")

    def handle(self, *args, operation, role=None, **options):
        if operation == "grant-app-role":
            if connection.vendor != "postgresql" or not role:
                raise CommandError("grant-app-role needs PostgreSQL and the role's name.")
            try:
                statements = grant_app_role(role)
            except ValueError as problem:
                raise CommandError(str(problem)) from None
            self.stdout.write("\n".join(f"{statement};" for statement in statements))
            return
        if operation == "checkpoint":
            checkpoint = write_checkpoint()
            if checkpoint is None:
                self.stdout.write("The audit log is empty: no checkpoint written.")
            else:
                self.stdout.write(
                    f"Checkpoint written: entry {checkpoint.entry_id} "
                    f"({checkpoint.count} entries)."
                )
            return
        report = verify_chain()
        if not report.ok:
            where = f" at entry {report.broken_at}" if report.broken_at else ""
            raise CommandError(
                f"Audit chain broken{where}: {report.problem} "
                f"({report.checked} entries before it verified)."
            )
        anchor = (
            f"; the newest checkpoint ({report.checkpoint.at}) matches"
            if report.checkpoint
            else "; no checkpoint yet to compare the newest entries with"
        )
        self.stdout.write(f"Audit chain intact: {report.checked} entries verified{anchor}.")
