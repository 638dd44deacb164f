"""Monitoring's part of the demo: illustrative CBM norm bands, every demo goal's status and
recommendations computed from the demo data (`trellis.collect.demo` runs first), and a few
decisions a supervisor took on them, with their reasons."""

from django.contrib.auth.models import User

from trellis.audit.log import AuditContext, set_context
from trellis.monitoring import actions
from trellis.monitoring.models import Flag, NormBand, Recommendation, TeamDecision
from trellis.monitoring.status import active_goals, evaluate_goals

ILLUSTRATIVE = "Illustrative example values for the demo, not published norms."

# Oral reading fluency (words correct per minute) by grade: (fall, winter, spring) medians.
# Made up for the demo, shaped like typical CBM growth; the bands are median ± about 25%.
WCPM_MEDIANS = {
    "1": (12, 30, 55),
    "2": (50, 75, 90),
    "3": (75, 95, 110),
    "4": (95, 115, 125),
    "5": (110, 125, 135),
    "6": (125, 140, 150),
}


def load_norms(organization):
    rows = []
    for grade, medians in WCPM_MEDIANS.items():
        for season, median in zip(("fall", "winter", "spring"), medians, strict=True):
            rows.append(
                NormBand(
                    organization=organization,
                    measure_name="words correct per minute",
                    grade=grade,
                    season=season,
                    p25=round(median * 0.75),
                    p50=median,
                    p75=round(median * 1.25),
                    source=ILLUSTRATIVE,
                )
            )
    NormBand.objects.bulk_create(rows)


def build(people):
    load_norms(people.district)
    evaluate_goals(list(active_goals().values_list("pk", flat=True)))
    supervisor = User.objects.filter(username="demo-supervisor").first()
    if supervisor is None:
        return
    set_context(AuditContext(user=supervisor))
    from trellis.people.models import Learner

    mine = Learner.objects.visible_to(supervisor)
    open_recs = Recommendation.objects.open().filter(learner__in=mine).order_by("pk")
    change = list(open_recs.filter(kind=Flag.CHANGE_INTERVENTION)[:2])
    if change:
        actions.accept_recommendation(
            supervisor,
            change[0],
            note="Team met; adding a second daily practice session.",
            phase_label="Added daily repeated reading",
        )
    if len(change) > 1:
        actions.dismiss_recommendation(
            supervisor,
            change[1],
            reason="Absent four days with the flu; keep the plan two more weeks.",
        )
    advance = open_recs.filter(kind=Flag.ADVANCE_TARGET).first()
    if advance:
        actions.accept_recommendation(supervisor, advance, note="Move to maintenance probes.")
    gap = open_recs.filter(kind=Flag.DATA_GAP).first()
    if gap:
        actions.dismiss_recommendation(
            supervisor, gap, reason="Learner was on a family trip; data resume Monday."
        )
    learner = mine.order_by("pk").first()
    if learner is not None:
        current = actions.current_tier(learner)
        actions.record_team_decision(
            supervisor,
            learner,
            kind=TeamDecision.Kind.TIER_CHANGE,
            to_tier=3 if current != 3 else 2,
            rationale="Below the aim line for six weeks despite two intervention changes.",
        )
        actions.record_team_decision(
            supervisor,
            learner,
            kind=TeamDecision.Kind.REFERRAL,
            refer_to=TeamDecision.ReferTo.SPEECH,
            rationale="Articulation errors noted in every fluency probe; screening requested.",
        )
    set_context(AuditContext())
