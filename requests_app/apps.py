from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "requests_app"
    verbose_name = "Priority-support requests"

    def ready(self) -> None:
        from partners.accounts.audit import add_trail

        from . import (
            signals,  # noqa: F401  (connects the Closure receiver)
            tasks,  # noqa: F401  (registers the tasks that domain code queues by name)
        )
        from .audit import request_rows

        add_trail(request_rows)
