"""Comments and attachments on a request (each writes an event; internal comments are for
officials only; a comment that names someone with "@" sends them a notice)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..exceptions import InvalidInput, NotAllowed
from ..models import Attachment, Comment, Visibility
from ..permissions import may_comment
from . import attachments, search
from .common import REQUIRED, lock_visible, raise_if, require_text, write_event
from .notifications import notify_mentions


def add_comment(
    request, *, by, body: str, visibility: str = Visibility.SHARED, now=None
) -> Comment:
    """Add a comment; internal ones are for officials only."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_visible(request, by)
        if visibility not in Visibility.values:
            raise InvalidInput(errors={"visibility": [_("Choose shared, internal or national.")]})
        if not may_comment(by, visibility):
            raise NotAllowed(_("Your role may not add this kind of comment."))
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "body", body)
        raise_if(errors)
        comment = Comment.objects.create(
            request=locked, author=by, body=text, visibility=visibility, created_at=now
        )
        search.add_words(locked, text, visibility)  # `q` finds it, for those who may read it
        locked.save(update_fields=["search_text", "search_internal"])
        event = write_event(
            locked,
            by=by,
            action="comment",
            from_state=locked.state,
            data={"comment_id": comment.pk, "visibility": visibility},
            at=now,
        )
        notify_mentions(locked, comment, event)  # "@reviewer.us": a notice for them
    return comment


def add_attachment(request, *, by, uploaded, now=None) -> Attachment:
    """Store an uploaded file under a random name after checking its size, name and content."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_visible(request, by)
        if not may_comment(by, Visibility.SHARED):
            raise NotAllowed(_("Your role may not add attachments."))
        if uploaded is None:
            raise InvalidInput(errors={"file": [str(REQUIRED)]})
        name = attachments.check_name(uploaded.name)
        attachments.check_size(uploaded.size)
        uploaded.seek(0)
        kind = attachments.check_content(name, uploaded.read(2048))
        digest = attachments.sha256_of(uploaded)
        attachment = Attachment(
            request=locked,
            name=name,
            size=uploaded.size,
            content_type=kind.content_type,
            sha256=digest,
            uploaded_by=by,
            created_at=now,
        )
        attachment.file.save(name, uploaded, save=False)
        attachment.save()
        write_event(
            locked,
            by=by,
            action="attach",
            from_state=locked.state,
            data={
                "attachment_id": attachment.pk,
                "name": name,
                "size": uploaded.size,
                "sha256": digest,
            },
            at=now,
        )
    return attachment
