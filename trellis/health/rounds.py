"""Today's medication round per learner, for the nurse's home page: which scheduled doses are
charted, which is next, which are overdue (the MAR grid's rules, for one day)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from trellis.health.models import Dose, MedicationOrder, MedicationPolicy, local_zone, window


@dataclass
class Round:
    scheduled: int = 0
    charted: int = 0
    overdue: list = None  # local times of uncharted doses past their window
    next_due: str | None = None  # local time of the next uncharted dose

    def words(self):
        if not self.scheduled:
            return "No scheduled dose today"
        parts = [f"{self.charted} of {self.scheduled} doses charted"]
        if self.overdue:
            parts.append(f"overdue {', '.join(self.overdue)}")
        elif self.next_due:
            parts.append(f"next {self.next_due}")
        return " · ".join(parts)


def todays_round(learner, now=None) -> Round:
    now = now or timezone.now()
    zone = local_zone(learner)
    day = now.astimezone(zone).date()
    grace = window(MedicationPolicy.for_organization(learner.organization))
    begin = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    charted = set(
        Dose.objects.standing()
        .filter(learner=learner, scheduled_for__gte=begin, scheduled_for__lt=begin + timedelta(1))
        .values_list("order_id", "scheduled_for")
    )
    result = Round(overdue=[])
    for order in MedicationOrder.objects.filter(learner=learner).active(day):
        for slot in order.scheduled_on(day, zone):
            result.scheduled += 1
            if (order.pk, slot) in charted:
                result.charted += 1
            elif now > slot + grace:
                result.overdue.append(f"{slot:%H:%M}")
            elif result.next_due is None or f"{slot:%H:%M}" < result.next_due:
                result.next_due = f"{slot:%H:%M}"
    result.overdue.sort()
    return result
