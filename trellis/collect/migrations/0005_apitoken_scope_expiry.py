"""API tokens get a scope and an expiry (issue 12).

Tokens issued before this never expired: each now expires 90 days after it was created (an older
one at once), keeps working for sync (the only use there was), and a token held by someone who
is not staff (a guardian) is revoked.
"""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def expire_and_revoke(apps, schema_editor):
    ApiToken = apps.get_model("collect", "ApiToken")
    StaffMember = apps.get_model("people", "StaffMember")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=F("created_at") + timedelta(days=90)
    )
    ApiToken.objects.filter(revoked_at__isnull=True).exclude(
        user__in=StaffMember.objects.values("user")
    ).update(revoked_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("collect", "0004_event_session_goal_key"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("sync", "Read and record (sessions, sync)")],
                default="sync",
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(expire_and_revoke, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
