"""Browser pages of requests (DESIGN §8); each area's module brings its own patterns."""

from .web import (
    help,
    home,
    notification_settings,
    notifications,
    queue,
    queue_views,
    reports,
    requests,
    suppliers,
    watch,
)

urlpatterns = [
    *home.urlpatterns,
    *queue_views.urlpatterns,  # before requests/<reference>/<action>/
    *requests.urlpatterns,
    *queue.urlpatterns,
    *reports.urlpatterns,
    *notifications.urlpatterns,
    *notification_settings.urlpatterns,
    *suppliers.urlpatterns,
    *watch.urlpatterns,
    *help.urlpatterns,
]
