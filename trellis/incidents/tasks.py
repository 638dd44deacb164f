"""The email copies of notifications (notify.py), sent outside the request."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from trellis.incidents.models import Notification
from trellis.tasks.base import TrellisTask


@shared_task(base=TrellisTask)
def send_notification_emails(notification_ids):
    """One email per notification not yet emailed, so recipients do not see each other's
    addresses. Each is marked in the transaction that sends it: a rerun (a retry after one
    address failed, a redelivery) sends only the ones that did not go."""
    for pk in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update()
                .filter(pk=pk, emailed_at__isnull=True)
                .exclude(email_subject="")
                .select_related("recipient")
                .first()
            )
            if notification is None:
                continue
            send_mail(
                notification.email_subject,
                notification.email_text,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient.email],
            )
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
