from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "trellis.plans"
    verbose_name = "Plans and goals"

    def learner_section(self, request, learner):
        """Current plans and their goals on the learner's profile (staff only)."""
        from django.template.loader import render_to_string

        from trellis.people.access import is_staff_for_request
        from trellis.plans.models import Plan

        if not is_staff_for_request(request, learner):
            return None
        plans = (
            Plan.objects.filter(learner=learner)
            .exclude(status=Plan.Status.SUPERSEDED)
            .prefetch_related("goals")
            .order_by("kind", "-version")
        )
        return render_to_string(
            "plans/_learner_section.html", {"learner": learner, "plans": plans}, request=request
        )
