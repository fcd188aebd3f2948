import pytest
from django.utils import translation

from .catalogue import ensure_compiled


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogue():
    ensure_compiled()


@pytest.fixture(autouse=True)
def _the_portals_language_after_each_test():
    """A Hindi page leaves Hindi active in the thread (LocaleMiddleware activates a request's
    language and nothing deactivates it): the tests that follow start in the portal's own."""
    yield
    translation.deactivate()
