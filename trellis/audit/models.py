"""The append-only audit log.

Entries keep actor and subject apart and snapshot readable labels, so they survive the deletion of
the user or learner they name (the ids are plain integers, not foreign keys). Each entry carries
the hash of the one before it: changing or removing an entry breaks the chain, and
`trellis audit verify` finds where. On PostgreSQL a trigger refuses UPDATE and DELETE.
"""

import hashlib
import json

from django.db import models


class AppendOnly(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("The audit log cannot be changed.")

    def delete(self):
        raise AppendOnly("The audit log cannot be deleted.")


class AuditEntry(models.Model):
    class Result(models.TextChoices):
        OK = "ok", "allowed"
        DENIED = "denied", "denied"

    at = models.DateTimeField()
    # One id for all entries written by one request or command.
    request_id = models.CharField(max_length=36)
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=64, help_text="Namespaced code, e.g. learner.view.")
    learner_id = models.BigIntegerField(null=True)
    learner_label = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.OK)
    ip = models.GenericIPAddressField(null=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        # The admin page filters a learner's history and one person's actions, newest first.
        indexes = [
            models.Index(fields=["learner_id", "-at"]),
            models.Index(fields=["actor_id", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.learner_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("The audit log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("The audit log cannot be deleted.")

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()

    def canonical(self) -> str:
        """The entry's content as canonical JSON (ASCII), the part of its hash after the
        previous entry's hash."""
        content = {
            "at": self.at.isoformat(),
            "request_id": self.request_id,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "learner_id": self.learner_id,
            "learner_label": self.learner_label,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "result": self.result,
            "ip": self.ip,
            "detail": self.detail,
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
