from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = "Nations and people"

    def ready(self):
        from . import (
            reference,  # noqa: F401  (clears the cached nation list on change)
        )
        from .accounts import audit  # noqa: F401  (connects the sign-in audit receivers)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django's admin with a site that also asks for the second factor (SECURITY.md)."""

    default = False  # "partners" itself stays PartnersConfig
    default_site = "partners.accounts.admin_site.VerifiedAdminSite"
