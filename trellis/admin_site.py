"""The Django admin's site: superusers only, except the model admins built for program admins.

A program admin may use the admin of a model only when that admin scopes every list, change
page and form choice to the organizations they administer and says so with
`for_program_admins = True` (the people admin, the audit log, monitoring's settings and
read-only records). Every other admin — the record admins of collect and plans, Django's users
and groups, axes and django-otp — is for superusers: Trellis's own pages do that work, scoped
by the access rule. tests/test_access_matrix.py checks every registered admin.
"""

from django.contrib import admin


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class TrellisAdminSite(admin.AdminSite):
    site_header = "Trellis administration"

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not getattr(admin_class, "for_program_admins", False):
            admin_class = type(admin_class.__name__, (SuperuserOnly, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)
