from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "trellis.demo"
    verbose_name = "Synthetic demo organization"
