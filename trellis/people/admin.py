from django.contrib import admin
from django.contrib.auth.models import User

from trellis.audit.log import record
from trellis.people.access import is_program_admin
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
from trellis.people.staffing import administered_organizations, administered_staff


def administered_choices(model, user):
    """The rows of `model` a program admin may pick in a form: only those of the organizations
    they administer, so no admin form can read or link a record of another organization."""
    organizations = administered_organizations(user)
    if model is Organization:
        return organizations
    if model is StaffMember:
        return administered_staff(user)
    if model is User:
        return User.objects.filter(staff__in=administered_staff(user))
    if model is Learner:
        return Learner.objects.filter(organization__in=organizations)
    if model is Guardian:
        return Guardian.objects.filter(links__learner__organization__in=organizations).distinct()
    if model is Group:
        return Group.objects.filter(organization__in=organizations)
    return None


class AdministeredChoices:
    """Form choices of related people and organizations scoped by `administered_choices`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            choices = administered_choices(db_field.related_model, request.user)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            choices = administered_choices(db_field.related_model, request.user)
            if choices is not None:
                kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class AdministeredAdmin(AdministeredChoices, admin.ModelAdmin):
    """The people admin is for program admins, each over the organizations they administer
    (and those under them): `organization_path` leads from a row to its organization. Every
    list, change page, autocomplete and form choice is scoped; superusers see everything."""

    for_program_admins = True  # trellis/admin_site.py

    organization_path = "organization"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        lookup = f"{self.organization_path}__in" if self.organization_path else "pk__in"
        return rows.filter(**{lookup: administered_organizations(request.user)}).distinct()

    def has_module_permission(self, request):
        return is_program_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_program_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return is_program_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_program_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_program_admin(request.user) and super().has_delete_permission(request, obj)


@admin.register(Organization)
class OrganizationAdmin(AdministeredAdmin):
    organization_path = None
    list_display = ["name", "kind", "parent", "learner_word", "time_zone"]
    list_filter = ["kind"]
    search_fields = ["name"]


class MembershipInline(AdministeredChoices, admin.TabularInline):
    model = Membership
    extra = 1


@admin.register(StaffMember)
class StaffMemberAdmin(AdministeredAdmin):
    organization_path = "memberships__organization"
    list_display = ["__str__", "title"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    filter_horizontal = ["supervisors"]
    inlines = [MembershipInline]


class GuardianLinkInline(AdministeredChoices, admin.TabularInline):
    model = GuardianLink
    extra = 1
    autocomplete_fields = ["guardian"]


class CaseAssignmentInline(AdministeredChoices, admin.TabularInline):
    model = CaseAssignment
    extra = 1
    autocomplete_fields = ["staff"]


@admin.register(Learner)
class LearnerAdmin(AdministeredAdmin):
    list_display = ["last_name", "first_name", "organization", "grade", "program", "active"]
    list_filter = ["active", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["first_name", "last_name", "local_id", "state_id"]
    inlines = [GuardianLinkInline, CaseAssignmentInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        learner = self.get_queryset(request).filter(pk=object_id).first()
        if learner is not None:
            record("learner.view", learner=learner, detail={"via": "admin"})
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Guardian)
class GuardianAdmin(AdministeredAdmin):
    organization_path = "links__learner__organization"
    list_display = ["last_name", "first_name", "email", "phone", "preferred_language"]
    search_fields = ["first_name", "last_name", "email"]


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(AdministeredAdmin):
    organization_path = "learner__organization"
    list_display = ["learner", "staff", "role", "starts_on", "ends_on"]
    list_filter = ["role"]
    autocomplete_fields = ["staff", "learner"]


@admin.register(Group)
class GroupAdmin(AdministeredAdmin):
    list_display = ["name", "organization"]
    filter_horizontal = ["learners", "staff"]
