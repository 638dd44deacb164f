from django.core.management.base import BaseCommand

from trellis.audit.log import AuditContext, set_context
from trellis.monitoring.models import GoalStatus
from trellis.monitoring.status import active_goals, evaluate_goals


class Command(BaseCommand):
    help = (
        "Run the decision rules on every active goal (nightly): refresh the dashboard's goal "
        "statuses, open and close recommendations, and drop statuses of goals no longer active."
    )

    def add_arguments(self, parser):
        parser.add_argument("--goal", type=int, action="append", help="Only this goal (repeat).")

    def handle(self, *args, goal=None, **options):
        set_context(AuditContext())
        goals = active_goals().select_related("plan__learner__organization")
        if goal:
            goals = goals.filter(pk__in=goal)
        else:
            stale = GoalStatus.objects.exclude(goal__in=active_goals())
            dropped, _ = stale.delete()
            if dropped:
                self.stdout.write(f"{dropped} statuses of inactive goals removed.")
        done, failed = evaluate_goals(goals.order_by("pk").iterator(chunk_size=200))
        self.stdout.write(self.style.SUCCESS(f"{done} goals evaluated."))
        if failed:
            self.stderr.write(f"{len(failed)} goals failed (see the log): {failed[:20]}")
