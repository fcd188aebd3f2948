"""`Idempotency-Key` on POST: the same key and body return the first response again."""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.db import DataError, IntegrityError, transaction
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ..models import IdempotencyRecord
from .errors import error
from .preconditions import representation_headers

HEADER = "Idempotency-Key"


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    if request.content_type.startswith("multipart/"):
        # Uploads outgrow DATA_UPLOAD_MAX_MEMORY_SIZE (raw `body` refuses them) and may already
        # have been read for a CSRF check: hash the parsed parts, files chunk by chunk.
        for name in sorted(request.data):
            for value in request.data.getlist(name):
                digest.update(b"\0" + name.encode() + b"\0")
                if hasattr(value, "chunks"):
                    digest.update((value.name or "").encode() + b"\0")
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(str(value).encode())
    else:
        digest.update(request._request.body)  # read before DRF parses it; Django keeps a copy
    return digest.hexdigest()


def idempotent(handler):
    """Wrap a POST handler of a DRF view.

    The key's record, the call and its response are one transaction: a web process killed
    mid-call (a host lost, a deploy) leaves neither an applied action without its record nor a
    record "in progress" that would refuse every retry. A second call with the same key waits
    for the first at the record's unique index (PostgreSQL; SQLite's single writer does the
    same) and then replays its response; if the first rolled back, the second runs instead.
    """

    @wraps(handler)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(self, request, *args, **kwargs)
        if not 1 <= len(key) <= 255:  # an empty key is a client's mistake, not "no key"
            return error(400, HEADER, "Use a key of 1 to 255 characters.")
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint
                    )
            except IntegrityError:
                record = None
            if record is not None:
                return _run_and_keep(self, handler, record, request, *args, **kwargs)
        return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), fingerprint)

    return wrapper


def _run_and_keep(view, handler, record, request, *args, **kwargs):
    """Call the handler in a savepoint and keep its response in `record`, in the caller's
    transaction."""
    try:
        with transaction.atomic():
            response = handler(view, request, *args, **kwargs)
    except Exception as exc:  # domain and validation errors become their response
        response = view.handle_exception(exc)  # re-raises what is a 500: all rolls back
    if response.status_code >= 500:
        record.delete()  # a server error may be retried for real
        return response
    record.status_code = response.status_code
    record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
    try:
        with transaction.atomic():
            record.save(update_fields=["status_code", "response_body"])
    except DataError:
        # A refusal that echoes a NUL character (a field named "\u0000") cannot be kept in
        # PostgreSQL's jsonb; it changed nothing, so its retry may simply run again.
        record.delete()
    return response


def _replay(first, fingerprint: str):
    if first.fingerprint != fingerprint:
        return error(422, HEADER, "This key was already used with a different request.")
    if first.status_code is None:  # kept by a version that committed the record first
        return error(409, HEADER, "A request with this key is still being processed.")
    headers = representation_headers(first.response_body, first.status_code)
    return Response(
        first.response_body,
        status=first.status_code,
        headers={"Idempotent-Replay": "true", **headers},
    )
