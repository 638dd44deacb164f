from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "trellis.health"
    verbose_name = "Medications and the MAR"

    def learner_section(self, request, learner):
        """Active orders on the learner profile, for staff who may see the learner (nurses through
        their caseload). Families do not read the MAR here."""
        from django.template.loader import render_to_string
        from django.utils import timezone

        from trellis.people.access import is_staff_for_request

        if not is_staff_for_request(request, learner):
            return None
        today = timezone.localdate()
        orders = learner.medication_orders.active(today)
        if not orders.exists() and not learner.medication_orders.exists():
            return render_to_string(
                "health/section.html", {"learner": learner, "orders": []}, request=request
            )
        return render_to_string(
            "health/section.html",
            {
                "learner": learner,
                "orders": orders,
                "today_doses": learner.doses.standing().filter(at__date=today).count(),
            },
            request=request,
        )
