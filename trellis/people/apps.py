from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "trellis.people"
    verbose_name = "People and caseloads"

    def ready(self):
        from trellis.people import signals  # noqa: F401
