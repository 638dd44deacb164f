from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from trellis.accounts import views as accounts_views
from trellis.accounts import views_two_factor as two_factor_views
from trellis.api import api
from trellis.audit import views as audit_views
from trellis.people import views as people_views
from trellis.people import views_emergency, views_staff

people_patterns = (
    [
        path("caseload/", people_views.caseload, name="caseload"),
        path("learners/<int:learner_id>/", people_views.learner_profile, name="learner"),
        path("staff/", views_staff.staff_list, name="staff"),
        path("staff/new/", views_staff.staff_new, name="staff_new"),
        path("staff/<int:staff_id>/", views_staff.staff_detail, name="staff_detail"),
        path("staff/records-access/", views_staff.records_access, name="records_access"),
        path("emergency-access/", views_emergency.find, name="emergency_find"),
        path(
            "emergency-access/<int:learner_id>/",
            views_emergency.open_record,
            name="emergency_open",
        ),
        path("emergency-access/review/", views_emergency.review_queue, name="emergency_review"),
    ],
    "people",
)


# A failed request: a 503 when the database does not answer, JSON under /api/ (ops/errors.py).
handler500 = "trellis.ops.errors.server_error"

urlpatterns = [
    path("", include("trellis.home.urls")),
    path("", include(people_patterns)),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("", include("trellis.plans.urls")),
    path("", include("trellis.collect.urls")),
    path("", include("trellis.monitoring.urls")),
    path("", include("trellis.incidents.urls")),
    path("", include("trellis.health.urls")),
    path("", include("trellis.credentials.urls")),
    path("", include("trellis.records.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts_views.profile, name="profile"),
    path("accounts/devices/", accounts_views.devices_page, name="devices"),
    path(
        "accounts/password/reset/",
        accounts_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        accounts_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("accounts/two-factor/", two_factor_views.settings_page, name="two-factor-settings"),
    path("accounts/two-factor/verify/", two_factor_views.verify, name="two-factor-verify"),
    path("accounts/two-factor/setup/", two_factor_views.setup, name="two-factor-setup"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor_views.recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("accounts/two-factor/off/", two_factor_views.turn_off, name="two-factor-off"),
    path(
        "accounts/invitation/<str:token>/",
        accounts_views.accept_invitation,
        name="accept-invitation",
    ),
    path(
        "accounts/password/",
        accounts_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("", include("trellis.ops.urls")),
    path("", include("trellis.tasks.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
