from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "trellis.audit"
    verbose_name = "Audit log"
