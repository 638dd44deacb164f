"""Sessions, raw events, session notes with signatures and amendments, and API tokens.

Events are never edited: a correction is a `void` event naming the event it cancels. Each event's
UUID is chosen by the device that recorded it; the primary key makes a resent event a no-op.
"""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from trellis.audit.log import record
from trellis.people.access import staff_of
from trellis.people.models import Group, Learner
from trellis.plans.models import Goal, LearnerScopedQuerySet, Target
from trellis.validators import EARLIEST_RECORDED, DateRange

# Recorded on devices, whose clocks may run ahead: a day's slack (as ingest allows an event).
DEVICE_SLACK = timedelta(days=1)
SESSION_START = DateRange(
    "Start of the session", earliest=EARLIEST_RECORDED, future=False, slack=DEVICE_SLACK
)
SESSION_END = DateRange(
    "End of the session", earliest=EARLIEST_RECORDED, future=False, slack=DEVICE_SLACK
)
EVENT_TIME = DateRange(
    "'recorded_at'", earliest=EARLIEST_RECORDED, future=False, slack=DEVICE_SLACK
)
# An event is timed within its session: from its start to its end, give or take this much
# (the clocks of the device and of the server that started an online session differ a little).
EVENT_WINDOW_SLACK = timedelta(minutes=15)


class Setting(models.TextChoices):
    SCHOOL = "school", "School"
    HOME = "home", "Home"
    COMMUNITY = "community", "Community"
    CLINIC = "clinic", "Clinic"


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sessions of a learner the user may see, or of a group whose learners they may see."""
        visible = Learner.objects.visible_to(user)
        return self.filter(
            models.Q(learner__in=visible)
            | models.Q(learner__isnull=True, group__learners__in=visible)
        ).distinct()


class Session(models.Model):
    """One sitting of data collection for a learner or a group. A second observer's record of
    the same sitting (for interobserver agreement) is its own session pointing at the primary."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(
        Learner, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    goals = models.ManyToManyField(Goal, related_name="sessions")
    started_at = models.DateTimeField(validators=[SESSION_START])
    ended_at = models.DateTimeField(null=True, blank=True, validators=[SESSION_END])
    setting = models.CharField(max_length=12, choices=Setting.choices, default=Setting.SCHOOL)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="collect_sessions"
    )
    primary_session = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reliability_sessions",
        help_text="Set on a second observer's record: the session it checks.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        # A learner's session history, newest first.
        indexes = [models.Index(fields=["learner", "started_at"])]

    def __str__(self):
        who = self.learner or self.group
        return f"Session with {who} on {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_reliability(self):
        return self.primary_session_id is not None

    def learners(self):
        if self.learner_id:
            return Learner.objects.filter(pk=self.learner_id)
        return self.group.learners.all()


class EventQuerySet(LearnerScopedQuerySet):
    learner_path = "goal__plan__learner"


class Event(models.Model):
    """One raw datum from the collection screen (DESIGN.md "Events and offline sync")."""

    class Kind(models.TextChoices):
        COUNT = "count"
        DURATION = "duration"
        LATENCY = "latency"
        INTERVAL = "interval"
        TRIAL = "trial"
        STEP = "step"
        PROBE = "probe"
        RATING = "rating"
        ABC = "abc"
        VOID = "void"

    id = models.UUIDField(primary_key=True, editable=False)
    # An event's session and goal are checked together, on PostgreSQL, by one composite foreign
    # key to the session's goals (migration 0004): the goal must be one of its session's goals,
    # a stronger rule than two separate keys, at one lookup per inserted row instead of two
    # (ingest inserts thousands a second). Their indexes are the composites below.
    session = models.ForeignKey(
        Session,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        db_constraint=False,
    )
    goal = models.ForeignKey(
        Goal, on_delete=models.PROTECT, related_name="events", db_index=False, db_constraint=False
    )
    # Indexed by the partial index event_target below.
    target = models.ForeignKey(
        Target,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.JSONField()
    recorded_at = models.DateTimeField(
        help_text="The device's clock when it was recorded.", validators=[EVENT_TIME]
    )
    received_at = models.DateTimeField(help_text="The server's clock when it arrived.")
    # Always the signed-in user who sent the event (ingest sets it; a device cannot name it).
    # No index and no database constraint: nothing looks events up by who recorded them, people
    # are deactivated rather than deleted (PROTECT still guards a deletion through Django), and
    # a constraint is one more lookup per ingested row.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # No database constraint: a void is checked against its session when it arrives, and
    # skipping the FK check keeps bulk ingest fast. No index either: nothing looks events up by
    # the event they void (`voided_by` is never read, DO_NOTHING runs no query on delete).
    voids = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="voided_by",
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["recorded_at"]
        indexes = [
            # A session's events in time order: the session page and its summaries.
            models.Index(fields=["session", "recorded_at"], name="event_session_time"),
            # A goal's data points over time (graphs, GET /goals/{id}/data).
            models.Index(fields=["goal", "recorded_at"], name="event_goal_time"),
            # Events by target (deleting a target checks there are none): only the events that
            # have one. Most kinds (counts, durations, ratings, ABC) have none, and a partial
            # index costs those nothing on insert; `target_id IN (…)` still uses it.
            models.Index(
                fields=["target"],
                name="event_target",
                condition=models.Q(target__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.value} at {self.recorded_at:%Y-%m-%d %H:%M:%S}"

    def as_dict(self):
        """The event as the summaries of `trellis.analysis.summaries` read it."""
        return {
            "id": str(self.id),
            "kind": self.kind,
            "value": self.value,
            "voids": str(self.voids_id) if self.voids_id else None,
        }


class NoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(session__in=Session.objects.visible_to(user))


class SessionNote(models.Model):
    """The note of a session. Signed (typed name + re-entered password) it is locked; later
    changes are NoteAmendments with a reason, the original kept."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="note")
    what_was_done = models.TextField(blank=True)
    learner_response = models.TextField(blank=True)
    anything_unusual = models.TextField(blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_name = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cosigned_name = models.CharField(max_length=200, blank=True)
    cosigned_at = models.DateTimeField(null=True, blank=True)

    objects = NoteQuerySet.as_manager()

    FIELDS = ("what_was_done", "learner_response", "anything_unusual")

    def __str__(self):
        return f"Note of {self.session}"

    @property
    def is_locked(self):
        return self.signed_at is not None

    def current(self, field):
        """The field's text with every amendment applied (the latest amendment wins)."""
        amendment = self.amendments.filter(field=field).order_by("-at", "-pk").first()
        return amendment.new_text if amendment else getattr(self, field)


class NoteAmendment(models.Model):
    """A change to a signed note's field: the new text and the reason; the note keeps the
    original."""

    FIELD_CHOICES = [
        ("what_was_done", "What was done"),
        ("learner_response", "Learner's response"),
        ("anything_unusual", "Anything unusual"),
    ]

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="amendments")
    field = models.CharField(max_length=20, choices=FIELD_CHOICES)
    previous_text = models.TextField(blank=True)
    new_text = models.TextField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"Amendment of {self.get_field_display()} on {self.at:%Y-%m-%d}"


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


# A token is a password that lives on a device: it expires, and dies with a password change.
DEFAULT_TOKEN_DAYS = 90


def token_lifetime():
    """How long a new token lives (`TRELLIS_TOKEN_DAYS` in the settings, 90 days by default)."""
    return timedelta(days=getattr(settings, "TRELLIS_TOKEN_DAYS", DEFAULT_TOKEN_DAYS))


def may_hold_token(user):
    """Only staff use the API: a guardian (or a login with no staff row) gets no token."""
    return staff_of(user) is not None


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the token itself is shown once."""

    PREFIX = "trl_"

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        SYNC = "sync", "Read and record (sessions, sync)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=12, editable=False, help_text="The token's first letters.")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.SYNC)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name or 'API token'} ({self.hint}…)"

    @property
    def expired(self):
        return self.expires_at <= timezone.now()

    def allows(self, scope):
        """A sync token may also read; a read token may only read."""
        return self.scope == self.Scope.SYNC or scope == self.Scope.READ

    @classmethod
    def issue(cls, user, name="", scope=Scope.SYNC):
        """Create a token; returns (token row, raw token). The raw token is not kept."""
        if not may_hold_token(user):
            raise ValidationError("Only staff may hold an API token.")
        if scope not in cls.Scope.values:
            raise ValidationError({"scope": f"Scope is one of {', '.join(cls.Scope.values)}."})
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            digest=hash_token(raw),
            hint=raw[:8],
            scope=scope,
            expires_at=timezone.now() + token_lifetime(),
        )
        return token, raw

    @classmethod
    def revoke_all(cls, user, reason):
        """Revoke every live token of the user (a password change, a deactivation)."""
        live = cls.objects.filter(user=user, revoked_at__isnull=True)
        hints = list(live.values_list("hint", flat=True))
        if hints:
            live.update(revoked_at=timezone.now())
            record(
                "token.revoke",
                detail={"user": user.get_username(), "hints": hints, "reason": reason},
            )
        return len(hints)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="collect.revoke_tokens")
def revoke_tokens_with_the_login(sender, instance, created, **kwargs):
    """A new password (set_password, as every password form and command does, leaves the raw
    password on the instance until save) or a deactivated login revokes the user's tokens:
    a token must not outlive the credential that made it. A password rehash at sign-in does
    not count (Django clears the raw password before that save)."""
    if created:
        return
    if not instance.is_active:
        ApiToken.revoke_all(instance, "deactivated")
    elif getattr(instance, "_password", None) is not None:
        ApiToken.revoke_all(instance, "password changed")
