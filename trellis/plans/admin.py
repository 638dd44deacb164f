from django.contrib import admin

from trellis.plans.models import (
    AbcOption,
    BehaviorDefinition,
    Goal,
    Phase,
    Plan,
    PromptHierarchy,
    Target,
    TargetStateChange,
)


class ScopedAdmin(admin.ModelAdmin):
    """The admin obeys the same caseload scoping as every other page."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class GoalInline(admin.StackedInline):
    model = Goal
    extra = 0
    fields = ["order", "name", "domain", "statement", "measure", "measure_settings"]


@admin.register(Plan)
class PlanAdmin(ScopedAdmin):
    list_display = ["title", "learner", "kind", "tier", "version", "status", "approved_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "learner__last_name", "learner__first_name"]
    readonly_fields = ["lineage", "supersedes", "approved_by", "approved_at", "created_by"]
    inlines = [GoalInline]

    def has_change_permission(self, request, obj=None):
        # An approved version is read-only here too; revise it on the plan page.
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Goal)
class GoalAdmin(ScopedAdmin):
    list_display = ["name", "plan", "measure", "domain", "direction"]
    list_filter = ["measure", "domain"]
    search_fields = ["name", "statement"]
    inlines = [TargetInline, PhaseInline]

    # A goal of an approved version is read-only here, its targets and phases with it: on the
    # goal page, targets move on and phases start through audited actions.
    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.plan.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.plan.is_locked:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(TargetStateChange)
class TargetStateChangeAdmin(admin.ModelAdmin):
    list_display = ["target", "from_state", "to_state", "on", "changed_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(target__goal__in=Goal.objects.visible_to(request.user))
        )


@admin.register(BehaviorDefinition)
class BehaviorDefinitionAdmin(ScopedAdmin):
    list_display = ["name", "learner", "plan"]
    search_fields = ["name", "definition"]


@admin.register(PromptHierarchy)
class PromptHierarchyAdmin(admin.ModelAdmin):
    list_display = ["organization"]


@admin.register(AbcOption)
class AbcOptionAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "code", "function", "organization", "order", "active"]
    list_filter = ["kind", "function", "organization", "active"]
    search_fields = ["label", "code"]

    def get_readonly_fields(self, request, obj=None):
        # Recorded ABC events store the code under its kind: neither changes once saved.
        return ["kind", "code"] if obj is not None else []
