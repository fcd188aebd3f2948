"""Values every page template needs: role, unread notices, deployment banner."""

from django.conf import settings

from .models import Notification
from .permissions import profile_of, user_role


def portal(request) -> dict:
    user = request.user
    context = {
        "cui_banner": getattr(settings, "SOSA_CUI_BANNER", ""),
        "site_name": "SOSA Portal",
    }
    if user.is_authenticated:
        context |= {
            "role": user_role(user),
            "profile": profile_of(user),
            "unread_count": Notification.objects.filter(
                recipient=user, read_at__isnull=True
            ).count(),
        }
    return context
