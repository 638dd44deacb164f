"""Every write of the monitoring app: accepting or dismissing a recommendation, recording a
tier change or a referral. Each validates, writes and audits in one transaction; changes to the
goal itself (a new phase, a target advanced) go through `trellis.plans.actions`."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from trellis.audit.log import record
from trellis.monitoring.models import Flag, GoalStatus, Recommendation, TeamDecision
from trellis.plans import actions as plan_actions
from trellis.plans.access import may_write_plans
from trellis.plans.models import Goal, Phase, Target


def _require_decider(user, learner, action):
    """Decisions on a learner's program are for those who write their plans."""
    if not may_write_plans(user, learner):
        record(action, learner=learner, result="denied")
        raise Http404("Not found.")


def _locked_open(rec):
    rec = Recommendation.objects.select_for_update().get(pk=rec.pk)
    if rec.status != Recommendation.Status.OPEN:
        raise ValidationError(
            {"__all__": f"This recommendation was {rec.get_status_display().lower()} already."}
        )
    return rec


@transaction.atomic
def accept_recommendation(user, rec, *, note="", starts_on=None, phase_label=""):
    """Accept a flag. "Change the intervention" starts a new intervention phase on the goal
    (from `starts_on`, default today) named `phase_label` (required: the graph's phase line
    says what changed); "advance the target" marks the target mastered; "raise the goal"
    (lower it, for a reduction goal) and "data gap" record the decision (the goal itself
    changes by revising the plan)."""
    _require_decider(user, rec.learner, "recommendation.accept")
    rec = _locked_open(rec)
    # The phase goes on the goal's current version (the plan may have been revised since).
    goal = Goal.objects.current().filter(lineage=rec.goal_lineage).first() or rec.goal
    today = timezone.localdate()
    if rec.kind == Flag.CHANGE_INTERVENTION:
        starts_on = starts_on or today
        if isinstance(starts_on, str):
            try:
                starts_on = dt.date.fromisoformat(starts_on)
            except ValueError:
                raise ValidationError({"starts_on": "Give the date as YYYY-MM-DD."}) from None
        label = (phase_label or "").strip()
        if not label:
            raise ValidationError(
                {"phase_label": "Name the new phase: say what changes in the intervention."}
            )
        if len(label) > 120:
            raise ValidationError({"phase_label": "Keep the phase label under 120 characters."})
        rec.phase = plan_actions.add_phase(
            user, goal, kind=Phase.Kind.INTERVENTION, starts_on=starts_on, label=label
        )
    elif rec.kind == Flag.ADVANCE_TARGET:
        target = rec.target
        if target is None:
            raise ValidationError({"__all__": "The target of this recommendation is gone."})
        if target.state != Target.State.MASTERED:
            plan_actions.change_target_state(
                user,
                target,
                to_state=Target.State.MASTERED,
                reason=f"Mastery criterion met ({target.criterion}). {note}".strip(),
            )
    rec.status = Recommendation.Status.ACCEPTED
    rec.decided_by, rec.decided_at, rec.reason = user, timezone.now(), note.strip()
    rec.save(update_fields=["status", "decided_by", "decided_at", "reason", "phase"])
    record(
        "recommendation.accept",
        learner=rec.learner,
        obj=rec,
        detail={
            "goal": goal.pk,
            "kind": rec.kind,
            "phase": rec.phase_id,
            "target": rec.target_id,
            "note": rec.reason,
        },
    )
    _refresh(goal)
    return rec


@transaction.atomic
def dismiss_recommendation(user, rec, *, reason):
    """Dismiss a flag with the reason (kept with the recommendation and in the audit log)."""
    _require_decider(user, rec.learner, "recommendation.dismiss")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this recommendation is dismissed."})
    rec = _locked_open(rec)
    rec.status = Recommendation.Status.DISMISSED
    rec.decided_by, rec.decided_at, rec.reason = user, timezone.now(), reason
    rec.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    record(
        "recommendation.dismiss",
        learner=rec.learner,
        obj=rec,
        detail={"goal": rec.goal_id, "kind": rec.kind, "reason": reason},
    )
    _refresh(rec.goal)
    return rec


def _refresh(goal):
    from trellis.monitoring.status import evaluate_goal

    transaction.on_commit(lambda: evaluate_goal(goal))


def _evidence(learner):
    """The learner's goals as they stand: the data a team decision rests on."""
    rows = GoalStatus.objects.filter(learner=learner).select_related("goal")
    return {
        "goals": [
            {
                "goal": s.goal_id,
                "name": s.goal.name,
                "latest_value": s.latest_value,
                "latest_date": s.latest_date.isoformat() if s.latest_date else None,
                "unit": s.unit,
                "points": s.points,
                "trend_per_week": s.trend_per_week,
                "aim_per_week": s.aim_per_week,
                "flag": s.flag,
            }
            for s in rows
        ]
    }


@transaction.atomic
def record_team_decision(user, learner, *, kind, rationale, to_tier=None, refer_to=""):
    """A tier change (to tier 1-3) or a referral, with the goals' figures kept as evidence."""
    _require_decider(user, learner, "decision.record")
    errors = {}
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = "Say what the decision rests on."
    if kind == TeamDecision.Kind.TIER_CHANGE:
        try:
            to_tier = int(to_tier)
        except (TypeError, ValueError):
            to_tier = None
        if to_tier not in (1, 2, 3):
            errors["to_tier"] = "Choose tier 1, 2 or 3."
        refer_to = ""
    elif kind == TeamDecision.Kind.REFERRAL:
        if refer_to not in TeamDecision.ReferTo.values:
            errors["refer_to"] = "Choose what the referral is for."
        to_tier = None
    else:
        errors["kind"] = "Choose a tier change or a referral."
    if errors:
        raise ValidationError(errors)
    from_tier = None
    if kind == TeamDecision.Kind.TIER_CHANGE:
        from_tier = current_tier(learner)
        if from_tier == to_tier:
            raise ValidationError({"to_tier": f"The learner is in tier {to_tier} already."})
    decision = TeamDecision.objects.create(
        learner=learner,
        kind=kind,
        from_tier=from_tier,
        to_tier=to_tier,
        refer_to=refer_to,
        rationale=rationale,
        evidence=_evidence(learner),
        decided_by=user,
        decided_at=timezone.now(),
    )
    record(
        "decision.record",
        learner=learner,
        obj=decision,
        detail={"kind": kind, "from_tier": from_tier, "to_tier": to_tier, "refer_to": refer_to},
    )
    return decision


def current_tier(learner):
    """The learner's tier: the last recorded tier change, else their current RTI plan's."""
    last = (
        TeamDecision.objects.filter(learner=learner, kind=TeamDecision.Kind.TIER_CHANGE)
        .order_by("-decided_at")
        .first()
    )
    if last:
        return last.to_tier
    from trellis.plans.models import Plan

    plan = Plan.objects.current().filter(learner=learner, tier__isnull=False).first()
    return plan.tier if plan else None
