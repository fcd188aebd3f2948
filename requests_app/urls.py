"""Browser pages of requests (DESIGN §8); each area's module brings its own patterns."""

from importlib import import_module

AREAS = ["home", "requests", "queue", "reports", "notifications"]

urlpatterns: list = []
for area in AREAS:
    try:
        module = import_module(f"requests_app.views.{area}")
    except ModuleNotFoundError as missing:
        if missing.name != f"requests_app.views.{area}":
            raise
        continue  # an area not built yet
    urlpatterns += module.urlpatterns
