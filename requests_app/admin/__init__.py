"""The Django admin for staff (DESIGN §8): requests and their rows (`requests.py`), the outbox
and the API's records (`outbox.py`). A face: it reads models and writes through services."""

from . import outbox, requests  # noqa: F401  (registers the model admins)
