from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "trellis.ops"
    verbose_name = "Operations"
