from django.core.management.base import BaseCommand, CommandError

from trellis.audit.log import verify_chain


class Command(BaseCommand):
    help = "Audit log tools. `trellis audit verify` checks that no entry was changed or removed."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["verify"])

    def handle(self, *args, operation, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at entry {report.broken_at}: {report.problem} "
                f"({report.checked} entries before it verified)."
            )
        self.stdout.write(f"Audit chain intact: {report.checked} entries verified.")
