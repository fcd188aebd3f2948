"""Sign-in, second factor, password and API-token pages (DESIGN §8)."""

from django.urls import include, path

from . import audit, two_factor_views, views

urlpatterns = [
    # Before Django's auth URLs: the same /accounts/login/, followed by the second factor.
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("accounts/password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/two-factor/", two_factor_views.two_factor_setup, name="two_factor"),
    path(
        "account/two-factor/verify/", two_factor_views.two_factor_verify, name="two_factor_verify"
    ),
    path(
        "account/two-factor/invite/",
        two_factor_views.two_factor_invite,
        name="two_factor_invite_code",
    ),
    path(
        "account/two-factor/invite/<str:code>/",
        two_factor_views.two_factor_invite,
        name="two_factor_invite",
    ),
    path(
        "account/two-factor/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "account/two-factor/disable/",
        two_factor_views.two_factor_disable,
        name="two_factor_disable",
    ),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("audit/export.csv", audit.export_csv, name="audit_export"),
]
