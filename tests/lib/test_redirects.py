from django.test import RequestFactory

from sosa_portal.lib.redirects import safe_next, safe_target

factory = RequestFactory()


def test_next_stays_on_this_site():
    assert safe_next(factory.get("/", {"next": "/requests/"})) == "/requests/"
    assert safe_next(factory.post("/", {"next": "/queue/?page=2"})) == "/queue/?page=2"
    for foreign in ("https://evil.example/", "//evil.example/", "javascript:alert(1)", ""):
        assert safe_next(factory.get("/", {"next": foreign}), default="/home/") == "/home/"


def test_a_target_can_be_held_under_a_prefix():
    request = factory.post("/")
    assert safe_target(request, "/queue/?view=x", "/queue/", prefix="/queue/") == "/queue/?view=x"
    assert safe_target(request, "/admin/", "/queue/", prefix="/queue/") == "/queue/"
    assert safe_target(request, None, "/queue/") == "/queue/"
