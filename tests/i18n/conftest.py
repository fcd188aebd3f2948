import pytest

from .catalogue import ensure_compiled


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogue():
    ensure_compiled()
