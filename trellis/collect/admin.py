from django.contrib import admin

from trellis.collect.models import ApiToken, Event, NoteAmendment, Session, SessionNote


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["started_at", "learner", "group", "setting", "recorded_by", "primary_session"]
    list_filter = ["setting"]
    readonly_fields = ["id", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events are never edited: read-only here, corrected by a void event."""

    list_display = ["recorded_at", "kind", "value", "goal", "session", "recorded_by", "voids"]
    list_filter = ["kind"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AmendmentInline(admin.TabularInline):
    model = NoteAmendment
    extra = 0
    can_delete = False
    readonly_fields = ["field", "previous_text", "new_text", "reason", "by", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SessionNote)
class SessionNoteAdmin(admin.ModelAdmin):
    list_display = ["session", "written_by", "signed_at", "cosigned_at"]
    inlines = [AmendmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        # A signed note is locked; amendments are made on the session page.
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued on the token page (the raw token is shown once there) and never edited
    here: an admin may only revoke one (set its revoked time)."""

    list_display = [
        "user",
        "name",
        "hint",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    readonly_fields = [
        "user",
        "name",
        "digest",
        "hint",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
    ]

    def has_add_permission(self, request):
        return False
