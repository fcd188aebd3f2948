"""Uploads are refused before they are stored (issue 17, point 9): a request body announced
larger than `SOSA_UPLOAD_MAX_BYTES` is answered 413 before a byte of it is read, and while a
multipart body streams in, a file that passes `SOSA_ATTACHMENT_MAX_BYTES` stops being kept:
what arrives of it after the limit is read and dropped, and the view receives a stand-in that
says how large it was (so the usual "larger than 10 MB" refusal names it), not the file."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat


class TooLargeUpload(UploadedFile):
    """What remains of a file that passed the limit: its name and the bytes that came."""

    def __init__(self, name: str, content_type: str | None, size: int):
        super().__init__(io.BytesIO(b""), name, content_type, size, None)

    def chunks(self, chunk_size=None):
        return iter(())


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: passes each chunk on until a file passes the limit."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.SOSA_ATTACHMENT_MAX_BYTES:
            return None  # the handlers after this one keep nothing more of it
        return raw_data

    def file_complete(self, file_size):
        if self.received > settings.SOSA_ATTACHMENT_MAX_BYTES:
            return TooLargeUpload(self.file_name, self.content_type, self.received)
        return None  # the next handler (memory or temporary file) has the whole file


class UploadSizeMiddleware:
    """A body announced larger than the most a request may carry: 413 at once, unread."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        announced = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.SOSA_UPLOAD_MAX_BYTES
        if announced.isascii() and announced.isdigit() and int(announced) > limit:
            message = f"The request is larger than {filesizeformat(limit)}: nothing was stored."
            if request.path.startswith("/api/"):
                return JsonResponse({"errors": {"detail": [message]}}, status=413)
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
            response["Connection"] = "close"  # the unread body is not worth reading
            return response
        return self.get_response(request)
