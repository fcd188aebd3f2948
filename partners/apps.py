from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Nations and people"

    def ready(self):
        from . import (
            reference,  # noqa: F401  (clears the cached nation list on change)
        )
        from .accounts import audit  # noqa: F401  (connects the sign-in audit receivers)
