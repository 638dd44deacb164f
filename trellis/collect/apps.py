from django.apps import AppConfig


class CollectConfig(AppConfig):
    name = "trellis.collect"
    verbose_name = "Data collection"

    def learner_section(self, request, learner):
        """Data collection on the learner profile: start a session (alone or with a group) and
        the recent sessions, for staff who may record for the learner."""
        from trellis.collect.views_screen import learner_section

        return learner_section(request, learner)
