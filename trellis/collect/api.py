"""The JSON API of plans and collect (mounted at /api/v1/ by `trellis.api`).

Every endpoint answers only what the user may see (404 otherwise, audited), writes through the
actions of `trellis.collect.actions`, and answers a malformed body with a 422 naming the field.
"""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import HttpBearer, SessionAuth
from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from trellis.audit.log import current_context, record
from trellis.collect import actions, queries
from trellis.collect.events import VALUE_FIELDS
from trellis.collect.models import (
    ApiToken,
    Event,
    Session,
    Setting,
    hash_token,
    may_hold_token,
)
from trellis.people.access import is_staff_for, staff_learner_filter
from trellis.people.models import Learner
from trellis.plans.models import Goal

router = Router(tags=["collect"])


class TokenAuth(HttpBearer):
    """`Authorization: Bearer trl_…`: a personal token, looked up by its SHA-256.

    A token works while it is unrevoked and unexpired, its user active and staff; it answers
    with its scope: a read token may read (GET), a sync token may also write."""

    def __init__(self, scope=ApiToken.Scope.READ):
        self.scope = scope
        super().__init__()

    def authenticate(self, request, token):
        now = timezone.now()
        row = (
            # With the user's staff row, which every access check reads (see access.staff_of).
            ApiToken.objects.select_related("user__staff")
            .filter(digest=hash_token(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if row is None or not may_hold_token(row.user):
            return None
        if not row.allows(self.scope):
            raise HttpError(403, "This token may only read; recording needs a sync token.")
        # One write a minute at most: a sync loop must not turn every request into an update.
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        current_context().user = row.user
        return row.user


class SignedInSession(SessionAuth):
    """The browser's session, once fully signed in. TwoFactorMiddleware lets /api/ through a
    session still waiting for its second factor (request.two_factor_pending): such a session
    is no sign-in here, as it is none on the pages (a 401, so sync.js asks to sign in again)."""

    def authenticate(self, request, key):
        if getattr(request, "two_factor_pending", False):
            return None
        return super().authenticate(request, key)


# The browser's session works too, with Django's CSRF check on unsafe methods.
READ_AUTH = [TokenAuth(ApiToken.Scope.READ), SignedInSession(csrf=True)]
SYNC_AUTH = [TokenAuth(ApiToken.Scope.SYNC), SignedInSession(csrf=True)]


def staff_learner_or_404(request, learner_id, audit_action):
    learner = Learner.objects.select_related("organization").filter(pk=learner_id).first()
    if learner is None or not is_staff_for(request.user, learner):
        record(
            audit_action,
            learner=learner,
            result="denied",
            detail={"learner_id": str(learner_id), "path": request.path},
        )
        raise Http404("No such learner.")
    record(audit_action, learner=learner, detail={"via": "api"})
    return learner


def goal_or_404(request, goal_id, audit_action):
    goal = Goal.objects.select_related("plan__learner__organization").filter(pk=goal_id).first()
    learner = goal.plan.learner if goal else None
    if goal is None or not is_staff_for(request.user, learner):
        record(
            audit_action,
            learner=learner,
            result="denied",
            detail={"goal_id": str(goal_id), "path": request.path},
        )
        raise Http404("No such goal.")
    record(audit_action, learner=learner, obj=goal, detail={"via": "api"})
    return goal


# --- schemas ------------------------------------------------------------------------------


class LearnerOut(Schema):
    id: int
    name: str
    organization: str
    learner_word: str


class PlanRef(Schema):
    id: int
    kind: str
    title: str
    version: int


class TargetOut(Schema):
    id: int
    name: str
    state: str
    criterion: str


class PromptLevel(Schema):
    code: str
    label: str


class GoalOut(Schema):
    id: int
    lineage: str
    plan: PlanRef
    learner: int
    name: str
    statement: str
    domain: str
    direction: str
    measure: str
    event_kind: str
    settings: dict[str, Any]
    prompt_levels: list[PromptLevel]
    goal_value: float | None
    goal_date: str | None
    unit: str
    targets: list[TargetOut]


class SessionIn(Schema):
    """A session of one learner or of one group: exactly one of `learner` and `group` is given
    (stated in the schema as its `oneOf`; `start_session` checks it and the setting)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["learner"], "properties": {"learner": {"type": "integer"}}},
                {"required": ["group"], "properties": {"group": {"type": "integer"}}},
            ]
        }
    )

    id: UUID | None = None
    learner: int | None = None
    group: int | None = None
    goals: list[int] = Field(..., min_length=1)
    started_at: datetime
    setting: str = Field("school", json_schema_extra={"enum": list(Setting.values)})
    primary_session: UUID | None = None


class SessionEndIn(Schema):
    ended_at: datetime


class SessionOut(Schema):
    id: UUID
    learner: int | None
    group: int | None
    goals: list[int]
    started_at: datetime
    ended_at: datetime | None
    setting: str
    recorded_by: str
    primary_session: UUID | None


# Each kind's value has exactly these fields (events.VALUE_FIELDS); a value that does not fit
# rejects its event (with the reason), not the batch, so the schema describes it in words.
VALUE_SHAPES = "The event's value, by kind: " + "; ".join(
    f"{kind} {{{', '.join(fields)}}}" for kind, fields in VALUE_FIELDS.items()
)


class EventOut(Schema):
    id: UUID
    session: UUID
    goal: int
    target: int | None
    kind: str
    value: Any
    recorded_at: datetime
    received_at: datetime
    recorded_by: str
    voids: UUID | None


class SessionWithEvents(SessionOut):
    events: list[EventOut]


class EventIn(BaseModel):
    """One event. The id must be a UUID (it is how the answer is matched); the other fields
    are checked one by one, so a wrong one rejects this event, not the batch."""

    id: UUID
    session: Any
    goal: Any = None
    target: Any = None
    kind: str
    value: Any = Field(None, description=VALUE_SHAPES)
    recorded_at: Any
    voids: Any = None


class SyncIn(Schema):
    events: list[EventIn] = Field(..., max_length=actions.MAX_BATCH)


class SyncResult(BaseModel):
    id: Any
    status: str
    reason: str | None


class SyncOut(Schema):
    results: list[SyncResult]


class TargetSummary(Schema):
    target: int
    name: str
    value: float | None
    label: str


class GoalSummary(Schema):
    goal: int
    name: str
    measure: str
    measure_label: str
    tracked: bool
    value: float | None
    unit: str
    label: str
    summary: dict[str, Any] | None
    targets: list[TargetSummary]


class PhaseRef(Schema):
    id: int
    kind: str
    name: str


class PointTarget(Schema):
    id: int | None
    lineage: str
    name: str


class DataPoint(Schema):
    session: str
    date: str
    started_at: str
    value: float
    unit: str
    phase: PhaseRef | None
    target: PointTarget | None


class GoalData(Schema):
    goal: GoalOut
    points: list[DataPoint]


class ErrorDetail(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(Schema):
    """A 422 (or a 413, a body over the size limit): what is wrong, each with the field's place
    (`loc`) and a message."""

    detail: list[ErrorDetail]


class Message(Schema):
    """A 400 (a body that is not JSON), 401 (no valid token or session), 403 (a read-only token
    writing, or a browser session without its CSRF token) or 404 (nothing the user may see)."""

    detail: str


ERRORS = {
    400: Message,
    401: Message,
    403: Message,
    404: Message,
    413: ValidationErrors,
    422: ValidationErrors,
}


def answers(ok, *errors):
    """The responses of an endpoint for the schema: its own, and the errors it may answer."""
    return ok | {status: ERRORS[status] for status in errors}


# What every write may answer besides its own result.
WRITE_ERRORS = (400, 401, 403, 404, 413, 422)


def session_out(session):
    return {
        "id": session.pk,
        "learner": session.learner_id,
        "group": session.group_id,
        "goals": sorted(session.goals.values_list("pk", flat=True)),
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "setting": session.setting,
        "recorded_by": session.recorded_by.get_username(),
        "primary_session": session.primary_session_id,
    }


# --- endpoints ----------------------------------------------------------------------------


@router.get("/learners", response=answers({200: list[LearnerOut]}, 401), auth=READ_AUTH)
def list_learners(request):
    """The learners the user works with as staff (families use the portal)."""
    learners = (
        Learner.objects.filter(staff_learner_filter(request.user), active=True)
        .distinct()
        .select_related("organization")
    )
    out = [
        {
            "id": p.pk,
            "name": p.full_name,
            "organization": p.organization.name,
            "learner_word": p.organization.learner_word,
        }
        for p in learners
    ]
    record("caseload.view", detail={"via": "api", "shown": len(out)})
    return out


@router.get(
    "/learners/{int:learner_id}/goals",
    response=answers({200: list[GoalOut]}, 401, 404),
    auth=READ_AUTH,
)
def learner_goals(request, learner_id: int):
    """The learner's current goals (approved plans) with their measures and targets."""
    learner = staff_learner_or_404(request, learner_id, "goal.list")
    return [queries.goal_payload(goal) for goal in queries.current_goals(learner)]


@router.get(
    "/learners/{int:learner_id}/kit",
    response=answers({200: dict[str, Any]}, 401, 404),
    auth=READ_AUTH,
)
def learner_kit(request, learner_id: int):
    """What the collection screen keeps offline: goals, prompt levels, ABC pick lists,
    behavior definitions, and the current behavior and safety plans."""
    learner = staff_learner_or_404(request, learner_id, "plan.view")
    return queries.learner_kit(learner)


@router.post(
    "/sessions",
    response=answers({200: SessionOut, 201: SessionOut}, *WRITE_ERRORS),
    auth=SYNC_AUTH,
)
def create_session(request, payload: SessionIn):
    """Start a session; posting the same id again answers the stored session (200)."""
    session, created = actions.start_session(
        request.user,
        id=payload.id,
        learner=payload.learner,
        group=payload.group,
        goals=payload.goals,
        started_at=payload.started_at,
        setting=payload.setting,
        primary_session=payload.primary_session,
    )
    return Status(201 if created else 200, session_out(session))


@router.get(
    "/sessions/{uuid:session_id}",
    response=answers({200: SessionWithEvents}, 401, 404),
    auth=READ_AUTH,
)
def get_session(request, session_id: UUID):
    """The session with its events (void events too) as stored."""
    session = queries.get_session_or_404(request, session_id)
    events = [
        {
            "id": e.pk,
            "session": e.session_id,
            "goal": e.goal_id,
            "target": e.target_id,
            "kind": e.kind,
            "value": e.value,
            "recorded_at": e.recorded_at,
            "received_at": e.received_at,
            "recorded_by": e.recorded_by.get_username(),
            "voids": e.voids_id,
        }
        for e in Event.objects.filter(session=session)
        .select_related("recorded_by")
        .order_by("recorded_at", "received_at")
    ]
    return session_out(session) | {"events": events}


@router.patch(
    "/sessions/{uuid:session_id}",
    response=answers({200: SessionOut}, *WRITE_ERRORS),
    auth=SYNC_AUTH,
)
def end_session(request, session_id: UUID, payload: SessionEndIn):
    """End the session (idempotent: the first end time is kept)."""
    session = queries.get_session_or_404(request, session_id, "change", audit_action=None)
    return session_out(actions.end_session(request.user, session, ended_at=payload.ended_at))


@router.get(
    "/sessions/{uuid:session_id}/summary",
    response=answers({200: list[GoalSummary]}, 401, 404),
    auth=READ_AUTH,
)
def session_summary(request, session_id: UUID):
    """Per goal of the session: its value as the graph shows it, or "not tracked"."""
    session = queries.get_session_or_404(request, session_id)
    return queries.session_summaries(session)


def ref(name):
    return REF_TEMPLATE.format(model=name)


def body_schemas():
    """The components of the bodies that views read themselves (SyncIn and EventIn), for
    trellis.api to add to the schema."""
    schema = SyncIn.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
    )
    return {"SyncIn": schema} | schema.pop("$defs", {})


def _sync_events(body):
    """The events of a sync body, as dicts.

    The endpoint reads the body itself: validating 500 events with pydantic cost more than
    checking and storing them (measured with bench/bench_sync.py), and `ingest_events` checks
    every field again anyway, per event. So a body of the usual shape is taken after a quick
    look at what SyncIn requires; anything else goes through SyncIn, whose errors are the 422
    (each naming its field), exactly as if ninja had parsed it.
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise NinjaValidationError(
            [{"type": "json_invalid", "loc": ["body"], "msg": "The body is not JSON."}]
        ) from None
    raw = data.get("events") if isinstance(data, dict) else None
    if isinstance(raw, list) and len(raw) <= actions.MAX_BATCH:
        for e in raw:
            if not (
                isinstance(e, dict)
                and isinstance(e.get("id"), str)
                and isinstance(e.get("kind"), str)
                and "session" in e
                and "recorded_at" in e
            ):
                break
            try:
                actions.uuid_text(e["id"])
            except ValueError:
                break
        else:
            # As parsed: ingest reads only the fields of EventIn and ignores any other key,
            # as SyncIn does.
            return raw
    try:
        payload = SyncIn.model_validate(data)
    except PydanticValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            error.pop("input", None)
            error.pop("ctx", None)
            errors.append(error | {"loc": ("body", "payload", *error["loc"])})
        raise NinjaValidationError(errors) from None
    return [e.model_dump() for e in payload.events]


@router.post(
    "/sync",
    response=answers({200: SyncOut}, 401, 403, 413, 422),
    auth=SYNC_AUTH,
    # The body is read by the view (see _sync_events), so ninja does not describe it: the
    # schema names SyncIn, which trellis.api adds to the components with EventIn.
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": {"$ref": ref("SyncIn")}}},
            "required": True,
        }
    },
)
def sync(request):
    """Store a batch of events idempotently; answer each: accepted, duplicate or rejected.

    The body is a SyncIn (read by `_sync_events`, which answers a malformed one with a 422)."""
    events = _sync_events(request.body)
    # Answered directly: the results are built here in the documented shape, and validating
    # 1,000 of them again on the way out would cost as much as storing them.
    results = actions.ingest_events(request.user, events)
    return HttpResponse(orjson.dumps({"results": results}), content_type="application/json")


@router.get(
    "/goals/{int:goal_id}/data",
    response=answers({200: GoalData}, 401, 404),
    auth=READ_AUTH,
)
def goal_data(request, goal_id: int):
    """The goal's session-level data points, with phase and target."""
    goal = goal_or_404(request, goal_id, "goal.data.view")
    return {"goal": queries.goal_payload(goal), "points": queries.goal_data_points(goal)}


__all__ = ["ValidationError", "router", "Session"]
