from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "trellis.monitoring"
    verbose_name = "Progress monitoring"

    def ready(self):
        from trellis.monitoring import signals  # noqa: F401 - connects the Event receiver

    def learner_section(self, request, learner):
        from trellis.monitoring.views import learner_section

        return learner_section(request, learner)
