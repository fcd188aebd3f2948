"""What an attachment may be: size cap, allowed types checked by content, safe names."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import InvalidInput


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...] = ()  # the file must start with one of these; () = text
    label: str | Promise = ""


KINDS = (
    FileKind("application/pdf", (".pdf",), (b"%PDF-",), gettext_lazy("PDF")),
    FileKind("image/png", (".png",), (b"\x89PNG\r\n\x1a\n",), gettext_lazy("PNG image")),
    FileKind("image/jpeg", (".jpg", ".jpeg"), (b"\xff\xd8\xff",), gettext_lazy("JPEG image")),
    FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        (b"PK\x03\x04",),
        gettext_lazy("Word document"),
    ),
    FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (".xlsx",),
        (b"PK\x03\x04",),
        gettext_lazy("Excel workbook"),
    ),
    FileKind("text/plain", (".txt",), (), gettext_lazy("text")),
    FileKind("text/csv", (".csv",), (), gettext_lazy("CSV")),
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
        _refuse(_("The file has no name."))
    if len(name) > 200:
        _refuse(_("The file name is longer than 200 characters."))
    if UNSAFE_NAME.search(name) or name.startswith("."):
        _refuse(
            _(
                "The file name %(name)s contains a path or characters that are not allowed "
                '(/ \\ < > : " | ? * ..); rename the file and try again.'
            )
            % {"name": repr(name[:80])}
        )
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension not in BY_EXTENSION:
        _refuse(
            _("Files of this type are not accepted. Allowed: %(allowed)s.")
            % {"allowed": ALLOWED_LABEL}
        )
    return name


def check_content(name: str, head: bytes) -> FileKind:
    """The kind of file, if its first bytes match what its extension promises."""
    kind = BY_EXTENSION["." + name.rsplit(".", 1)[-1].lower()]
    if kind.magic:
        if not any(head.startswith(magic) for magic in kind.magic):
            _refuse(
                _("%(name)s does not contain a %(kind)s: its content does not match.")
                % {"name": name, "kind": kind.label}
            )
    else:
        if b"\x00" in head:
            _refuse(_("%(name)s is not a plain-text file.") % {"name": name})
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a cut multi-byte character at the end is fine
                _refuse(_("%(name)s is not UTF-8 text.") % {"name": name})
        lowered = head.lstrip()[:200].lower()
        if lowered.startswith((b"<!doctype html", b"<html", b"<script", b"<svg")):
            _refuse(_("%(name)s contains HTML or script, which is not accepted.") % {"name": name})
    return kind


def check_size(size: int) -> None:
    limit = settings.SOSA_ATTACHMENT_MAX_BYTES
    if size <= 0:
        _refuse(_("The file is empty."))
    if size > limit:
        _refuse(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)})


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
