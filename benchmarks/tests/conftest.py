"""The benchmarks' own checks run with the suite's fixtures (`make test` collects them)."""

from tests.conftest import *  # noqa: F403
from tests.conftest import _celery_eager, _media_in_tmp  # noqa: F401  (autouse fixtures)
