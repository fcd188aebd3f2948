"""Files kept between rounds of the filing form (issue 16 point 6): a browser forgets the files
a person chose when the page comes back with errors, so the ones that passed their checks are
held in storage under `held/`, named in the form by a signed, person-bound token, and attached
when the form goes through. Held files older than a day are removed whenever files are held."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone

FOLDER = "held"
SALT = "sosa.held-upload"
MAX_AGE = dt.timedelta(days=1)
MAX_HELD = 20


@dataclass(frozen=True)
class HeldFile:
    token: str  # what the form sends back
    path: str  # where it is in storage
    name: str  # the file's own name, as chosen
    size: int

    def open(self) -> File:
        stored = default_storage.open(self.path, "rb")
        return File(stored, name=self.name)


def hold(user, uploaded) -> HeldFile:
    """Store `uploaded` (already checked) for this person; its token for the form."""
    prune()
    path = default_storage.save(
        f"{FOLDER}/{user.pk}/{secrets.token_hex(8)}/{secrets.token_hex(4)}.bin", uploaded
    )
    size = uploaded.size
    token = signing.dumps(
        {"path": path, "name": uploaded.name, "size": size, "owner": user.pk}, salt=SALT
    )
    return HeldFile(token=token, path=path, name=uploaded.name, size=size)


def held_from(user, tokens: list[str]) -> list[HeldFile]:
    """The files these tokens name, if they are this person's, still fresh and still stored;
    anything else is silently left out (a forged or stale token holds nothing)."""
    found: list[HeldFile] = []
    for token in dict.fromkeys(tokens[:MAX_HELD]):
        try:
            data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            continue
        path = str(data.get("path", ""))
        if data.get("owner") != user.pk or not path.startswith(f"{FOLDER}/{user.pk}/"):
            continue
        if default_storage.exists(path):
            found.append(HeldFile(token, path, str(data["name"]), int(data["size"])))
    return found


def release(files: list[HeldFile]) -> None:
    for held in files:
        default_storage.delete(held.path)


def prune(now: dt.datetime | None = None) -> int:
    """Remove held files older than MAX_AGE (a form abandoned with errors); how many."""
    cutoff = (now or timezone.now()) - MAX_AGE
    removed = 0
    try:
        owners, _ = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    for owner in owners:
        for batch in default_storage.listdir(f"{FOLDER}/{owner}")[0]:
            folder = f"{FOLDER}/{owner}/{batch}"
            for name in default_storage.listdir(folder)[1]:
                path = f"{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    removed += 1
    return removed
