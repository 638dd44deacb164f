from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trellis.accounts"
    verbose_name = "Sign-in and accounts"

    def ready(self):
        from trellis.accounts import signals  # noqa: F401
