from django.contrib import admin

from trellis.audit.log import record
from trellis.people.models import (
    CaseAssignment,
    Group,
    Guardian,
    GuardianLink,
    Learner,
    Membership,
    Organization,
    StaffMember,
)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "learner_word", "time_zone"]
    list_filter = ["kind"]
    search_fields = ["name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    filter_horizontal = ["supervisors"]
    inlines = [MembershipInline]


class GuardianLinkInline(admin.TabularInline):
    model = GuardianLink
    extra = 1
    autocomplete_fields = ["guardian"]


class CaseAssignmentInline(admin.TabularInline):
    model = CaseAssignment
    extra = 1
    autocomplete_fields = ["staff"]


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organization", "grade", "program", "active"]
    list_filter = ["active", "organization"]
    search_fields = ["first_name", "last_name", "local_id", "state_id"]
    inlines = [GuardianLinkInline, CaseAssignmentInline]

    def get_queryset(self, request):
        # The admin obeys the same caseload scoping as every other page.
        return super().get_queryset(request).visible_to(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        learner = self.get_queryset(request).filter(pk=object_id).first()
        if learner is not None:
            record("learner.view", learner=learner, detail={"via": "admin"})
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Guardian)
class GuardianAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "phone", "preferred_language"]
    search_fields = ["first_name", "last_name", "email"]


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(admin.ModelAdmin):
    list_display = ["learner", "staff", "role", "starts_on", "ends_on"]
    list_filter = ["role"]
    autocomplete_fields = ["staff", "learner"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    filter_horizontal = ["learners", "staff"]
