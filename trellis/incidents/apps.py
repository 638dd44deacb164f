from datetime import timedelta

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "trellis.incidents"

    def learner_section(self, request, learner):
        """Recent reports on the learner profile, for staff who may see the learner (families do
        not read incident reports here)."""
        from django.template.loader import render_to_string
        from django.utils import timezone

        from trellis.incidents.models import IncidentPolicy
        from trellis.people.access import is_staff_for_request

        if not is_staff_for_request(request, learner):
            return None
        incidents = learner.incidents.order_by("-started_at")
        recent_restraints = (
            incidents.restrictive()
            .filter(started_at__gte=timezone.now() - timedelta(days=30))
            .count()
        )
        return render_to_string(
            "incidents/section.html",
            {
                "learner": learner,
                "recent": incidents[:5],
                "total": incidents.count(),
                "recent_restraints": recent_restraints,
                "threshold": IncidentPolicy.for_organization(
                    learner.organization
                ).repeated_restraint_count,
                "now": timezone.now(),
            },
            request=request,
        )
