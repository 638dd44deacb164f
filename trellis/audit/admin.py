from django.contrib import admin

from trellis.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is never changed through the application."""

    list_display = ["at", "actor_label", "action", "learner_label", "result", "ip"]
    list_filter = ["result", "action"]
    search_fields = ["actor_label", "learner_label", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
