"""Reference pages of `partners` (the account pages are in `partners/accounts/urls.py`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("arrangements/", views.arrangements, name="arrangements"),
    path(
        "arrangements/<int:arrangement_id>/posture/",
        views.change_posture,
        name="arrangement_posture",
    ),
]
