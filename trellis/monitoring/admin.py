from django.contrib import admin

from trellis.monitoring.models import (
    DecisionRules,
    GoalStatus,
    NormBand,
    Recommendation,
    TeamDecision,
)
from trellis.plans.access import editable_organizations


class OrganizationSettingAdmin(admin.ModelAdmin):
    """Settings of an organization, for its supervisors and program admins (and below)."""

    for_program_admins = True  # trellis/admin_site.py

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(organization__in=editable_organizations(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = editable_organizations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(NormBand)
class NormBandAdmin(OrganizationSettingAdmin):
    list_display = ["measure_name", "grade", "season", "p25", "p50", "p75", "organization"]
    list_filter = ["measure_name", "season", "grade"]
    search_fields = ["measure_name", "source"]


@admin.register(DecisionRules)
class DecisionRulesAdmin(OrganizationSettingAdmin):
    list_display = [
        "organization",
        "consecutive_points",
        "trend_min_points",
        "probe_schedule_days",
        "session_schedule_days",
    ]


class ScopedReadOnlyAdmin(admin.ModelAdmin):
    """Learner records are read here and changed through the monitoring pages (audited)."""

    for_program_admins = True  # trellis/admin_site.py

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Recommendation)
class RecommendationAdmin(ScopedReadOnlyAdmin):
    list_display = ["kind", "goal", "learner", "status", "raised_at", "decided_by", "decided_at"]
    list_filter = ["kind", "status"]


@admin.register(TeamDecision)
class TeamDecisionAdmin(ScopedReadOnlyAdmin):
    list_display = ["__str__", "learner", "decided_by", "decided_at"]
    list_filter = ["kind", "refer_to"]


@admin.register(GoalStatus)
class GoalStatusAdmin(ScopedReadOnlyAdmin):
    list_display = ["goal", "learner", "latest_value", "latest_date", "flag", "computed_at"]
    list_filter = ["flag"]
