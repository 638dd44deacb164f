from django.core.management.base import BaseCommand

from trellis.audit.log import AuditContext, set_context
from trellis.monitoring.status import active_goals, evaluate_all, evaluate_goals


class Command(BaseCommand):
    help = (
        "Run the decision rules on every active goal (what beat runs nightly): refresh the "
        "dashboard's goal statuses, open and close recommendations, and drop statuses of goals "
        "no longer active."
    )

    def add_arguments(self, parser):
        parser.add_argument("--goal", type=int, action="append", help="Only this goal (repeat).")

    def handle(self, *args, goal=None, **options):
        set_context(AuditContext())
        if goal:
            ids = active_goals().filter(pk__in=goal).values_list("pk", flat=True)
            done, failed = evaluate_goals(list(ids))
        else:
            done, failed = evaluate_all()
        self.stdout.write(self.style.SUCCESS(f"{done} goals evaluated."))
        if failed:
            self.stderr.write(f"{len(failed)} goals failed (see the log): {failed[:20]}")
