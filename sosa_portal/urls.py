from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from requests_app.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(("requests_app.api.urls", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("partners.urls")),
    path("", include("requests_app.urls")),
]

handler403 = "requests_app.views.errors.forbidden"
handler404 = "requests_app.views.errors.not_found"
handler500 = "requests_app.views.errors.server_error"
