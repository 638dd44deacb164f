from django.core.management.base import BaseCommand

from trellis.audit.log import AuditContext, set_context
from trellis.credentials.actions import send_expiry_alerts


class Command(BaseCommand):
    help = "Alert staff, their supervisors and program admins 30 days before a credential expires."

    def handle(self, *args, **options):
        set_context(AuditContext())
        sent = send_expiry_alerts()
        self.stdout.write(f"Sent {sent} expiry alert(s).")
