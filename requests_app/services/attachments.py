"""What an attachment may be: size cap, allowed types checked by content, safe names."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from ..exceptions import InvalidInput


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...] = ()  # the file must start with one of these; () = text
    label: str = ""


KINDS = (
    FileKind("application/pdf", (".pdf",), (b"%PDF-",), "PDF"),
    FileKind("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",), "PNG image"),
    FileKind("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",), "JPEG image"),
    FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        (b"PK\x03\x04",),
        "Word document",
    ),
    FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        (b"PK\x03\x04",),
        "Excel workbook",
    ),
    FileKind("text/plain", (".txt",), (), "text"),
    FileKind("text/csv", (".csv",), (), "CSV"),
)
BY_EXTENSION = {ext: kind for kind in KINDS for ext in kind.extensions}
ALLOWED_LABEL = ", ".join(sorted(BY_EXTENSION))
UNSAFE_NAME = re.compile(r"[\\/<>:\"|?*\x00-\x1f\x7f]|\.\.")


def _refuse(message: str):
    raise InvalidInput(message, {"file": [message]})


def check_name(name: str) -> str:
    """The name as given, if it is a plain file name with an allowed extension."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        _refuse("The file has no name.")
    if len(name) > 200:
        _refuse("The file name is longer than 200 characters.")
    if UNSAFE_NAME.search(name) or name.startswith("."):
        _refuse(
            f"The file name {name[:80]!r} contains a path or characters that are not allowed "
            '(/ \\ < > : " | ? * ..); rename the file and try again.'
        )
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in BY_EXTENSION:
        _refuse(f"Files of this type are not accepted. Allowed: {ALLOWED_LABEL}.")
    return name


def check_content(name: str, head: bytes) -> FileKind:
    """The kind of file, if its first bytes match what its extension promises."""
    kind = BY_EXTENSION["." + name.rsplit(".", 1)[-1].lower()]
    if kind.magic:
        if not any(head.startswith(magic) for magic in kind.magic):
            _refuse(f"{name} does not contain a {kind.label}: its content does not match.")
    else:
        if b"\x00" in head:
            _refuse(f"{name} is not a plain-text file.")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a cut multi-byte character at the end is fine
                _refuse(f"{name} is not UTF-8 text.")
        lowered = head.lstrip()[:200].lower()
        if lowered.startswith((b"<!doctype html", b"<html", b"<script", b"<svg")):
            _refuse(f"{name} contains HTML or script, which is not accepted.")
    return kind


def check_size(size: int) -> None:
    limit = settings.SOSA_ATTACHMENT_MAX_BYTES
    if size <= 0:
        _refuse("The file is empty.")
    if size > limit:
        _refuse(f"The file is larger than {filesizeformat(limit)}.")


def sha256_of(uploaded) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def problems_with(uploaded) -> list[str]:
    """What is wrong with an uploaded file, in words that name it ([] when it may be
    attached): the checks `add_attachment` makes, without storing anything."""
    try:
        name = check_name(uploaded.name)
        check_size(uploaded.size)
        uploaded.seek(0)
        check_content(name, uploaded.read(2048))
        uploaded.seek(0)
    except InvalidInput as error:
        return [
            message if (uploaded.name or "") in message else f"{uploaded.name}: {message}"
            for messages in error.errors.values()
            for message in messages
        ]
    return []
