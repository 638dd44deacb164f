"""Writing to and checking the audit log."""

import contextvars
import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from trellis.audit.checkpoint import ForgedCheckpoint, newest_checkpoint
from trellis.audit.models import AuditEntry, hmac_pads

GENESIS = "0" * 64
# Any constant: PostgreSQL advisory lock that serializes appends so the chain stays a chain.
_CHAIN_LOCK = 7_318_001


@dataclass
class AuditContext:
    """Who is acting, from where, in which request; set by middleware or a command."""

    user: object = None
    ip: str | None = None
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "audit_context", default=None
)


def set_context(ctx: AuditContext):
    return _context.set(ctx)


def reset_context(token):
    _context.reset(token)


def current_context() -> AuditContext:
    ctx = _context.get()
    if ctx is None:
        ctx = AuditContext()
        _context.set(ctx)
    return ctx


def _label(user) -> tuple[int | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "anonymous" if user is not None else "system"
    name = user.get_full_name()
    return user.pk, f"{user.get_username()} ({name})" if name else user.get_username()


def record(action, *, learner=None, obj=None, result="ok", detail=None, user=None):
    """Append one entry. Runs inside the caller's transaction, so it rolls back with it."""
    ctx = current_context()
    actor_id, actor_label = _label(user if user is not None else ctx.user)
    entry = AuditEntry(
        at=timezone.now(),
        request_id=ctx.request_id,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        learner_id=learner.pk if learner is not None else None,
        # A denial keeps the id only: the person refused may not see the name, and the log
        # must not tell it to anyone who reads entries about their own actions.
        learner_label=str(learner) if learner is not None and result != "denied" else "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        result=result,
        ip=ctx.ip,
        detail=detail or {},
    )
    if _one_statement():
        _append_in_one_round_trip(entry)
        return entry
    # SQLite, and PostgreSQL with server-side binding (which cannot send two statements in one
    # query). SQLite has no sha256 of its own, and hashing through a Python function inside the
    # INSERT deadlocked the test server: its shared-cache database holds a lock while the
    # function waits for the GIL. BEGIN IMMEDIATE (settings) holds SQLite's write lock from the
    # read of the last hash to the insert. No savepoint: an entry that fails to write must fail
    # the caller's whole transaction anyway, and a savepoint costs two round trips.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        # Plain SQL: the ORM spent more time compiling this read than SQLite spends running it.
        cursor.execute(_LAST_HASH)
        last = cursor.fetchone()
        entry.prev_hash = last[0] if last else GENESIS
        entry.hash = entry.compute_hash()
        entry.save()
    return entry


_LAST_HASH = f"SELECT hash FROM {AuditEntry._meta.db_table} ORDER BY id DESC LIMIT 1"

# The fields written by an append, in table order (everything but the id and the two hashes).
_FIELDS = [
    f
    for f in AuditEntry._meta.concrete_fields
    if not f.primary_key and f.name not in ("prev_hash", "hash")
]

# Two statements sent as one simple query: PostgreSQL runs them as one transaction (or inside
# the caller's), and READ COMMITTED gives each statement its own snapshot, so the INSERT, which
# starts after the lock is granted, sees the entry its previous holder committed. The hash is
# AuditEntry.compute_hash (HMAC-SHA256 of the previous hash + the canonical JSON made in Python,
# as RFC 2104 writes it with the key's two pads, which PostgreSQL gets as parameters) computed
# where the previous hash is read. One round trip instead of five (BEGIN, lock, read
# the last hash, INSERT, COMMIT): the audit entry was the most expensive part of a page read.
_APPEND = f"""
SELECT pg_advisory_xact_lock({_CHAIN_LOCK});
INSERT INTO {AuditEntry._meta.db_table} ({", ".join(f.column for f in _FIELDS)}, prev_hash, hash)
SELECT {", ".join(["%s"] * len(_FIELDS))}, head.hash,
       encode(sha256(%s::bytea || sha256(%s::bytea || convert_to(head.hash || %s, 'UTF8'))), 'hex')
FROM (SELECT COALESCE(({_LAST_HASH}), %s) AS hash) AS head
RETURNING id, prev_hash, hash
"""


def _one_statement():
    # Several statements in one query need psycopg's client-side binding (Django's default).
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "OPTIONS", {}
    ).get("server_side_binding")


def _append_in_one_round_trip(entry):
    params = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in _FIELDS]
    with connection.cursor() as cursor:
        inner, outer = hmac_pads()
        cursor.execute(_APPEND, [*params, outer, inner, entry.canonical(), GENESIS])
        cursor.nextset()  # past the lock's result to the INSERT's
        entry.pk, entry.prev_hash, entry.hash = cursor.fetchone()
    entry._state.adding = False
    entry._state.db = connection.alias


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str = ""
    checkpoint: object = None
    # Only the newest entries are missing (the chain itself holds): a truncation, or a restore
    # of a backup older than the newest checkpoint.
    cut_short: bool = False

    @property
    def ok(self):
        return not self.problem


def verify_chain(batch_size=5000) -> ChainReport:
    """Recompute every entry's keyed hash in order and report the first entry that does not
    fit; then check that the entry of the newest signed checkpoint is still there, unchanged."""
    try:
        checkpoint = newest_checkpoint()
    except ForgedCheckpoint as forged:
        return ChainReport(0, problem=f"a checkpoint was forged or damaged: {forged}")
    previous = GENESIS
    checked = 0
    anchored = checkpoint is None
    entries = AuditEntry.objects.order_by("id")
    for entry in entries.iterator(chunk_size=batch_size):
        if entry.prev_hash != previous:
            return ChainReport(checked, entry.pk, "the entry before it was changed or removed")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.pk, "its content was changed or its hash rebuilt")
        previous = entry.hash
        checked += 1
        if checkpoint and entry.pk == checkpoint.entry_id:
            anchored = entry.hash == checkpoint.entry_hash and checked == checkpoint.count
    if not anchored:
        return ChainReport(
            checked,
            checkpoint.entry_id,
            f"the newest entries were removed: the checkpoint of {checkpoint.at} names entry "
            f"{checkpoint.entry_id} as number {checkpoint.count}, which is gone or different",
            checkpoint,
            cut_short=True,
        )
    return ChainReport(checked, checkpoint=checkpoint)
