from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("requests", views.RequestViewSet, basename="request")
router.register("nations", views.NationViewSet, basename="nation")
router.register("suppliers", views.SupplierViewSet, basename="supplier")

urlpatterns = [
    path("me/", views.me, name="me"),
    path("", include(router.urls)),
]
