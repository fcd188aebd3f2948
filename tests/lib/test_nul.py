"""sosa_portal.lib.nul: a NUL in a query parameter is a 400 naming it, JSON under /api/."""

import json

from django.test import RequestFactory

from sosa_portal.lib.nul import RefuseNulMiddleware


def passed(request):
    return "passed"


def test_a_nul_in_a_parameter_is_a_400_naming_it():
    middleware = RefuseNulMiddleware(passed)
    factory = RequestFactory()

    api = middleware(factory.get("/api/v1/suppliers/", {"nation": "U\x00S"}))
    page = middleware(factory.get("/queue/next/", {"from": "\x00"}))

    assert api.status_code == 400
    assert json.loads(api.content) == {"errors": {"nation": ["A NUL character is not allowed."]}}
    assert page.status_code == 400 and b"from: A NUL character" in page.content


def test_a_query_without_nul_goes_on():
    middleware = RefuseNulMiddleware(passed)
    assert middleware(RequestFactory().get("/requests/", {"q": "100% cotton"})) == "passed"
