from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "trellis.records"
    verbose_name = "Disclosures and records requests"

    def learner_section(self, request, learner):
        """Disclosures and open requests on the learner's profile (staff only)."""
        from django.template.loader import render_to_string

        from trellis.people.access import is_staff_for_request

        if not is_staff_for_request(request, learner):
            return None
        return render_to_string(
            "records/_learner_section.html",
            {
                "learner": learner,
                "disclosures": learner.disclosures.count(),
                "open_requests": list(learner.records_requests.open()),
            },
            request=request,
        )
