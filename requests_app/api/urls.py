from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from . import arrangements, views, webhooks

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No `.json` suffix routes: the custom actions take no `format` argument (a suffix was a 500).
router.include_format_suffixes = False
router.register("requests", views.RequestViewSet, basename="request")
router.register("nations", views.NationViewSet, basename="nation")
router.register("arrangements", arrangements.ArrangementViewSet, basename="arrangement")
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("me/", views.me, name="me"),
    path("ping/", views.ping, name="ping"),
    path("", include(router.urls)),
    # Last: any other path ending in "/" is a JSON 404 (others still get APPEND_SLASH).
    re_path(r"^(?:[\s\S]*/)?$", views.NotFoundView.as_view(), name="not-found"),
]
