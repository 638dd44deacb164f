"""Every write of the collect app: sessions, event ingest, notes and their signatures, tokens.

Each action validates, writes and audits in one transaction.
"""

import json
import re
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

import orjson
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from trellis.accounts.signatures import check_signature
from trellis.audit.log import record
from trellis.collect.events import normalize_behavior, problem
from trellis.collect.models import (
    EVENT_TIME,
    EVENT_WINDOW_SLACK,
    SESSION_END,
    SESSION_START,
    ApiToken,
    Event,
    NoteAmendment,
    Session,
    SessionNote,
    Setting,
)
from trellis.collect.queries import defined_behaviors
from trellis.collect.signals import data_points_complete
from trellis.ops.metrics import count_sync_events
from trellis.people.access import (
    CHANGE,
    learner_ids_sql,
    may,
    staff_learner_filter,
    staff_of,
)
from trellis.people.models import Group, Learner, Role
from trellis.plans.models import Goal, Measure, Plan, PromptHierarchy, Target

MAX_BATCH = 1000
# A device clock may be off, but not by a day: such an event is surely mistimed.
FUTURE_SLACK = timedelta(days=1)


def _may_record(user, learner):
    return may(user, CHANGE, learner)


def _as_uuid(value, field):
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise ValidationError({field: "Give a UUID."}) from None


def _as_datetime(value, field):
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ValidationError({field: "Give an ISO-8601 date and time with its UTC offset."})
    return value


# --- sessions -----------------------------------------------------------------------------


def start_session(
    user,
    *,
    goals,
    started_at,
    learner=None,
    group=None,
    setting=Setting.SCHOOL,
    id=None,
    primary_session=None,
):
    """Start (or, with a known id, find again) a session for a learner or a group.

    Returns (session, created). Posting the same id twice is how a device that started the
    session offline makes sure it exists; the second answer is the stored session.
    """
    session_id = _as_uuid(id, "id") if id is not None else uuid.uuid4()
    existing = Session.objects.filter(pk=session_id).first()
    if existing is not None:
        if existing.recorded_by_id != user.pk:
            raise ValidationError({"id": "This session id belongs to another user's session."})
        return existing, False
    if (learner is None) == (group is None):
        raise ValidationError({"learner": "Give a learner or a group (one of them)."})
    if isinstance(learner, int):
        learner = Learner.objects.filter(pk=learner).first() or _not_found("learner", learner)
    if isinstance(group, int):
        group = Group.objects.filter(pk=group).first() or _not_found("group", group)
    learners = [learner] if learner is not None else list(group.learners.all())
    if not learners:
        raise ValidationError({"group": "This group has no learners."})
    for person in learners:
        if not _may_record(user, person):
            record("session.start", learner=person, result="denied")
            raise Http404("No such learner.")
    if setting not in Setting.values:
        raise ValidationError({"setting": f"Setting is one of {', '.join(Setting.values)}."})
    started_at = _as_datetime(started_at, "started_at")
    goal_ids = [g.pk if isinstance(g, Goal) else g for g in goals]
    if not goal_ids:
        raise ValidationError({"goals": "Pick at least one goal."})
    found = list(
        Goal.objects.filter(
            pk__in=goal_ids,
            plan__learner__in=learners,
            plan__status=Plan.Status.APPROVED,
        )
    )
    missing = sorted(set(goal_ids) - {g.pk for g in found})
    if missing:
        seen = Goal.objects.filter(
            pk__in=missing, plan__learner__in=Learner.objects.filter(staff_learner_filter(user))
        ).values_list("pk", flat=True)
        if set(missing) - set(seen):
            # A goal that does not exist, or of a learner the user may not see: the same 404 as
            # for such a learner, which does not tell the two apart.
            record("session.start", result="denied", detail={"goal_ids": missing})
            raise Http404("No such goal.")
        raise ValidationError({"goals": f"Not current goals of this learner or group: {missing}."})
    # After what the request names is found (a 404 comes before a 422).
    if out_of_range := SESSION_START.problem(started_at):
        raise ValidationError({"started_at": out_of_range})
    if primary_session is not None:
        if not isinstance(primary_session, Session):
            pid = _as_uuid(primary_session, "primary_session")
            primary_session = Session.objects.filter(pk=pid).first()
        if primary_session is None or primary_session.learner_id != (
            learner.pk if learner else None
        ):
            raise ValidationError({"primary_session": "No session of this learner with that id."})
        if primary_session.primary_session_id:
            raise ValidationError({"primary_session": "That is itself a reliability record."})
        if primary_session.recorded_by_id == user.pk:
            raise ValidationError({"primary_session": "A second observer must be another person."})
    with transaction.atomic():
        session = Session.objects.create(
            id=session_id,
            learner=learner,
            group=group,
            started_at=started_at,
            setting=setting,
            recorded_by=user,
            primary_session=primary_session,
        )
        session.goals.set(found)
        for person in learners:
            record(
                "session.start",
                learner=person,
                obj=session,
                detail={"goals": sorted(goal_ids), "reliability": primary_session is not None},
            )
    return session, True


def join_as_second_observer(user, primary, *, started_at):
    """Join a running session as its second observer (IOA): a separate session of the same
    learner (or group) and goals, linked to the primary. Returns (session, created); someone who
    has joined already and not ended their record gets it back rather than a second one."""
    if primary.primary_session_id:
        raise ValidationError({"primary_session": "That is itself a reliability record."})
    if primary.ended_at is not None:
        raise ValidationError(
            {"primary_session": "This session has ended; a second observer joins while it runs."}
        )
    mine = (
        Session.objects.filter(primary_session=primary, recorded_by=user, ended_at__isnull=True)
        .order_by("started_at")
        .first()
    )
    if mine is not None:
        return mine, False
    return start_session(
        user,
        learner=primary.learner,
        group=primary.group,
        goals=list(primary.goals.values_list("pk", flat=True)),
        started_at=started_at,
        setting=primary.setting,
        primary_session=primary,
    )


def _not_found(what, pk):
    # The same 404 as for a learner the user may not see: telling "no such id" apart from "not
    # yours" would let anyone list the ids that exist.
    record("session.start", result="denied", detail={f"{what}_id": pk})
    raise Http404(f"No such {what}.")


@transaction.atomic
def end_session(user, session, *, ended_at):
    if session.recorded_by_id != user.pk:
        raise ValidationError({"session": "Only the person who recorded a session ends it."})
    ended_at = _as_datetime(ended_at, "ended_at")
    if out_of_range := SESSION_END.problem(ended_at):
        raise ValidationError({"ended_at": out_of_range})
    if ended_at < session.started_at:
        raise ValidationError({"ended_at": "The session cannot end before it started."})
    if session.ended_at is None:
        session.ended_at = ended_at
        session.save(update_fields=["ended_at"])
        for person in session.learners():
            record("session.end", learner=person, obj=session)
        data_points_complete.send(
            sender=Session, goal_ids=set(session.goals.values_list("pk", flat=True))
        )
    return session


# --- events -------------------------------------------------------------------------------


class GoalMeasure(NamedTuple):
    """What checking an event needs of its goal (see events.problem)."""

    id: int
    measure: str
    measure_settings: dict
    learner_id: int


class _Context:
    """What a batch needs from the database, fetched in a handful of queries."""

    def __init__(self, user, events):
        self.user = user
        session_ids, void_ids, target_ids = set(), set(), set()
        for e in events:
            session_ids.add(e.get("session_uuid"))
            if e.get("voids_uuid"):
                void_ids.add(e["voids_uuid"])
            if isinstance(e.get("target"), int):
                target_ids.add(e["target"])
        session_ids.discard(None)
        # One query for the sessions' goals: who recorded each session, each goal's measure and
        # learner, and whether the user may record for that learner (the access policy's own
        # filter, as a subquery compiled once per user and day). An event's goal (a void's too)
        # must be one of its session's goals, so no other goal is needed. Plain values, not
        # model instances: building and compiling those cost more than the query itself.
        # Ids are canonical UUID text throughout a batch (see uuid_text).
        self.session_owner = {}
        self.session_goals = defaultdict(set)
        self.goals = {}  # goal id → GoalMeasure
        self.recordable = set()
        may_record = Q(goal__plan__learner_id__in=RawSQL(*learner_ids_sql(user, staff_only=True)))
        links = (
            Session.goals.through.objects.filter(session_id__in=session_ids)
            .annotate(recordable=ExpressionWrapper(may_record, output_field=BooleanField()))
            .values_list(
                "session_id",
                "session__recorded_by_id",
                "session__started_at",
                "session__ended_at",
                "goal_id",
                "goal__measure",
                "goal__measure_settings",
                "goal__plan__learner_id",
                "recordable",
            )
        )
        self.ended_sessions = set()
        self.session_start = {}
        self.session_end = {}
        for row in links:
            sid, owner, started_at, ended_at, goal_id, measure, settings, learner_id, recordable = (
                row
            )
            sid = str(sid)
            self.session_owner[sid] = owner
            self.session_start[sid] = started_at
            if ended_at is not None:
                self.ended_sessions.add(sid)
                self.session_end[sid] = ended_at
            self.session_goals[sid].add(goal_id)
            self.goals[goal_id] = GoalMeasure(goal_id, measure, settings, learner_id)
            if recordable:
                self.recordable.add(learner_id)
        self.targets = (
            dict(Target.objects.filter(pk__in=target_ids).values_list("pk", "goal_id"))
            if target_ids
            else {}
        )
        self.stored_voidable = (
            {
                str(row[0]): (str(row[1]), row[2], row[3])
                for row in Event.objects.filter(pk__in=void_ids).values_list(
                    "pk", "session_id", "goal_id", "target_id"
                )
            }
            if void_ids
            else {}
        )
        self._learners = None
        self._prompts = {}
        self._behaviors = None

    def learners(self):
        """The batch's learners (with their organization), read once when first needed."""
        if self._learners is None:
            self._learners = Learner.objects.select_related("organization").in_bulk(
                {goal.learner_id for goal in self.goals.values()}
            )
        return self._learners

    def behaviors(self, learner_id):
        """The learner's defined behaviors (behavior_key → name), read once for the batch's
        learners with an ABC goal when an ABC record first needs them."""
        if self._behaviors is None:
            self._behaviors = defined_behaviors(
                {g.learner_id for g in self.goals.values() if g.measure == Measure.ABC}
            )
        return self._behaviors.get(learner_id, {})

    def prompt_codes(self, learner_id):
        organization = self.learners()[learner_id].organization
        if organization.pk not in self._prompts:
            levels = PromptHierarchy.levels_for(organization)
            self._prompts[organization.pk] = [level["code"] for level in levels]
        return self._prompts[organization.pk]


# A UUID as text in its canonical form (lower case, with hyphens), as devices send it.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def uuid_text(value):
    """A UUID (or its text in any form uuid.UUID reads) as canonical text; ValueError if it is
    none. Ingest keys its sets and dicts by this text: hashing and comparing str is much cheaper
    than uuid.UUID objects, which made up a good part of a sync's time."""
    if isinstance(value, str) and _CANONICAL_UUID.fullmatch(value):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise ValueError(value)
    return str(uuid.UUID(value))


def _normalize(raw):
    """Read the parts of an incoming event the checks need, without trusting their types.

    The ids are kept as canonical UUID text (see uuid_text)."""
    event = dict(raw) if isinstance(raw, dict) else {}
    event.pop("_bad", None)  # set below only: a device cannot name its own reason
    for key, field in (("session", "session_uuid"), ("voids", "voids_uuid"), ("id", "uuid")):
        value = event.get(key)
        if not value:
            event[field] = None
            continue
        try:
            event[field] = uuid_text(value)
        except ValueError:
            event[field] = None
            event.setdefault("_bad", f"'{key}' is not a UUID.")
    for key in ("goal", "target"):
        value = event.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            event.setdefault("_bad", f"'{key}' must be an id number or null.")
    if not isinstance(event.get("kind"), str):
        event.setdefault("_bad", "'kind' must be text.")
    return event


def _outside_session(recorded_at, kind, ctx, session_id):
    """Why an event's time does not fit its session's window, or None: from the start to the
    end, EVENT_WINDOW_SLACK either side. A void may come after the end (a correction made
    later), never before the start."""
    started_at = ctx.session_start.get(session_id)
    if started_at is not None and recorded_at < started_at - EVENT_WINDOW_SLACK:
        return (
            f"'recorded_at' is before the session started ({started_at:%Y-%m-%d %H:%M} UTC); "
            "an event is recorded during its session."
        )
    ended_at = ctx.session_end.get(session_id)
    if kind != "void" and ended_at is not None and recorded_at > ended_at + EVENT_WINDOW_SLACK:
        return (
            f"'recorded_at' is after the session ended ({ended_at:%Y-%m-%d %H:%M} UTC); "
            "an event is recorded during its session."
        )
    return None


def _check(event, ctx, now, accepted):
    """(reason, goal, target_id) — reason None when the event may be stored."""
    session_id = event["session_uuid"]
    if ctx.session_owner.get(session_id) != ctx.user.id:
        return "unknown session, or a session recorded by someone else.", None, None
    kind = event.get("kind")
    voids = event["voids_uuid"]
    if kind == "void":
        if voids is None:
            return "a void must name the event it cancels in 'voids'.", None, None
        # The stored event first: one sent again in this batch is a duplicate of it.
        if voids in ctx.stored_voidable:
            v_session, v_goal, v_target = ctx.stored_voidable[voids]
        elif voids in accepted:
            v_session, v_goal, v_target = accepted[voids]
        else:
            return "'voids' names an event the server does not have.", None, None
        if v_session != session_id:
            return "'voids' names an event of another session.", None, None
        if event.get("goal") not in (None, v_goal):
            return "a void must carry the goal of the event it cancels.", None, None
        goal_id, target_id = v_goal, v_target
    else:
        if voids is not None:
            return "only a void event may name 'voids'.", None, None
        goal_id, target_id = event.get("goal"), event.get("target")
    goal = ctx.goals.get(goal_id)
    if goal is None or goal_id not in ctx.session_goals[session_id]:
        return f"goal {goal_id} is not part of this session.", None, None
    if goal.learner_id not in ctx.recordable:
        return "this learner is not on your caseload.", None, None
    # A void's target is that of the event it cancels, checked when that event arrived.
    if kind != "void" and target_id is not None and ctx.targets.get(target_id) != goal_id:
        return f"target {target_id} is not a target of goal {goal_id}.", None, None
    recorded_at = event.get("recorded_at")
    if isinstance(recorded_at, str):
        try:
            recorded_at = parse_datetime(recorded_at)
        except ValueError:  # well formed but no such time, e.g. month 13
            recorded_at = None
    if not isinstance(recorded_at, datetime) or timezone.is_naive(recorded_at):
        return "'recorded_at' must be an ISO-8601 time with its UTC offset.", None, None
    if recorded_at > now + FUTURE_SLACK:
        return "'recorded_at' is more than a day in the future.", None, None
    mistimed = EVENT_TIME.problem(recorded_at) or _outside_session(
        recorded_at, kind, ctx, session_id
    )
    if mistimed:
        return mistimed, None, None
    event["recorded_at"] = recorded_at
    prompts = ()
    if kind in ("trial", "step"):
        prompts = ctx.prompt_codes(goal.learner_id)
    value = event.get("value")
    if kind == "abc" and isinstance(value, dict) and isinstance(value.get("behavior"), str):
        # One behavior, one spelling: " call-out" is stored as the defined "Call-out".
        behavior = normalize_behavior(value["behavior"], ctx.behaviors(goal.learner_id))
        event["value"] = {**value, "behavior": behavior}
    reason = problem(
        kind,
        event.get("value"),
        goal,
        prompts,
        recorded_at=recorded_at,
        started_at=ctx.session_start.get(session_id),
    )
    return reason, goal, target_id


EVENT_COLUMNS = (
    "id",
    "session_id",
    "goal_id",
    "target_id",
    "kind",
    "value",
    "recorded_at",
    "received_at",
    "recorded_by_id",
    "voids_id",
)


# Row n of the JSON document is [id, session, goal, target, kind, value, recorded_at,
# received_at, recorded_by, voids], cast to the columns' types.
PG_ROW = (
    "(r->>0)::uuid, (r->>1)::uuid, (r->>2)::bigint, (r->>3)::bigint, r->>4, r->5, "
    "(r->>6)::timestamptz, (r->>7)::timestamptz, (r->>8)::integer, (r->>9)::uuid"
)


def insert_events(rows):
    """Insert checked event rows (tuples in EVENT_COLUMNS order; ids as UUIDs or canonical
    text) in one statement batch.

    This is the one place that writes events with SQL rather than the ORM: building a model
    instance and compiling it per row cost more than everything else in a sync (measured with
    bench/bench_sync.py), and ingest must keep up with many devices. Rows are adapted here as
    Django would store them. A row whose id is stored already (by an earlier sync, or by a
    concurrent one: the insert waits for it) is skipped (ON CONFLICT DO NOTHING / INSERT OR
    IGNORE): it is the same event, stored once. PostgreSQL's key is the month-partitioned
    table's (id, recorded_at) (collect/partitions.py): a device resends an event as it stored
    it, time included (sync.js); checking an id against every month instead cost 70 times the
    insert at 22 million events (docs/SCALING.md). Returns the ids inserted (canonical text).
    """
    if not rows:
        return set()
    table = connection.ops.quote_name(Event._meta.db_table)
    columns = ", ".join(EVENT_COLUMNS)
    if connection.vendor == "postgresql":
        # The batch travels as one JSON document that PostgreSQL unpacks itself: one round
        # trip and one parameter whatever the batch size (psycopg would otherwise quote each of
        # thousands of parameters in Python). orjson writes the row tuples, with their UUIDs and
        # aware datetimes (ISO 8601 with offset, which ::timestamptz reads), in one C call.
        document = orjson.dumps(rows).decode()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {PG_ROW} "
                "FROM jsonb_array_elements(%s::jsonb) AS r ON CONFLICT DO NOTHING "
                # As text: a UUID object per row would only be turned back into text.
                "RETURNING id::text",
                [document],
            )
            return {row[0] for row in cursor.fetchall()}
    when = connection.ops.adapt_datetimefield_value
    params = [
        p
        for row in rows
        for p in (
            _hex(row[0]),
            _hex(row[1]),
            row[2],
            row[3],
            row[4],
            json.dumps(row[5]),
            when(row[6]),
            when(row[7]),
            row[8],
            _hex(row[9]) if row[9] else None,
        )
    ]
    # One multi-row statement: one round trip for the whole batch.
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT OR IGNORE INTO {table} ({columns}) VALUES {values} RETURNING id", params
        )
        return {str(uuid.UUID(row[0])) for row in cursor.fetchall()}


def _hex(value):
    """A UUID (or its canonical text) as SQLite stores it."""
    return value.hex if isinstance(value, uuid.UUID) else value.replace("-", "")


def stored_ids(ids):
    """Which of these event ids (canonical UUID text) the server has already, as text."""
    if connection.vendor == "postgresql" and ids:
        # One array parameter instead of an IN list of hundreds (see insert_events).
        table = connection.ops.quote_name(Event._meta.db_table)
        with connection.cursor() as cursor:
            # The array as its text form: psycopg would adapt each UUID in Python.
            literal = "{" + ",".join(ids) + "}"
            cursor.execute(f"SELECT id::text FROM {table} WHERE id = ANY(%s::uuid[])", [literal])
            return {row[0] for row in cursor.fetchall()}
    return {str(pk) for pk in Event.objects.filter(pk__in=ids).values_list("pk", flat=True)}


def _late_data_points(ctx, rows):
    """Announce the goals whose ended sessions just got more events (a late sync)."""
    goal_ids = {row[2] for row in rows if row[1] in ctx.ended_sessions}
    if goal_ids:
        data_points_complete.send(sender=Session, goal_ids=goal_ids)


def ingest_events(user, events):
    """Store a batch of events from a device; answer each one, in order.

    Idempotent by event id: an id the server has (or saw earlier in the batch) is a duplicate,
    acknowledged and not stored again. Bad events are rejected with the reason and the good ones
    stored. One bulk insert and one audit entry per learner per batch keep it fast.
    """
    if not isinstance(events, list):
        raise ValidationError({"events": "Give a list of events."})
    if len(events) > MAX_BATCH:
        raise ValidationError({"events": f"At most {MAX_BATCH:,} events a batch."})
    now = timezone.now()
    events = [_normalize(e) for e in events]
    with transaction.atomic():
        ctx = _Context(user, events)
        results, rows = [], []
        accepted = {}  # id → (session, goal, target) of events that passed the checks
        seen = set()
        learner_at = {}  # index in results → learner id, of the events checked against a goal
        rejected = []  # indexes in results of the events with an id that the checks rejected
        user_id = user.id
        for event in events:
            eid = event["uuid"]
            if eid is None:
                results.append(
                    {
                        "id": event.get("id"),
                        "status": "rejected",
                        "reason": event.get("_bad") or "'id' is missing.",
                    }
                )
                continue
            if eid in seen:
                results.append({"id": eid, "status": "duplicate", "reason": None})
                continue
            seen.add(eid)
            reason = event.get("_bad")
            goal = target_id = None
            if reason is None:
                reason, goal, target_id = _check(event, ctx, now, accepted)
            if goal is not None:
                learner_at[len(results)] = goal.learner_id
            if reason is not None:
                rejected.append(len(results))
                results.append({"id": eid, "status": "rejected", "reason": reason})
                continue
            goal_id = goal.id
            accepted[eid] = (event["session_uuid"], goal_id, target_id)
            rows.append(
                (
                    eid,
                    event["session_uuid"],
                    goal_id,
                    target_id,
                    event["kind"],
                    event["value"],
                    event["recorded_at"],
                    now,
                    user_id,
                    event["voids_uuid"],
                )
            )
            results.append({"id": eid, "status": "accepted", "reason": None})
        # The insert skips the ids the server has already: those events are duplicates,
        # acknowledged and not stored again (this also settles a race with a concurrent sync of
        # the same events). A rejected event the server has already (sent again after, say, a
        # change of caseload) is a duplicate too, as it always was; asking costs a query only
        # when some event was rejected.
        inserted = insert_events(rows)
        stored = stored_ids([results[i]["id"] for i in rejected]) if rejected else set()
        for index in rejected:
            if results[index]["id"] in stored:
                results[index].update(status="duplicate", reason=None)
        tally = defaultdict(Counter)
        for index, result in enumerate(results):
            if result["status"] == "accepted" and result["id"] not in inserted:
                result["status"] = "duplicate"
            elif result["status"] != "duplicate" and index in learner_at:
                tally[learner_at[index]][result["status"]] += 1
        _late_data_points(ctx, [row for row in rows if row[0] in inserted])
        for learner_id, counts in tally.items():
            record(
                "event.sync",
                learner=ctx.learners()[learner_id],
                detail=dict(counts),
            )
        if len(results) and not tally:
            record(
                "event.sync",
                result="denied" if any(r["status"] == "rejected" for r in results) else "ok",
                detail=dict(Counter(r["status"] for r in results)),
            )
    count_sync_events(results)  # once the batch is stored: one that failed counts nothing
    return results


# --- notes --------------------------------------------------------------------------------
# Access and signature checks run before the transaction, so a denial's audit entry is kept.


def _require_recorder(user, session, action):
    for person in session.learners():
        if not _may_record(user, person):
            record(action, learner=person, result="denied", obj=session)
            raise Http404("Not found.")


def save_note(user, session, *, what_was_done="", learner_response="", anything_unusual=""):
    """Create or update the session's draft note."""
    _require_recorder(user, session, "note.save")
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().filter(session=session).first()
        if note is None:
            note = SessionNote(session=session, written_by=user)
        elif note.is_locked:
            raise ValidationError({"__all__": "This note is signed; amend it instead."})
        note.what_was_done = what_was_done.strip()
        note.learner_response = learner_response.strip()
        note.anything_unusual = anything_unusual.strip()
        note.save()
        for person in session.learners():
            record("note.save", learner=person, obj=note)
    return note


def sign_note(user, note, *, typed_name, password):
    """Sign a note with the typed name and the re-entered password; it is locked after."""
    _require_recorder(user, note.session, "note.sign")
    check_signature(user, note, typed_name, password, "note.sign")
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.is_locked:
            raise ValidationError({"__all__": "This note is signed already."})
        if not (note.what_was_done or note.learner_response or note.anything_unusual):
            raise ValidationError({"what_was_done": "Write the note before signing it."})
        note.signed_by, note.signed_at = user, timezone.now()
        note.signed_name = " ".join(typed_name.split())
        note.save(update_fields=["signed_by", "signed_at", "signed_name"])
        for person in note.session.learners():
            record("note.sign", learner=person, obj=note)
    return note


def may_cosign(user, note):
    """A supervisor of the signer, or a supervisor / program admin over the learner — never
    the signer themselves."""
    if note.signed_by_id is None or note.signed_by_id == user.pk:
        return False
    if not all(may(user, CHANGE, person) for person in note.session.learners()):
        return False
    if user.is_superuser:
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    signer = staff_of(note.signed_by)
    if signer is not None and signer.supervisors.filter(pk=staff.pk).exists():
        return True
    return staff.memberships.filter(role__in=[Role.SUPERVISOR, Role.PROGRAM_ADMIN]).exists()


def cosign_note(user, note, *, typed_name, password):
    """A supervisor's co-signature on a signed note (typed name and password again)."""
    if not note.is_locked:
        raise ValidationError({"__all__": "The note must be signed before it is co-signed."})
    if not may_cosign(user, note):
        record("note.cosign", obj=note, result="denied")
        raise ValidationError({"__all__": "Only a supervisor other than the signer may co-sign."})
    check_signature(user, note, typed_name, password, "note.cosign")
    with transaction.atomic():
        note = SessionNote.objects.select_for_update().get(pk=note.pk)
        if note.cosigned_at:
            raise ValidationError({"__all__": "This note is co-signed already."})
        note.cosigned_by, note.cosigned_at = user, timezone.now()
        note.cosigned_name = " ".join(typed_name.split())
        note.save(update_fields=["cosigned_by", "cosigned_at", "cosigned_name"])
        for person in note.session.learners():
            record("note.cosign", learner=person, obj=note)
    return note


def amend_note(user, note, *, field, new_text, reason):
    """Change a signed note's field by an amendment with a reason; the original stays."""
    _require_recorder(user, note.session, "note.amend")
    if not note.is_locked:
        raise ValidationError({"__all__": "A note that is not signed yet is simply edited."})
    errors = {}
    if field not in SessionNote.FIELDS:
        errors["field"] = "Pick the part of the note to amend."
    if not (new_text or "").strip():
        errors["new_text"] = "Write the new text."
    if not (reason or "").strip():
        errors["reason"] = "Say why the note is amended."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        amendment = NoteAmendment.objects.create(
            note=note,
            field=field,
            previous_text=note.current(field),
            new_text=new_text.strip(),
            reason=reason.strip(),
            by=user,
            at=timezone.now(),
        )
        for person in note.session.learners():
            record(
                "note.amend",
                learner=person,
                obj=note,
                detail={"field": field, "reason": amendment.reason},
            )
    return amendment


# --- API tokens ---------------------------------------------------------------------------


@transaction.atomic
def create_token(user, name="", scope=ApiToken.Scope.SYNC):
    """A new personal API token; returns (row, raw token). Only the raw token's hash is kept."""
    token, raw = ApiToken.issue(user, (name or "").strip()[:100], scope)
    record(
        "token.create",
        obj=token,
        detail={"name": token.name, "hint": token.hint, "scope": token.scope},
    )
    return token, raw


@transaction.atomic
def revoke_token(user, token):
    if token.user_id != user.pk:
        raise Http404("Not found.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record("token.revoke", obj=token, detail={"hint": token.hint})
    return token
