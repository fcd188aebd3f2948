"""Values every page template needs: role, unread notices, deployment banner, the languages of
the switch (each named in itself, never translated), and the glossary
the "What is this?" hints point into (`{% include "partials/hint.html" with term=glossary.nsn %}`).
"""

from django.conf import settings
from django.db import connection

from sosa_portal.lib import sql

from ..models import Notification
from ..permissions import profile_of, user_role
from .glossary import BY_KEY


def portal(request) -> dict:
    user = request.user
    context = {
        "cui_banner": getattr(settings, "SOSA_CUI_BANNER", ""),
        "site_name": "SOSA Portal",
        "glossary": BY_KEY,
        "languages": settings.LANGUAGES,
    }
    if user.is_authenticated:
        context |= {
            "role": user_role(user),
            "profile": profile_of(user),
            "unread_count": unread_count(user.pk),
        }
    return context


UNREAD_SQL = (
    f"SELECT COUNT(*) FROM {sql.table(Notification)}"
    f" WHERE {sql.quote('recipient_id')} = %s AND {sql.quote('read_at')} IS NULL"
)


def unread_count(user_id: int) -> int:
    """The badge's count on every page: plain SQL, as the ORM takes longer to build the query
    than the database to answer it."""
    with connection.cursor() as cursor:
        cursor.execute(UNREAD_SQL, [user_id])
        return cursor.fetchone()[0]
