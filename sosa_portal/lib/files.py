"""Stored files handed back to the person who may read them: always as a download."""

from __future__ import annotations

from django.http import FileResponse


def download(file, *, name: str, content_type: str) -> FileResponse:
    """An attachment download under its own name, never rendered inline or type-sniffed."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
