"""About 16 weeks of synthetic sessions and events for the demo plans (`trellis.plans.demo`).

Each goal follows a made-up learning curve: flat in baseline (3 weeks), then moving toward its aim
in intervention; about one goal in four moves too slowly and falls below its aim line. Targets of
trial goals are mastered over time (≥ 80% independent across 3 sessions), the next target then
entering acquisition. Some taps are voided with a reason, a few sessions have a second observer
for IOA, and the notes are signed (some co-signed, one amended). Everything goes in with
bulk_create so `trellis demo` stays fast.
"""

import random
import uuid
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from trellis.collect.models import Event, NoteAmendment, Session, SessionNote, Setting
from trellis.people.models import CaseAssignment, Learner
from trellis.plans.demo import WEEKS
from trellis.plans.models import (
    DEFAULT_PROMPT_LEVELS,
    AbcOption,
    Goal,
    Plan,
    Target,
    TargetStateChange,
)

RECORDER_ROLES = [
    CaseAssignment.CaseRole.TECHNICIAN,
    CaseAssignment.CaseRole.ASSISTANT,
    CaseAssignment.CaseRole.CASE_MANAGER,
]
CHECKER_ROLES = [
    CaseAssignment.CaseRole.BCBA,
    CaseAssignment.CaseRole.SPECIALIST,
    CaseAssignment.CaseRole.CASE_MANAGER,
]
PROMPTS = [level["code"] for level in DEFAULT_PROMPT_LEVELS]
NOTES = {
    "what_was_done": [
        "Ran the planned programs at the table and during centers; break card available.",
        "Reviewed the visual schedule, then worked through trials with token board.",
        "Session in the usual room; practiced routines and ran the fluency probe.",
        "Community outing to the library; practiced requesting and waiting.",
    ],
    "learner_response": [
        "Engaged for most of the session; needed prompts after the break.",
        "Responded well to praise; a few errors on new targets, corrected with a model.",
        "Tired today; shorter work periods helped.",
        "Great session — independent on the familiar targets.",
    ],
    "anything_unusual": ["", "", "", "Fire drill at 10:15; session resumed after 10 minutes."],
}


class Curve:
    """A goal's simulated level per session date.

    On-track goals move along their aim line (baseline median at mid-baseline → goal value at
    the goal date), so their points scatter around it and the decision rules mostly say
    "continue"; about one goal in five runs ahead (→ "raise the goal") and one in four too
    slowly (→ "change the intervention").
    """

    def __init__(self, goal, rng, start):
        self.rng = rng
        base = goal.baseline_value
        aim = goal.goal_value
        defaults = {"trials": (20, 80), "task_analysis": (20, 100), "rating": (55, 80)}
        fallback = defaults.get(goal.measure, (5, 1) if goal.direction == "decrease" else (1, 5))
        self.base = base if base is not None else fallback[0]
        self.aim = aim if aim is not None else fallback[1]
        self.intervention = start + timedelta(weeks=3)
        self.anchor = start + timedelta(days=10)  # the middle of the baseline phase
        self.goal_date = goal.goal_date or start + timedelta(days=365)
        self.speed = rng.choice([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.8, 1.8, 0.35, 0.35, 0.35, 0.35])

    def level(self, day):
        if day < self.intervention:
            return self.base
        span = max(1, (self.goal_date - self.anchor).days)
        progress = min(1.0, self.speed * (day - self.anchor).days / span)
        return self.base + (self.aim - self.base) * progress


def _noise(rng, value, spread):
    return value + rng.gauss(0, spread)


def _pct(rng, level):
    return max(0.02, min(0.98, _noise(rng, level, 8) / 100))


class DataBuilder:
    def __init__(self, seed=505):
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.start = self.today - timedelta(weeks=WEEKS)
        self.sessions, self.session_goals, self.events = [], [], []
        self.notes, self.amendments = [], []
        self.abc = defaultdict(list)
        for option in AbcOption.objects.all():
            self.abc[(option.organization_id, option.kind)].append(option.code)
        # Per target lineage: simulated level, consecutive sessions at criterion, state.
        self.target_level = {}
        self.target_streak = defaultdict(int)
        self.target_state = {}
        self.state_changes = []

    def new_event(self, session, goal, kind, value, at, *, target=None, voids=None):
        event = Event(
            id=uuid.uuid4(),
            session_id=session.pk,
            goal_id=goal.pk,
            target_id=target,
            kind=kind,
            value=value,
            recorded_at=at,
            received_at=at + timedelta(seconds=self.rng.choice([2, 5, 40, 3600])),
            recorded_by_id=session.recorded_by_id,
            voids_id=voids,
        )
        self.events.append(event)
        return event

    # --- one goal in one session -----------------------------------------------------------

    def record(self, session, goal, curve, day, at, targets):
        rng = self.rng
        level = curve.level(day)
        m = goal.measure
        settings = goal.measure_settings
        step = timedelta(seconds=rng.randint(20, 90))
        if m == "frequency":
            minutes = settings.get("session_minutes")
            expected = level * (minutes / 60 if settings.get("rate_unit") == "per_hour" else 1)
            for _ in range(max(0, round(_noise(rng, expected, 1.2)))):
                at += step
                self.new_event(session, goal, "count", {"n": 1}, at)
                if rng.random() < 0.04:
                    at += timedelta(seconds=1)
                    twice = self.new_event(session, goal, "count", {"n": 1}, at)
                    self.new_event(
                        session, goal, "void", {"reason": "Tapped twice"}, at, voids=twice.id
                    )
        elif m == "duration":
            total = max(0.0, _noise(rng, level, 2)) * 60000
            pieces = rng.randint(1, 3)
            for _ in range(pieces if total > 0 else 0):
                at += step * 3
                self.new_event(session, goal, "duration", {"ms": int(total / pieces)}, at)
        elif m == "latency":
            for _ in range(5):
                at += step
                ms = int(max(0.5, rng.expovariate(1 / max(level, 0.5))) * 1000)
                self.new_event(session, goal, "latency", {"ms": ms}, at)
        elif m in ("partial_interval", "whole_interval", "momentary_time_sampling"):
            count = int(settings["session_minutes"] * 60 / settings["interval_seconds"])
            p = _pct(rng, level)
            for index in range(count):
                at += timedelta(seconds=settings["interval_seconds"])
                value = {"index": index, "scored": rng.random() < p}
                self.new_event(session, goal, "interval", value, at)
        elif m == "trials":
            self.record_trials(session, goal, day, at, targets)
        elif m == "task_analysis":
            p = _pct(rng, level)
            for number in range(1, len(settings["steps"]) + 1):
                at += step
                prompt = "independent" if rng.random() < p else rng.choice(PROMPTS[1:4])
                self.new_event(session, goal, "step", {"step": number, "prompt": prompt}, at)
        elif m == "probe":
            score = max(0, round(_noise(rng, level, 4)))
            errors = rng.randint(0, 6)
            self.new_event(session, goal, "probe", {"score": score, "errors": errors}, at + step)
        elif m == "rating":
            p = _pct(rng, level)
            for number, row in enumerate(settings["rows"], 1):
                top = row["max"]
                points = max(0, min(top, round(_noise(rng, p * top, 0.5))))
                value = {"row": number, "points": points, "max": top}
                self.new_event(session, goal, "rating", value, at + step * number)
        elif m == "abc":
            org = goal.plan.learner.organization.parent_id or goal.plan.learner.organization_id
            for _ in range(rng.choice([0, 0, 1, 1, 2])):
                at += step * 4
                pick = {
                    kind: rng.choice(self.abc.get((org, kind)) or ["other"])
                    for kind in ("antecedent", "behavior", "consequence", "setting")
                }
                if rng.random() < 0.3:
                    pick["note"] = rng.choice(
                        ["During math block.", "Peer involved.", "After lunch, tired."]
                    )
                self.new_event(session, goal, "abc", pick, at)

    def record_trials(self, session, goal, day, at, targets):
        """Trials on the targets in acquisition, one maintenance check on a mastered one."""
        rng = self.rng
        active = [t for t in targets if self.target_state[t.lineage] == Target.State.ACQUISITION]
        mastered = [t for t in targets if self.target_state[t.lineage] == Target.State.MASTERED]
        if not active and not mastered:
            return
        per = goal.measure_settings.get("trials_per_session") or 10
        for target in active:
            level = self.target_level.setdefault(target.lineage, rng.uniform(0.1, 0.3))
            correct_independent = 0
            n = max(3, per // max(1, len(active)))
            for _ in range(n):
                at += timedelta(seconds=rng.randint(15, 40))
                if rng.random() < level:
                    value = {"result": "correct", "prompt": "independent"}
                    correct_independent += 1
                elif rng.random() < 0.7:
                    value = {"result": "correct", "prompt": rng.choice(PROMPTS[1:])}
                else:
                    value = {"result": rng.choice(["incorrect", "no_response"]), "prompt": None}
                trial = self.new_event(session, goal, "trial", value, at, target=target.pk)
                if rng.random() < 0.02:
                    self.new_event(
                        session,
                        goal,
                        "void",
                        {"reason": "Recorded on the wrong target"},
                        at,
                        target=target.pk,
                        voids=trial.id,
                    )
            # Learning: slower for goals below their aim line.
            self.target_level[target.lineage] = min(0.97, level + rng.uniform(0.005, 0.045))
            if 100 * correct_independent / n >= 80:
                self.target_streak[target.lineage] += 1
            else:
                self.target_streak[target.lineage] = 0
            if self.target_streak[target.lineage] >= 3:
                self.advance(target, targets, day)
        for target in mastered[-1:]:
            at += timedelta(seconds=30)
            value = {"result": "correct", "prompt": "independent"}
            self.new_event(session, goal, "trial", value, at, target=target.pk)

    def advance(self, target, targets, day):
        self.target_state[target.lineage] = Target.State.MASTERED
        self.state_changes.append(
            (target.lineage, "acquisition", "mastered", day, "≥ 80% independent across 3 sessions")
        )
        for candidate in targets:
            if self.target_state[candidate.lineage] == Target.State.BASELINE:
                self.target_state[candidate.lineage] = Target.State.ACQUISITION
                self.state_changes.append(
                    (candidate.lineage, "baseline", "acquisition", day, "Next target introduced")
                )
                break

    # --- sessions --------------------------------------------------------------------------

    def learner_sessions(self, learner, goals, recorder, checker, featured):
        tz = ZoneInfo(learner.organization.time_zone)
        windows = []
        for goal in goals:
            plan = goal.plan
            begins = plan.starts_on or self.start
            ends = None
            if plan.status == Plan.Status.SUPERSEDED:
                ends = plan.superseded_by.starts_on
            windows.append((goal, begins, ends))
        curves = {}
        targets = defaultdict(list)
        for goal in goals:
            curves.setdefault(goal.lineage, Curve(goal, self.rng, self.start))
            for target in goal.targets.all():
                targets[goal.pk].append(target)
                self.target_state.setdefault(target.lineage, target.state)
        weekdays = (0, 2, 4) if featured else (1, 3)
        setting = Setting.CLINIC if learner.organization.learner_word == "client" else "school"
        day = self.start
        number = 0
        while day < self.today:
            if day.weekday() in weekdays:
                number += 1
                start = datetime.combine(day, time(9 + self.rng.randint(0, 4), 0), tzinfo=tz)
                start += timedelta(minutes=self.rng.choice([0, 10, 20, 30, 45]))
                running = [g for g, b, e in windows if b <= day and (e is None or day < e)]
                weekly = day.weekday() == weekdays[0]
                running = [g for g in running if g.measure != "probe" or weekly]
                if running:
                    session = self.session(learner, recorder, start, running, setting)
                    first_event = len(self.events)
                    at = start
                    for goal in running:
                        self.record(session, goal, curves[goal.lineage], day, at, targets[goal.pk])
                        at += timedelta(minutes=3)
                    session.ended_at = at + timedelta(minutes=5)
                    if featured:
                        self.note(
                            session, recorder, checker, last=day >= self.today - timedelta(days=4)
                        )
                    if featured and checker and number % 8 == 4:
                        mine = self.events[first_event:]
                        self.second_observer(session, checker, running, mine, start)
            day += timedelta(days=1)

    def session(self, learner, recorder, start, goals, setting, primary=None):
        session = Session(
            id=uuid.uuid4(),
            learner=learner,
            started_at=start,
            setting=setting,
            recorded_by=recorder,
            primary_session=primary,
        )
        self.sessions.append(session)
        for goal in goals:
            self.session_goals.append(Session.goals.through(session_id=session.pk, goal_id=goal.pk))
        return session

    def second_observer(self, primary, checker, goals, primary_events, start):
        """A supervisor records the same sitting independently, for IOA."""
        checked = [
            g for g in goals if g.measure in ("frequency", "partial_interval", "whole_interval")
        ]
        if not checked:
            return
        session = self.session(
            primary.learner, checker, start, checked, primary.setting, primary=primary
        )
        for event in [e for e in primary_events if e.kind != "void"]:
            if event.goal_id not in {g.pk for g in checked}:
                continue
            value = dict(event.value)
            if event.kind == "interval" and self.rng.random() < 0.08:
                value["scored"] = not value["scored"]
            if event.kind == "count" and self.rng.random() < 0.1:
                continue
            goal = next(g for g in checked if g.pk == event.goal_id)
            self.new_event(session, goal, event.kind, value, event.recorded_at)
        session.ended_at = primary.ended_at

    def note(self, session, recorder, checker, *, last):
        rng = self.rng
        note = SessionNote(
            session_id=session.pk,
            written_by=recorder,
            **{field: rng.choice(texts) for field, texts in NOTES.items()},
        )
        if not last:
            signed = session.started_at + timedelta(hours=rng.randint(1, 6))
            note.signed_by, note.signed_at = recorder, signed
            note.signed_name = recorder.get_full_name()
            # A supervisor keeps up: notes older than two weeks are co-signed, about half of
            # the recent ones wait in their queue.
            caught_up = session.started_at.date() < self.today - timedelta(days=14)
            cosigned = signed + timedelta(days=rng.randint(1, 4))
            if checker and cosigned < timezone.now() and (caught_up or rng.random() < 0.5):
                note.cosigned_by = checker
                note.cosigned_at = cosigned
                note.cosigned_name = checker.get_full_name()
        self.notes.append(note)

    def save(self):
        Session.objects.bulk_create(self.sessions, batch_size=500)
        Session.goals.through.objects.bulk_create(self.session_goals, batch_size=1000)
        Event.objects.bulk_create(self.events, batch_size=2000)
        SessionNote.objects.bulk_create(self.notes, batch_size=500)
        # One amendment, so the history of a signed note can be seen.
        signed = SessionNote.objects.filter(signed_at__isnull=False).order_by("pk").first()
        if signed is not None:
            NoteAmendment.objects.create(
                note=signed,
                field="anything_unusual",
                previous_text=signed.anything_unusual,
                new_text="Learner reported a headache at 10:40; nurse informed, returned at 11:00.",
                reason="Added what the nurse's log shows; left out by mistake.",
                by=signed.signed_by,
                at=signed.signed_at + timedelta(days=1),
            )
        self.save_target_states()

    def save_target_states(self):
        rows = defaultdict(list)
        for target in Target.objects.select_related("goal__plan"):
            rows[target.lineage].append(target)
        changes = []
        latest = {}
        for lineage, before, after, day, reason in self.state_changes:
            latest[lineage] = (after, day)
            for target in rows[lineage]:
                if target.goal.plan.status != Plan.Status.SUPERSEDED:
                    changes.append(
                        TargetStateChange(
                            target=target, from_state=before, to_state=after, on=day, reason=reason
                        )
                    )
        TargetStateChange.objects.bulk_create(changes, batch_size=1000)
        updated = []
        for lineage, (state, day) in latest.items():
            for target in rows[lineage]:
                target.state, target.state_since = state, day
                updated.append(target)
        Target.objects.bulk_update(updated, ["state", "state_since"], batch_size=500)


def _by_role(learner, roles):
    assignments = {a.role: a.staff.user for a in learner.active_assignments()}
    return next((assignments[r] for r in roles if r in assignments), None)


def build(people):
    builder = DataBuilder()
    featured_users = User.objects.filter(username__in=["demo-assistant", "demo-technician"])
    featured = set(
        Learner.objects.filter(assignments__staff__user__in=featured_users).values_list(
            "pk", flat=True
        )
    )
    goals_of = defaultdict(list)
    goals = (
        Goal.objects.filter(plan__status__in=[Plan.Status.APPROVED, Plan.Status.SUPERSEDED])
        .select_related("plan__learner__organization", "plan__superseded_by")
        .prefetch_related("targets")
        .order_by("plan__learner_id", "plan__version", "order", "pk")
    )
    for goal in goals:
        goals_of[goal.plan.learner_id].append(goal)
    learners = Learner.objects.filter(pk__in=goals_of).select_related("organization")
    for learner in learners.order_by("pk"):
        recorder = _by_role(learner, RECORDER_ROLES)
        if recorder is None:
            continue
        checker = _by_role(learner, CHECKER_ROLES)
        builder.learner_sessions(
            learner, goals_of[learner.pk], recorder, checker, learner.pk in featured
        )
    builder.save()
    return builder
