from django.contrib import admin

from trellis.audit.models import AuditEntry
from trellis.audit.views import entries_visible_to
from trellis.people.access import is_program_admin


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never changed through the application. Scoped like the
    audit page: a program admin sees the entries about their organizations only."""

    for_program_admins = True  # trellis/admin_site.py

    list_display = ["at", "actor_label", "action", "learner_label", "result", "ip"]
    list_filter = ["result", "action"]
    search_fields = ["actor_label", "learner_label", "action"]

    def get_queryset(self, request):
        return entries_visible_to(request.user)

    def has_module_permission(self, request):
        return is_program_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_program_admin(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
