"""Browser pages of requests (DESIGN §8); each area's module brings its own patterns."""

from .web import help, home, notifications, queue, queue_views, reports, requests, suppliers, watch

urlpatterns = [
    *home.urlpatterns,
    *queue_views.urlpatterns,  # before requests/<reference>/<action>/
    *requests.urlpatterns,
    *queue.urlpatterns,
    *reports.urlpatterns,
    *notifications.urlpatterns,
    *suppliers.urlpatterns,
    *watch.urlpatterns,
    *help.urlpatterns,
]
