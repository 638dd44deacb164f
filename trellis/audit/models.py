"""The append-only audit log.

Entries keep actor and subject apart and snapshot readable labels, so they survive the deletion of
the user or learner they name (the ids are plain integers, not foreign keys). Each entry carries
the hash of the one before it, keyed with HMAC-SHA256 by `settings.AUDIT_KEY`, which lives outside
the database: changing or removing an entry breaks the chain, `trellis audit verify` finds where,
and nobody without the key can rebuild the chain after an edit. Triggers refuse UPDATE and DELETE
(PostgreSQL: migration 0002; SQLite: 0004).
"""

import hashlib
import hmac
import json
from functools import cache

from django.conf import settings
from django.db import models


def chain_hash(prev_hash: str, canonical: str) -> str:
    """HMAC-SHA256 of an entry's canonical content after the previous entry's hash."""
    return hmac.new(_key(), (prev_hash + canonical).encode(), hashlib.sha256).hexdigest()


def _key() -> bytes:
    return settings.AUDIT_KEY.encode()


@cache
def _pads(key: bytes) -> tuple[bytes, bytes]:
    block = hashlib.sha256(key).digest() if len(key) > 64 else key
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def hmac_pads() -> tuple[bytes, bytes]:
    """The key XOR-ed with HMAC's inner and outer pads (RFC 2104), so SQL can compute the same
    HMAC with two sha256 calls: sha256(outer || sha256(inner || message))."""
    return _pads(_key())


def canonical_content(entry) -> str:
    """An entry's content as canonical JSON (ASCII), the part of its hash after the previous
    entry's hash. Takes any object with the entry's fields (migrations pass historical ones)."""
    content = {
        name: getattr(entry, name)
        for name in (
            "request_id",
            "actor_id",
            "actor_label",
            "action",
            "learner_id",
            "learner_label",
            "object_type",
            "object_id",
            "result",
            "ip",
            "detail",
        )
    }
    content["at"] = entry.at.isoformat()
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


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
        return chain_hash(self.prev_hash, self.canonical())

    def canonical(self) -> str:
        return canonical_content(self)
