from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "trellis.credentials"
    verbose_name = "Credentials and training"
