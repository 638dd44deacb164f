"""Demo plans: every plan kind and every measure, for the demo learners (synthetic).

demo-assistant's and demo-technician's caseloads get full plans (IEP or ISP with several goals,
a BIP with behavior definitions, a safety plan for some); every other learner gets one plan with
one or two goals, so caseload pages and graphs have something real everywhere. One learner's IEP
has two versions, the first superseded. `trellis.collect.demo` then records about 16 weeks of
sessions against these goals.
"""

import random
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from trellis.people.models import CaseAssignment, Learner
from trellis.plans.measures import clean_measure_settings
from trellis.plans.models import (
    DEFAULT_PROMPT_LEVELS,
    AbcOption,
    BehaviorDefinition,
    Goal,
    Phase,
    Plan,
    PromptHierarchy,
    Target,
    TargetStateChange,
)

WEEKS = 16
ABC = {
    "antecedent": [
        "Demand placed",
        "Transition",
        "Denied access",
        "Attention diverted",
        "Loud environment",
        "Unstructured time",
    ],
    "behavior": ["Call-out", "Elopement", "Aggression", "Tantrum", "Property destruction"],
    "consequence": [
        "Redirected",
        "Planned ignoring",
        "Demand removed",
        "Break given",
        "Verbal reprimand",
        "Peer attention",
    ],
    "setting": ["Classroom", "Hallway", "Cafeteria", "Playground", "Bus", "Therapy room"],
}
# The function of behavior each demo antecedent and consequence suggests (a supervisor's
# judgement, set on the pick-list option; the FBA reads it).
ABC_FUNCTIONS = {
    "Demand placed": "escape",
    "Transition": "escape",
    "Denied access": "tangible",
    "Attention diverted": "attention",
    "Loud environment": "escape",
    "Unstructured time": "automatic",
    "Redirected": "attention",
    "Planned ignoring": "automatic",
    "Demand removed": "escape",
    "Break given": "escape",
    "Verbal reprimand": "attention",
    "Peer attention": "attention",
}
SIGHT_WORDS = ["the", "said", "was", "because", "where", "could", "people", "friend"]
MATH_FACTS = ["7 + 8", "6 × 7", "9 + 6", "8 × 4", "12 − 5", "3 × 9", "14 − 6", "7 × 7"]
MANDS = ["water", "help", "break", "more", "open", "all done", "my turn", "play"]
HANDWASHING = ["Turn on water", "Wet hands", "Soap", "Scrub 20 s", "Rinse", "Dry", "Towel away"]
ARRIVAL = ["Hang backpack", "Unpack folder", "Turn in homework", "Sharpen pencil", "Sit, start"]
POINT_CARD = [("Safe body", 2), ("Kind words", 2), ("On task", 2), ("Follows directions", 2)]


def _slug(text):
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


class PlanBuilder:
    def __init__(self, people, seed=404):
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.start = self.today - timedelta(weeks=WEEKS)
        self.now = timezone.now()
        self.people = people

    def writer(self, learner):
        """The learner's supervisor-level writer: BCBA, specialist, case manager, else admin."""
        order = [
            CaseAssignment.CaseRole.BCBA,
            CaseAssignment.CaseRole.SPECIALIST,
            CaseAssignment.CaseRole.CASE_MANAGER,
        ]
        assignments = {a.role: a.staff.user for a in learner.active_assignments()}
        for role in order:
            if role in assignments:
                return assignments[role]
        return User.objects.filter(username="demo-admin").first()

    def plan(self, learner, kind, title, *, version=1, supersedes=None, status="approved", **kw):
        by = self.writer(learner)
        approved_on = kw.pop("approved_on", self.start)
        plan = Plan.objects.create(
            learner=learner,
            kind=kind,
            title=title,
            status=status,
            version=version,
            supersedes=supersedes,
            lineage=supersedes.lineage if supersedes else Plan._meta.get_field("lineage").default(),
            created_by=by,
            approved_by=by if status != Plan.Status.DRAFT else None,
            approved_at=(
                timezone.make_aware(
                    timezone.datetime.combine(approved_on, timezone.datetime.min.time())
                )
                if status != Plan.Status.DRAFT
                else None
            ),
            starts_on=approved_on,
            ends_on=approved_on + timedelta(days=365),
            **kw,
        )
        return plan

    def goal(self, plan, measure, name, statement, *, domain, direction="increase", **kw):
        settings = clean_measure_settings(measure, kw.pop("settings", {}))
        targets = kw.pop("targets", ())
        goal = Goal.objects.create(
            plan=plan,
            order=plan.goals.count(),
            measure=measure,
            name=name,
            statement=statement,
            domain=domain,
            direction=direction,
            measure_settings=settings,
            goal_date=kw.pop("goal_date", self.start + timedelta(days=365)),
            lineage=kw.pop("lineage", Goal._meta.get_field("lineage").default()),
            **kw,
        )
        for index, target in enumerate(targets):
            state = Target.State.ACQUISITION if index < 2 else Target.State.BASELINE
            t = Target.objects.create(
                goal=goal, name=target, order=index, state=state, state_since=self.start
            )
            TargetStateChange.objects.create(
                target=t, to_state=state, on=self.start, reason="Program started"
            )
        Phase.objects.create(goal=goal, kind="baseline", label="Baseline", starts_on=self.start)
        Phase.objects.create(
            goal=goal,
            kind="intervention",
            label=kw.get("intervention_label", "Intervention"),
            starts_on=self.start + timedelta(weeks=3),
        )
        return goal


def school_iep(b, learner, *, version_two=False):
    """A school learner's IEP with a probe, trials with targets, a task analysis and a rating."""
    first = learner.first_name
    plan = b.plan(learner, Plan.Kind.IEP, f"IEP — {first}", settings=["school"])
    goals = [
        b.goal(
            plan,
            "probe",
            "Oral reading fluency",
            f"By the annual review, {first} will read a grade-level passage at 90 words "
            "correct per minute with 3 or fewer errors.",
            domain="academic",
            baseline="42 words correct per minute (median of 3 passages).",
            baseline_value=42,
            goal_value=90,
            settings={"seconds": 60, "unit": "words correct per minute"},
        ),
        b.goal(
            plan,
            "trials",
            "Math facts",
            f"{first} will answer math facts independently with 80% accuracy across 3 "
            "consecutive sessions for each target set.",
            domain="academic",
            baseline_value=20,
            goal_value=80,
            settings={"trials_per_session": 10},
            targets=MATH_FACTS[:6],
        ),
        b.goal(
            plan,
            "task_analysis",
            "Morning arrival routine",
            f"{first} will complete the 5-step arrival routine independently on 4 of 5 days.",
            domain="adaptive",
            baseline_value=20,
            goal_value=100,
            settings={"steps": ARRIVAL},
        ),
        b.goal(
            plan,
            "rating",
            "Daily point card",
            f"{first} will earn 80% of daily point-card points on 4 of 5 days.",
            domain="behavior",
            baseline_value=55,
            goal_value=80,
            settings={"rows": [{"label": label, "max": top} for label, top in POINT_CARD]},
        ),
    ]
    if version_two:
        # The annual review raised the fluency aim: version 2 supersedes version 1.
        plan.status = Plan.Status.SUPERSEDED
        plan.save(update_fields=["status"])
        revised_on = b.start + timedelta(weeks=8)
        new = b.plan(
            learner,
            Plan.Kind.IEP,
            f"IEP — {first}",
            settings=["school"],
            version=2,
            supersedes=plan,
            approved_on=revised_on,
            change_reason="Progress review: fluency aim raised after steady growth; "
            "sight words added.",
        )
        copies = []
        for goal in goals:
            copy = b.goal(
                new,
                goal.measure,
                goal.name,
                goal.statement.replace("90 words", "100 words"),
                domain=goal.domain,
                baseline=goal.baseline,
                baseline_value=goal.baseline_value,
                goal_value=100 if goal.measure == "probe" else goal.goal_value,
                settings=goal.measure_settings,
                lineage=goal.lineage,
            )
            for target in goal.targets.all():
                Target.objects.create(
                    goal=copy,
                    name=target.name,
                    order=target.order,
                    lineage=target.lineage,
                    state=target.state,
                    state_since=target.state_since,
                )
            copies.append(copy)
        copies.append(
            b.goal(
                new,
                "trials",
                "Sight words",
                f"{first} will read sight words independently at 80% across 3 sessions.",
                domain="academic",
                baseline_value=10,
                goal_value=80,
                targets=SIGHT_WORDS,
            )
        )
        goals = copies + goals
    return goals


def school_bip(b, learner):
    first = learner.first_name
    plan = b.plan(
        learner,
        Plan.Kind.BIP,
        f"Behavior intervention plan — {first}",
        settings=["school"],
        summary=(
            "Function (hypothesis): call-outs and leaving the area are maintained by escape "
            "from difficult work and by adult attention.\n"
            "Prevent: first/then board, break card on desk, pre-correct before transitions.\n"
            "Teach: raise hand or use the break card; praise within 3 seconds.\n"
            "Respond: planned ignoring of call-outs; prompt the break card; never remove the "
            "task entirely."
        ),
    )
    BehaviorDefinition.objects.create(
        learner=learner,
        plan=plan,
        name="Call-out",
        definition="Speaking to the teacher or class without raising a hand and being called on.",
        examples="Shouting an answer; talking over the teacher; calling a peer's name across "
        "the room.",
        non_examples="Answering when called on; whispering to a partner during pair work.",
    )
    BehaviorDefinition.objects.create(
        learner=learner,
        plan=plan,
        name="Off-task",
        definition="Eyes and materials away from the assigned task for 3 or more seconds.",
        examples="Looking around the room; playing with objects; head down.",
        non_examples="Looking at the teacher during instruction; getting a tool for the task.",
    )
    return [
        b.goal(
            plan,
            "frequency",
            "Call-outs",
            f"{first} will reduce call-outs to 2 or fewer per 30-minute lesson.",
            domain="behavior",
            direction="decrease",
            baseline_value=9,
            goal_value=2,
            settings={"rate_unit": "count"},
        ),
        b.goal(
            plan,
            "partial_interval",
            "Off-task (partial interval)",
            f"{first} will be off-task in 20% or fewer of 15-second intervals.",
            domain="behavior",
            direction="decrease",
            baseline_value=60,
            goal_value=20,
            settings={"interval_seconds": 15, "session_minutes": 5},
        ),
        b.goal(
            plan,
            "abc",
            "ABC log",
            "Narrative ABC records of challenging behavior for the functional assessment.",
            domain="behavior",
            direction="decrease",
        ),
    ]


def clinic_isp(b, learner):
    first = learner.first_name
    plan = b.plan(
        learner,
        Plan.Kind.ISP,
        f"Individual service plan — {first}",
        settings=["home", "community"],
    )
    return [
        b.goal(
            plan,
            "trials",
            "Manding",
            f"{first} will mand for preferred items independently at 80% across 3 sessions.",
            domain="communication",
            baseline_value=15,
            goal_value=80,
            settings={"trials_per_session": 10},
            targets=MANDS[:6],
        ),
        b.goal(
            plan,
            "task_analysis",
            "Handwashing",
            f"{first} will wash hands independently across all 7 steps.",
            domain="adaptive",
            baseline_value=10,
            goal_value=100,
            settings={"steps": HANDWASHING},
        ),
        b.goal(
            plan,
            "latency",
            "Latency to follow instructions",
            f"{first} will begin a one-step instruction within 5 seconds.",
            domain="behavior",
            direction="decrease",
            baseline_value=25,
            goal_value=5,
        ),
        b.goal(
            plan,
            "momentary_time_sampling",
            "Engagement (MTS)",
            f"{first} will be engaged with materials at 80% of 30-second checks.",
            domain="social_emotional",
            baseline_value=35,
            goal_value=80,
            settings={"interval_seconds": 30, "session_minutes": 10},
        ),
    ]


def clinic_bip(b, learner, *, safety=False):
    first = learner.first_name
    plan = b.plan(
        learner,
        Plan.Kind.BIP,
        f"Behavior intervention plan — {first}",
        settings=["home", "community"],
        summary=(
            "Function (hypothesis): aggression and tantrums are maintained by access to "
            "tangibles and escape from non-preferred tasks.\n"
            "Prevent: visual schedule, 2-minute warnings, choices of task order.\n"
            "Teach: functional communication — 'break please' and 'my turn'.\n"
            "Respond: block and redirect aggression, no access to the item following "
            "aggression, reinforce the mand within 2 seconds."
        ),
    )
    BehaviorDefinition.objects.create(
        learner=learner,
        plan=plan,
        name="Aggression",
        definition="Any forceful contact of hand, foot or object with another person.",
        examples="Hitting, kicking, scratching, throwing an object at a person.",
        non_examples="High-fives; accidental contact during play; gentle tapping for attention.",
    )
    BehaviorDefinition.objects.create(
        learner=learner,
        plan=plan,
        name="Tantrum",
        definition="Crying, screaming or dropping to the floor for 5 seconds or more; ends "
        "after 10 seconds of calm.",
        examples="Screaming and flopping when the tablet is removed.",
        non_examples="Brief whining under 5 seconds; crying after an injury.",
    )
    goals = [
        b.goal(
            plan,
            "frequency",
            "Aggression",
            f"{first} will reduce aggression to fewer than 1 per hour across settings.",
            domain="behavior",
            direction="decrease",
            baseline_value=4,
            goal_value=0.5,
            settings={"rate_unit": "per_hour", "session_minutes": 120},
        ),
        b.goal(
            plan,
            "duration",
            "Tantrum duration",
            f"{first}'s tantrums will total less than 3 minutes per session.",
            domain="behavior",
            direction="decrease",
            baseline_value=14,
            goal_value=3,
        ),
        b.goal(
            plan,
            "whole_interval",
            "Appropriate play (whole interval)",
            f"{first} will play appropriately for 70% of 20-second intervals.",
            domain="social_emotional",
            baseline_value=25,
            goal_value=70,
            settings={"interval_seconds": 20, "session_minutes": 5},
        ),
    ]
    if safety:
        b.plan(
            learner,
            Plan.Kind.SAFETY,
            f"Safety / crisis plan — {first}",
            settings=["home", "community"],
            summary=(
                "Warning signs: pacing, humming loudly, pulling at clothing.\n"
                "1. Clear the area of other children and objects that can be thrown.\n"
                "2. Offer the calm-down kit and say 'break please' for them once.\n"
                "3. Keep 2 arm-lengths away; do not block the doorway.\n"
                "4. If head-banging lasts more than 30 seconds, place the cushion and call "
                "the BCBA.\n"
                "5. Call 911 if there is injury needing care. Parent: see contact sheet."
            ),
        )
    return goals


def spread_plan(b, learner, index):
    """One plan with one or two goals for a learner outside the two demo caseloads."""
    first = learner.first_name
    if learner.organization.learner_word == "client":
        plan = b.plan(learner, Plan.Kind.BIP, f"Behavior intervention plan — {first}")
        goals = [
            b.goal(
                plan,
                "frequency",
                "Elopement",
                f"{first} will stay in the session area with no elopement per session.",
                domain="behavior",
                direction="decrease",
                baseline_value=3,
                goal_value=0,
            )
        ]
        if index % 2:
            goals.append(
                b.goal(
                    plan,
                    "trials",
                    "Receptive labels",
                    f"{first} will touch named pictures independently at 80%.",
                    domain="communication",
                    baseline_value=20,
                    goal_value=80,
                    targets=["dog", "cup", "shoe", "ball", "car"],
                )
            )
        return goals
    tier = 2 if index % 3 else 3
    plan = b.plan(
        learner,
        Plan.Kind.RTI,
        f"Tier {tier} reading intervention — {first}",
        tier=tier,
        settings=["school"],
        summary="Small-group phonics (20 minutes, 4 days a week) with weekly fluency probes.",
    )
    goals = [
        b.goal(
            plan,
            "probe",
            "Oral reading fluency",
            f"{first} will read {60 + 10 * (index % 4)} words correct per minute on grade-level "
            "passages.",
            domain="academic",
            baseline_value=30 + index % 15,
            goal_value=60 + 10 * (index % 4),
            settings={"seconds": 60, "unit": "words correct per minute"},
        )
    ]
    if index % 4 == 0:
        goals.append(
            b.goal(
                plan,
                "rating",
                "Check-in/check-out card",
                f"{first} will earn 80% of CICO points daily.",
                domain="behavior",
                baseline_value=60,
                goal_value=80,
                settings={"rows": [{"label": label, "max": top} for label, top in POINT_CARD]},
            )
        )
    return goals


def build(people):
    b = PlanBuilder(people)
    for org in (people.district, people.agency):
        PromptHierarchy.objects.create(organization=org, levels=DEFAULT_PROMPT_LEVELS)
        AbcOption.objects.bulk_create(
            AbcOption(
                organization=org,
                kind=kind,
                label=label,
                code=_slug(label),
                order=i,
                function=ABC_FUNCTIONS.get(label, "")
                if kind in ("antecedent", "consequence")
                else "",
            )
            for kind, labels in ABC.items()
            for i, label in enumerate(labels)
        )
    assistant = User.objects.get(username="demo-assistant")
    technician = User.objects.get(username="demo-technician")
    featured = set()
    maple_caseload = Learner.objects.filter(assignments__staff__user=assistant).order_by("pk")
    for index, learner in enumerate(maple_caseload):
        school_iep(b, learner, version_two=index == 0)
        school_bip(b, learner)
        featured.add(learner.pk)
    clinic_caseload = Learner.objects.filter(assignments__staff__user=technician).order_by("pk")
    for index, learner in enumerate(clinic_caseload):
        clinic_isp(b, learner)
        clinic_bip(b, learner, safety=index % 2 == 0)
        featured.add(learner.pk)
    others = Learner.objects.exclude(pk__in=featured).select_related("organization")
    for index, learner in enumerate(others.order_by("pk")):
        spread_plan(b, learner, index)
    # A draft in progress, so the supervisor pages show one.
    learner = maple_caseload.first()
    if learner is not None:
        draft = b.plan(
            learner,
            Plan.Kind.SAFETY,
            f"Safety plan (draft) — {learner.first_name}",
            status=Plan.Status.DRAFT,
            settings=["school"],
            summary="Draft: steps to be agreed with the family at the next meeting.",
        )
        draft.approved_at = None
        draft.save(update_fields=["approved_at"])
