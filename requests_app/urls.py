"""Browser pages of requests (DESIGN §8); each area's module brings its own patterns."""

from .web import home, notifications, queue, reports, requests, suppliers, watch

urlpatterns = [
    *home.urlpatterns,
    *requests.urlpatterns,
    *queue.urlpatterns,
    *reports.urlpatterns,
    *notifications.urlpatterns,
    *suppliers.urlpatterns,
    *watch.urlpatterns,
]
