"""The notification settings page (`/notifications/settings/`): how each kind of notice reaches
the signed-in person — e-mailed now (the default), in a daily digest at a local hour of their
choosing, or in the portal only. Overdue and escalated notices are always e-mailed at once and
the page says so beside them. The rule is `services.set_preferences`; the outbox reads it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.people import language_of

from .. import services
from ..choices import NoticeDelivery
from ..exceptions import InvalidInput
from ..models import ALARM_KINDS, NotificationDigest
from ..models.preferences import DEFAULT_DIGEST_HOUR
from ..notice_wording import notice_kind_label
from ..permissions import profile_of
from ..services.notifications import CHOOSABLE_KINDS, deliveries_of
from ..wording import KIND_LABELS

# The wording's order (actions in the life cycle's order, then deadlines), mentions last.
CHOOSABLE_ORDER = [kind for kind in KIND_LABELS if kind in CHOOSABLE_KINDS] + sorted(
    CHOOSABLE_KINDS - set(KIND_LABELS)
)
ALARM_ORDER = [kind for kind in KIND_LABELS if kind in ALARM_KINDS]
HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class PreferencesForm(forms.Form):
    """One choice per kind of notice (`kind_<kind>`) and the digest hour."""

    digest_hour = forms.TypedChoiceField(
        label=gettext_lazy("Send my daily digest at"), choices=HOURS, coerce=int
    )
    # Left out (a person without a profile, an older form): the language stays as it is.
    language = forms.ChoiceField(
        label=gettext_lazy("Language of my e-mails"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=gettext_lazy(
            "Notices, digests and their dates come in this language. Switching the language "
            "of the pages changes it too."
        ),
    )

    def __init__(self, *args, has_profile: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_profile:  # staff without a profile: their e-mails are in the portal's
            del self.fields["language"]
        for kind in CHOOSABLE_ORDER:
            self.fields[f"kind_{kind}"] = forms.ChoiceField(
                label=notice_kind_label(kind), choices=NoticeDelivery.choices
            )

    def kind_fields(self) -> list:
        return [self[f"kind_{kind}"] for kind in CHOOSABLE_ORDER]

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[f"kind_{kind}"] for kind in CHOOSABLE_ORDER}


@login_required
def notification_settings(request):
    user = request.user
    profile = profile_of(user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, has_profile=profile is not None)
        if form.is_valid():
            try:
                services.set_preferences(
                    user,
                    deliveries=form.deliveries(),
                    digest_hour=form.cleaned_data["digest_hour"],
                    language=form.cleaned_data.get("language") or "",
                )
            except InvalidInput as error:
                for field, problems in error.errors.items():
                    name = field if field in ("digest_hour", "language") else f"kind_{field}"
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notification_settings")
    else:
        digest = NotificationDigest.objects.filter(user=user).first()
        initial = {f"kind_{kind}": value for kind, value in deliveries_of(user).items()}
        form = PreferencesForm(
            initial={
                **initial,
                "digest_hour": digest.hour if digest else DEFAULT_DIGEST_HOUR,
                "language": language_of(profile),
            },
            has_profile=profile is not None,
        )
    return render(
        request,
        "requests/notification_settings.html",
        {
            "form": form,
            "alarm_labels": [notice_kind_label(kind) for kind in ALARM_ORDER],
            "time_zone": profile.effective_time_zone if profile else "",
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns = [
    path("notifications/settings/", notification_settings, name="notification_settings"),
]
