from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from . import arrangements, feed, reference_views, tokens, views, webhooks

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No `.json` suffix routes: the custom actions take no `format` argument (a suffix was a 500).
router.include_format_suffixes = False
router.register("requests", views.RequestViewSet, basename="request")
router.register("nations", reference_views.NationViewSet, basename="nation")
router.register("arrangements", arrangements.ArrangementViewSet, basename="arrangement")
router.register("suppliers", reference_views.SupplierViewSet, basename="supplier")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")
router.register("tokens", tokens.TokenViewSet, basename="token")

urlpatterns = [
    path("me/", reference_views.me, name="me"),
    path("ping/", reference_views.ping, name="ping"),
    path("events/", feed.EventFeedView.as_view(), name="event-feed"),
    path("", include(router.urls)),
    # Last: any other path ending in "/" is a JSON 404 (one without the slash is a JSON 404 too,
    # naming the slashed path: sosa_portal.errors).
    re_path(r"^(?:[\s\S]*/)?$", views.NotFoundView.as_view(), name="not-found"),
]
