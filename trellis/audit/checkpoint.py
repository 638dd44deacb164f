"""Signed checkpoints of the audit chain's newest entry, kept outside the database.

The chain shows an edit or a removal in its middle, but not the removal of its newest entries:
what is left is still a chain. A checkpoint is one JSON line (the newest entry's id and hash,
the number of entries, the time) signed with the audit key, appended to
`settings.AUDIT_CHECKPOINTS`; `verify_chain` checks that the entry of the newest checkpoint is
still there with that hash. Entries written after the newest checkpoint are the window a
truncation could go unseen in, so web processes write one every `AUDIT_CHECKPOINT_MINUTES`.
"""

import fcntl
import hmac
import json
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from trellis.audit.models import AuditEntry, chain_hash


@dataclass
class Checkpoint:
    at: str
    entry_id: int
    entry_hash: str
    count: int

    def payload(self) -> str:
        return json.dumps(
            {"at": self.at, "id": self.entry_id, "hash": self.entry_hash, "count": self.count},
            sort_keys=True,
            separators=(",", ":"),
        )

    def signature(self) -> str:
        return chain_hash("checkpoint", self.payload())


class ForgedCheckpoint(Exception):
    pass


def write_checkpoint() -> Checkpoint | None:
    """Append a checkpoint of the newest entry (none while the log is empty)."""
    newest = AuditEntry.objects.order_by("-id").values("id", "hash").first()
    if newest is None:
        return None
    checkpoint = Checkpoint(
        at=timezone.now().isoformat(),
        entry_id=newest["id"],
        entry_hash=newest["hash"],
        count=AuditEntry.objects.filter(id__lte=newest["id"]).count(),
    )
    line = json.loads(checkpoint.payload()) | {"signature": checkpoint.signature()}
    path = settings.AUDIT_CHECKPOINTS
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as file:
        # Several web processes may write at once; each line is whole.
        fcntl.flock(file, fcntl.LOCK_EX)
        file.write(json.dumps(line, sort_keys=True) + "\n")
    return checkpoint


def newest_checkpoint() -> Checkpoint | None:
    """The last checkpoint written; ForgedCheckpoint if any line's signature is wrong."""
    path = settings.AUDIT_CHECKPOINTS
    if not path.exists():
        return None
    newest = None
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            checkpoint = Checkpoint(line["at"], line["id"], line["hash"], line["count"])
            signed = hmac.compare_digest(line["signature"], checkpoint.signature())
        except (ValueError, KeyError, TypeError):
            signed = False
        if not signed:
            raise ForgedCheckpoint(f"line {number} of {path} is not a checkpoint this key signed")
        newest = checkpoint
    return newest


_last_written = 0.0


def write_checkpoint_when_due():
    """Called after each request: a checkpoint every AUDIT_CHECKPOINT_MINUTES per process."""
    global _last_written
    minutes = settings.AUDIT_CHECKPOINT_MINUTES
    if minutes <= 0 or time.monotonic() - _last_written < minutes * 60:
        return
    _last_written = time.monotonic()
    write_checkpoint()
