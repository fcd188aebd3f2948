from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from partners.accounts import views as account_views

from . import health, metrics

DOCS_CSP = {"script-src": [NONCE], "style-src": [NONCE], "img-src": ["data:"]}

urlpatterns = [
    path("admin/", admin.site.urls),
    # Health in three tiers (sosa_portal/health.py): the process, what it needs, everything.
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),  # Prometheus, allowed scrapers only
    # The language switch in every page's header posts here: Django's set_language (a cookie),
    # which also keeps a signed-in person's choice for their e-mails (partners.accounts.views).
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("api/v1/", include(("requests_app.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI: its inline script and style carry a nonce; its CSS draws icons from data: URIs.
    path(
        "api/docs/",
        csp_update(DOCS_CSP)(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("", include("partners.accounts.urls")),
    path("", include("partners.urls")),
    path("", include("requests_app.urls")),
]

handler403 = "sosa_portal.errors.forbidden"
handler404 = "sosa_portal.errors.not_found"
handler500 = "sosa_portal.errors.server_error"

metrics.connect()  # sign-ins counted by their signals
