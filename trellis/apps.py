from django.contrib.admin.apps import AdminConfig


class TrellisAdminConfig(AdminConfig):
    default_site = "trellis.admin_site.TrellisAdminSite"
