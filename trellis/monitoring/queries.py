"""Reading for the monitoring pages: access-checked fetches, a goal's graph data, the caseload
dashboard rows, and the IOA, FBA and effect-size tables (numbers from `trellis.analysis`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from trellis.analysis import effect_sizes, fba, ioa, progress, summaries
from trellis.analysis._base import AnalysisError
from trellis.audit.log import record
from trellis.collect.models import Event, Session
from trellis.collect.queries import goal_data_points, unit_of
from trellis.monitoring import graphs
from trellis.monitoring.models import Flag, NormBand, Recommendation
from trellis.monitoring.status import run_rules
from trellis.people.access import is_staff_for, learner_ids_sql, staff_of
from trellis.people.models import CaseAssignment, Learner, Organization, StaffMember
from trellis.plans.access import get_goal_or_404  # noqa: F401 - re-exported for the views
from trellis.plans.models import (
    INTERVAL_MEASURES,
    AbcOption,
    BehaviorDefinition,
    Measure,
    Plan,
)

# --- fetches ------------------------------------------------------------------------------


def get_recommendation_or_404(request, rec_id, *, audit_action="recommendation.view"):
    rec = (
        Recommendation.objects.select_related("goal__plan", "learner__organization", "target")
        .filter(pk=rec_id)
        .first()
    )
    if rec is None or not is_staff_for(request.user, rec.learner):
        record(
            audit_action,
            learner=rec.learner if rec else None,
            result="denied",
            detail={"recommendation_id": str(rec_id), "path": request.path},
        )
        raise Http404("Not found.")
    return rec


# --- graphs -------------------------------------------------------------------------------

PERCENT_MEASURES = INTERVAL_MEASURES | {
    Measure.TRIALS,
    Measure.TASK_ANALYSIS,
    Measure.RATING,
}


def chart_kinds(goal):
    """The graphs a goal offers: the line graph always; the celeration chart for frequency
    (count or rate); the probe graph for CBM probes."""
    kinds = [("line", "Line graph")]
    if goal.measure == Measure.FREQUENCY:
        kinds.append(("celeration", "Standard celeration chart"))
    if goal.measure == Measure.PROBE:
        kinds.insert(0, ("probe", "Probe (CBM) graph"))
    return kinds


def _session_minutes(goal, session_ids):
    fixed = goal.measure_settings.get("session_minutes")
    out = {}
    for s in Session.objects.filter(pk__in=session_ids).only("pk", "started_at", "ended_at"):
        if fixed:
            out[str(s.pk)] = float(fixed)
        elif s.ended_at and s.ended_at > s.started_at:
            out[str(s.pk)] = (s.ended_at - s.started_at).total_seconds() / 60
    return out


def graph_context(goal, *, today=None):
    """(GraphData, Evaluation, rule inputs) for a goal, from collect's data points."""
    ev, (points, phases, targets) = run_rules(goal, points=goal_data_points(goal), today=today)
    own = [p for p in points if p.target is None]
    learner = goal.plan.learner
    unit = unit_of(goal)
    data = graphs.GraphData(
        title=goal.name,
        unit=unit,
        points=own,
        phases=phases,
        targets=targets,
        aim=ev.aim,
        trend=ev.trend,
        trend_dates=ev.trend_dates,
        trend_per_week=ev.trend_per_week,
        goal_value=goal.goal_value,
        goal_date=goal.goal_date,
        mastery=sorted({t.mastery_percent for t in targets})
        if goal.measure in PERCENT_MEASURES
        else [],
        summed=goal.measure == Measure.FREQUENCY and unit == "count",
    )
    if goal.measure == Measure.FREQUENCY:
        data.minutes = _session_minutes(goal, {p.session for p in own})
    if goal.measure == Measure.PROBE:
        bands = NormBand.for_learner(learner, unit)
        data.norms = {season: (b.p25, b.p50, b.p75) for season, b in bands.items()}
        data.norms_source = next((b.source for b in bands.values() if b.source), "")
    return data, ev, (points, phases, targets)


def draw(goal_data, kind, per, *, celeration=None):
    if kind == "celeration":
        return graphs.celeration_chart(goal_data, celeration)
    if kind == "probe":
        return graphs.probe_chart(goal_data, per=per)
    return graphs.line_chart(goal_data, per=per)


def describe(data, ev, kind):
    """The <desc> of a graph: what a sighted reader takes from it, in words."""
    parts = [f"{len(data.points)} data points in {data.unit}."]
    if data.phases:
        parts.append("Phases: " + ", ".join(f"{p.name} from {p.starts_on}" for p in data.phases))
    if ev.latest_value is not None:
        parts.append(f"Latest value {ev.latest_value:g} on {ev.latest_date}.")
    if ev.trend_per_week is not None:
        parts.append(f"Trend {ev.trend_per_week:+.2f} per week in the current phase.")
    if ev.aim is not None:
        parts.append(
            f"Aim line from {ev.aim.start_value:g} to the goal {ev.aim.goal_value:g} by "
            f"{ev.aim.goal_date} ({ev.aim.slope_per_week:+.2f} per week)."
        )
    if kind == "celeration":
        parts.append("Standard celeration chart, counts per minute on a logarithmic scale.")
    return " ".join(parts)


# --- the dashboard ------------------------------------------------------------------------

# Up to this many learners the dashboard reads their ids once and passes the list to its
# queries (the access rule's subquery then runs once per request instead of once per query).
ID_LIST_LIMIT = 2000


def visible_learners(user):
    """The active learners the user may see, to reuse within a request: a list of ids for a
    caseload, the subquery itself for a large organization."""
    sql, params = learner_ids_sql(user, active_only=True)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {ID_LIST_LIMIT + 1}", params)
        ids = sorted(row[0] for row in cursor.fetchall())
    if len(ids) <= ID_LIST_LIMIT:
        return ids
    return Learner.objects.filter(pk__in=RawSQL(sql, params)).values("pk")


def in_learners(visible, field="learner_id"):
    """`learner_id IN visible` with the id list as ONE parameter (a PostgreSQL array, a JSON
    array on SQLite): two hundred bound parameters cost more Python time (Django's lookup, the
    driver's query splitting) than the whole query takes in the database."""
    if not isinstance(visible, list):
        return Q(**{f"{field}__in": visible})
    return Q(**{f"{field}__in": RawSQL(*_ids_sql(visible))})


def _ids_sql(visible):
    """(SQL, params) selecting the ids of `visible` (a list of ids, or a queryset of pks)."""
    if not isinstance(visible, list):
        return visible.query.sql_with_params()
    if connection.vendor == "postgresql":
        # An array literal as text: psycopg dumps a Python list element by element.
        return "SELECT unnest(%s::bigint[])", ["{" + ",".join(map(str, visible)) + "}"]
    return "SELECT value FROM json_each(%s)", [json.dumps(visible)]


# The dashboard's query is written in SQL: building and compiling it with the ORM (joins,
# five window sums, the filters) took more CPU than PostgreSQL takes to run it, on every page
# and table swap (bench/bench_dashboard.py). It reads what the benchmark's baseline query reads,
# plus the flag counts, which ride along as window sums over every matching row (computed
# before LIMIT). The page is chosen on narrow rows (ids and sort keys) and only its 100 rows are
# joined to their names and explanations: a fifth (PostgreSQL) to a quarter (SQLite) less
# time than sorting every wide row.
ROW_KEYS = (
    "goal_id",
    "goal_name",
    "learner_id",
    "learner_first_name",
    "learner_last_name",
    "organization_name",
    "tier",
    "latest_value",
    "latest_date",
    "unit",
    "trend_per_week",
    "aim_per_week",
    "flag",
    "explanation",
    "direction",
)
DASHBOARD_FROM = """
FROM monitoring_goalstatus gs
JOIN plans_goal g ON g.id = gs.goal_id
JOIN plans_plan p ON p.id = g.plan_id
"""
DASHBOARD_FLAGS = ["", *Flag.values]
_COUNTS = [
    f"SUM(CASE WHEN gs.flag = %s THEN 1 ELSE 0 END) OVER () AS n{i}"
    for i, _ in enumerate(DASHBOARD_FLAGS)
]
DASHBOARD_PAGE = f"""
WITH page AS (
    SELECT gs.id, {", ".join(_COUNTS)}
    {DASHBOARD_FROM}
    JOIN people_learner l ON l.id = gs.learner_id
    {{join_organization}}
    WHERE {{where}}
    ORDER BY {{order}}
    LIMIT %s OFFSET %s
)
SELECT gs.goal_id, g.name, gs.learner_id, l.first_name, l.last_name, o.name, gs.tier,
       gs.latest_value, gs.latest_date, gs.unit, gs.trend_per_week, gs.aim_per_week,
       gs.flag, gs.explanation, g.direction,
       {", ".join(f"page.n{i}" for i, _ in enumerate(DASHBOARD_FLAGS))}
FROM page
JOIN monitoring_goalstatus gs ON gs.id = page.id
JOIN plans_goal g ON g.id = gs.goal_id
JOIN people_learner l ON l.id = gs.learner_id
JOIN people_organization o ON o.id = gs.organization_id
ORDER BY {{order}}
"""
SORTS = {
    "learner": "l.last_name, l.first_name, g.name",
    "goal": "g.name, l.last_name",
    "flag": "gs.flag_rank, gs.latest_date, l.last_name",
    "latest": "gs.latest_value DESC, l.last_name",
    "trend": "gs.trend_per_week DESC, l.last_name",
    "days": "gs.latest_date, l.last_name",
    "school": "o.name, l.last_name",
}


def dashboard_where(visible, *, school=None, tier=None, staff=None, flag=None):
    """(SQL condition, params) for the current goals of the visible learners, filtered by
    school, tier, staff (an active case assignment) and flag ("any", "none" or a flag)."""
    ids, params = _ids_sql(visible)
    where = [f"p.status = %s AND gs.learner_id IN ({ids})"]
    params = [Plan.Status.APPROVED.value, *params]
    if school:
        where.append("gs.organization_id = %s")
        params.append(school)
    if tier:
        where.append("gs.tier = %s")
        params.append(tier)
    if staff:
        # The assignment rule stays in CaseAssignment.active (compiled only for this filter).
        sql, more = (
            CaseAssignment.objects.active()
            .filter(staff_id=staff)
            .values("learner_id")
            .query.sql_with_params()
        )
        where.append(f"gs.learner_id IN ({sql})")
        params += more
    if flag == "any":
        where.append("gs.flag <> ''")
    elif flag == "none":
        where.append("gs.flag = ''")
    elif flag in Flag.values:
        where.append("gs.flag = %s")
        params.append(flag)
    return " AND ".join(where), params


def _date(value):
    # SQLite hands a date column back as text.
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def dashboard_page(visible, *, page=1, size=100, sort="flag", **filters):
    """One page of rows (dicts of ROW_KEYS) and the flag counts of ALL matching rows, in one
    query. A page past the end (no rows, so no counts) costs a count query and a re-read of
    the last page. Returns (rows, counts, page)."""
    where, params = dashboard_where(visible, **filters)
    order = SORTS.get(sort, SORTS["flag"])
    sql = DASHBOARD_PAGE.format(
        where=where,
        order=order,
        # Only the school sort needs the organization to choose the page.
        join_organization="JOIN people_organization o ON o.id = gs.organization_id"
        if order == SORTS["school"]
        else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*DASHBOARD_FLAGS, *params, size, (page - 1) * size])
        found = cursor.fetchall()
        if not found:
            cursor.execute(
                f"SELECT gs.flag, COUNT(*) {DASHBOARD_FROM} WHERE {where} GROUP BY gs.flag",
                params,
            )
            counts = dict(cursor.fetchall())
            last = max(1, -(-sum(counts.values()) // size))
            if page <= last:
                return [], counts, page
            return dashboard_page(visible, page=last, size=size, sort=sort, **filters)
    width = len(ROW_KEYS)
    counts = {value: n for value, n in zip(DASHBOARD_FLAGS, found[0][width:], strict=True) if n}
    rows = []
    for row in found:
        row = dict(zip(ROW_KEYS, row[:width], strict=True))
        row["latest_date"] = _date(row["latest_date"])
        rows.append(row)
    return rows, counts, page


def dashboard_filters(user, visible=None):
    """Choices for the school and staff filters, from the learners the user may see:
    ([(organization id, name)], [(staff id, name)]).

    Cached for a caseload (a list of ids): two queries and their model instances cost more
    than the dashboard's own rows, and the choices change rarely. The key names the learner
    ids and the day (assignments start and end by date), so a change in what the user may see
    is never served from the cache; a change to a name or an assignment clears it
    (`signals.py`), and FILTERS_TTL bounds what another process may still hold. The choices
    are labels only: the rows are always read with the user's access rule."""
    visible = visible_learners(user) if visible is None else visible
    if not isinstance(visible, list):
        return _dashboard_filters(visible)
    today = timezone.localdate()
    digest = hashlib.sha1(",".join(map(str, visible)).encode()).hexdigest()
    key = f"monitoring:filters:{cache.get(FILTERS_VERSION, 0)}:{today}:{digest}"
    found = cache.get(key)
    if found is None:
        found = _dashboard_filters(visible, today)
        cache.set(key, found, FILTERS_TTL)
    return found


FILTERS_VERSION = "monitoring:filters:version"
FILTERS_TTL = 300  # seconds


def forget_dashboard_filters():
    """Drop every cached set of filter choices (a new version makes the old keys unreachable)."""
    try:
        cache.incr(FILTERS_VERSION)
    except ValueError:
        cache.set(FILTERS_VERSION, 1, None)


def _dashboard_filters(visible, today=None):
    schools = list(
        Organization.objects.filter(
            pk__in=Learner.objects.filter(in_learners(visible, "pk")).values("organization_id")
        )
        .order_by("name")
        .values_list("pk", "name")
    )
    staff = [
        (pk, f"{first} {last}".strip() or username)
        for pk, first, last, username in StaffMember.objects.filter(
            pk__in=CaseAssignment.objects.active(today)
            .filter(in_learners(visible))
            .values("staff_id")
        )
        .order_by("user__last_name", "user__first_name")
        .values_list("pk", "user__first_name", "user__last_name", "user__username")
    ]
    return schools, staff


# --- IOA ----------------------------------------------------------------------------------


def _corrected(rows):
    try:
        return summaries.apply_voids(rows)
    except AnalysisError:
        return [r for r in rows if r["kind"] != "void"]


def _session_events(session_ids):
    by = defaultdict(list)
    for r in (
        Event.objects.filter(session_id__in=session_ids)
        .order_by("recorded_at")
        .values(
            "id",
            "session_id",
            "goal__lineage",
            "target__lineage",
            "kind",
            "value",
            "voids_id",
            "recorded_at",
        )
    ):
        by[(r["session_id"], r["goal__lineage"])].append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "value": r["value"],
                "voids": r["voids_id"],
                "recorded_at": r["recorded_at"],
                "target": r["target__lineage"],
            }
        )
    return {k: _corrected(v) for k, v in by.items()}


def _interval_record(events, count):
    scored = {int(e["value"].get("index", -1)) for e in events if e["value"].get("scored")}
    return [1 if i in scored else 0 for i in range(count)]


def count_blocks(events, start, end, *, seconds=60):
    """Counts per block of `seconds` of the session from `start` to `end`: every block of the
    session, those with no count included (an event stamped outside the session falls in the
    first or last block)."""
    length = max(1, math.ceil((end - start).total_seconds() / seconds))
    counts = [0] * length
    for e in events:
        index = int((e["recorded_at"] - start).total_seconds() // seconds)
        counts[min(max(index, 0), length - 1)] += int(e["value"].get("n", 1))
    return counts


def _trial_records(events, key):
    """Each observer's trials in order, per target (trial n of a target is paired with trial n
    of the same target), as comparable labels."""
    by_target = defaultdict(list)
    for e in events:
        by_target[e.get("target")].append(str(e["value"].get(key)))
    return by_target


def _step_records(events):
    """Step number -> the prompt level it was scored at (a step scored twice: the last)."""
    return {int(e["value"].get("step", 0)): str(e["value"].get("prompt")) for e in events}


def ioa_methods(goal, primary, second, *, start=None, end=None):
    """Agreement between two observers' corrected events for one goal, by every IOA method
    that fits the measure: [(method label, percent or None, note)]. `start` and `end` are the
    observed session's bounds (per-interval count methods use its 1-minute blocks)."""
    out = []

    def run(label, fn, *args):
        try:
            out.append((label, fn(*args), ""))
        except AnalysisError as error:
            out.append((label, None, str(error)))

    m = goal.measure
    if m == Measure.FREQUENCY:
        a = sum(int(e["value"].get("n", 1)) for e in primary)
        b = sum(int(e["value"].get("n", 1)) for e in second)
        run("Total count", ioa.total_count, a, b)
        times = [e["recorded_at"] for e in primary + second]
        start = start or min(times, default=None)
        end = end or max(times, default=None)
        if start is not None and end is not None:
            # The session's own 1-minute blocks, from its start to its end.
            blocks = [count_blocks(evs, start, max(end, start)) for evs in (primary, second)]
            run("Mean count-per-interval (1-minute blocks)", ioa.mean_count_per_interval, *blocks)
            run("Exact count-per-interval (1-minute blocks)", ioa.exact_count_per_interval, *blocks)
    elif m in (Measure.DURATION, Measure.LATENCY):
        a = [e["value"].get("ms", 0) for e in primary]
        b = [e["value"].get("ms", 0) for e in second]
        run("Total duration", ioa.total_duration, a, b)
        if len(a) == len(b):
            run("Mean duration-per-occurrence", ioa.mean_duration_per_occurrence, a, b)
        else:
            out.append(
                (
                    "Mean duration-per-occurrence",
                    None,
                    f"The observers recorded {len(a)} and {len(b)} occurrences.",
                )
            )
    elif m in INTERVAL_MEASURES:
        settings = goal.measure_settings
        count = int(settings.get("session_minutes", 0) * 60 // settings.get("interval_seconds", 1))
        indexes = [int(e["value"].get("index", 0)) for e in primary + second]
        count = max(count, max(indexes, default=-1) + 1)
        a, b = _interval_record(primary, count), _interval_record(second, count)
        run("Interval-by-interval", ioa.interval_by_interval, a, b)
        run("Scored-interval", ioa.scored_interval, a, b)
        run("Unscored-interval", ioa.unscored_interval, a, b)
    elif m == Measure.TRIALS:
        # Trial n of a target pairs with trial n of the same target; a trial only one
        # observer recorded is a disagreement.
        a, b = _trial_records(primary, "result"), _trial_records(second, "result")
        pairs = [
            pair
            for t in sorted({*a, *b}, key=str)
            for pair in itertools.zip_longest(a.get(t, []), b.get(t, []), fillvalue="not recorded")
        ]
        run("Trial-by-trial", ioa.trial_by_trial, [p[0] for p in pairs], [p[1] for p in pairs])
    elif m == Measure.TASK_ANALYSIS:
        # Each step is one trial, scored by its prompt level; steps pair by number.
        a, b = _step_records(primary), _step_records(second)
        steps = sorted({*a, *b})
        run(
            "Trial-by-trial (steps)",
            ioa.trial_by_trial,
            [a.get(step, "not scored") for step in steps],
            [b.get(step, "not scored") for step in steps],
        )
    elif m == Measure.PROBE:
        a = sum(float(e["value"].get("score", 0)) for e in primary)
        b = sum(float(e["value"].get("score", 0)) for e in second)
        run("Total count (probe score)", ioa.total_count, a, b)
    return out


IOA_THRESHOLD = 80.0


def learner_ioa(learner):
    """Per goal: coverage (share of primary sessions with a second observer) and the
    agreement of each checked session by every applicable method."""
    primaries = Session.objects.filter(learner=learner, primary_session__isnull=True)
    seconds = list(
        Session.objects.filter(primary_session__learner=learner)
        .select_related("recorded_by", "primary_session__recorded_by")
        .prefetch_related("goals")
        .order_by("started_at")
    )
    events = _session_events([s.pk for s in seconds] + [s.primary_session_id for s in seconds])
    sessions_with_data = Counter()
    for goal_lineage, _session_id in (
        Event.objects.filter(session__in=primaries)
        .values_list("goal__lineage", "session_id")
        .order_by()
        .distinct()
    ):
        sessions_with_data[goal_lineage] += 1
    goals = (
        learner.plans.filter(status=Plan.Status.APPROVED).prefetch_related("goals").order_by("kind")
    )
    out = []
    for plan in goals:
        for goal in plan.goals.all():
            if goal.measure == Measure.ABC:
                continue
            checks = []
            for s in seconds:
                # Only goals the second observer recorded for: a goal of the primary session
                # that the second observer did not take is not a disagreement.
                if goal.lineage not in {g.lineage for g in s.goals.all()}:
                    continue
                primary = events.get((s.primary_session_id, goal.lineage), [])
                second = events.get((s.pk, goal.lineage), [])
                if not primary and not second:
                    continue
                observed = s.primary_session
                methods = ioa_methods(
                    goal,
                    primary,
                    second,
                    start=observed.started_at,
                    end=observed.ended_at or s.ended_at,
                )
                checks.append({"session": s, "methods": methods})
            total = sessions_with_data[goal.lineage]
            out.append(
                {
                    "goal": goal,
                    "sessions": total,
                    "checked": len(checks),
                    "coverage": (100.0 * len(checks) / total) if total else None,
                    "checks": checks,
                }
            )
    return out


# --- FBA ----------------------------------------------------------------------------------

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def learner_abc(learner):
    """The learner's corrected ABC records with their local time."""
    tz = ZoneInfo(learner.organization.time_zone)
    rows = [
        {
            "id": r["id"],
            "kind": r["kind"],
            "value": r["value"],
            "voids": r["voids_id"],
            "recorded_at": r["recorded_at"],
        }
        for r in Event.objects.filter(
            goal__plan__learner=learner,
            kind__in=["abc", "void"],
            session__primary_session__isnull=True,
        )
        .order_by("recorded_at")
        .values("id", "kind", "value", "voids_id", "recorded_at")
    ]
    kept = [r for r in _corrected(rows) if r["kind"] == "abc"]
    for r in kept:
        r["local"] = r["recorded_at"].astimezone(tz)
    return kept


def abc_vocabulary(learner):
    """What the learner's ABC records mean, from the organization's pick lists (hidden
    options too: recorded events keep their codes) and the learner's defined behaviors:

    - ``names``: (kind, any spelling of an option's code or label) -> the option's label
      (what the report shows; a renamed option shows its new label);
    - ``functions``: kind -> {label: function} as the supervisors set it on the options;
    - ``behaviors``: any spelling of a behavior -> the name shown (a defined behavior's name
      wins over an option's label)."""
    org = learner.organization
    ids = [int(pk) for pk in org.path.strip("/").split("/") if pk] or [org.pk]
    # Nearest organization last, so its options win over inherited ones with the same code.
    options = sorted(
        AbcOption.objects.filter(organization_id__in=ids).only(
            "organization_id", "kind", "code", "label", "function", "order"
        ),
        key=lambda o: (ids.index(o.organization_id), o.order, o.pk),
    )
    defined = {
        fba.behavior_key(name): name
        for name in BehaviorDefinition.objects.filter(learner=learner)
        .order_by("pk")
        .values_list("name", flat=True)
    }
    names, behaviors = {}, {}
    functions = {"antecedent": {}, "consequence": {}}
    for o in options:
        for spelling in (o.code, o.label):
            names[(o.kind, fba.behavior_key(spelling))] = o.label
        if o.kind in functions:
            if o.function:
                functions[o.kind][o.label] = o.function
            else:
                functions[o.kind].pop(o.label, None)
        if o.kind == AbcOption.Kind.BEHAVIOR:
            shown = defined.get(fba.behavior_key(o.label), o.label)
            behaviors[o.code] = behaviors[o.label] = shown
    behaviors.update({name: name for name in defined.values()})
    return {"names": names, "functions": functions, "behaviors": behaviors}


def _canonical(value, vocabulary):
    """An ABC record with its antecedent, consequence and setting as the label of the option
    they name (by code or label, whatever the case or spacing); free text stays."""
    out = dict(value)
    for kind in ("antecedent", "consequence", "setting"):
        text = (out.get(kind) or "").strip()
        if text:
            out[kind] = vocabulary["names"].get((kind, fba.behavior_key(text)), text)
    return out


def fba_report(learner):
    """Conditional probabilities and function hypotheses (engine), and the scatterplot grid
    (hour of day × day of week) of behavior records. The function an antecedent or
    consequence suggests is the one set on its pick-list option; behaviors are grouped under
    the learner's defined behaviors (free text: whatever its case or spacing)."""
    records = [r for r in learner_abc(learner) if (r["value"].get("behavior") or "").strip()]
    if not records:
        return None
    vocabulary = abc_vocabulary(learner)
    profiles = fba.analyze(
        [_canonical(r["value"], vocabulary) for r in records],
        antecedent_map=vocabulary["functions"]["antecedent"],
        consequence_map=vocabulary["functions"]["consequence"],
        behavior_names=vocabulary["behaviors"],
    )
    mapped = any(vocabulary["functions"].values())
    grid = Counter((r["local"].hour, r["local"].weekday()) for r in records)
    hours = sorted({h for h, _ in grid}) or [8]
    hours = list(range(min(hours), max(hours) + 1))
    peak = max(grid.values())
    scatter = [
        {
            "hour": h,
            "cells": [
                {"count": grid.get((h, d), 0), "level": _level(grid.get((h, d), 0), peak)}
                for d in range(7)
            ],
        }
        for h in hours
    ]
    return {
        "records": len(records),
        "first": records[0]["local"],
        "last": records[-1]["local"],
        "profiles": list(profiles.values()),
        "functions_set": mapped,
        "scatter": scatter,
        "days": DAYS,
    }


def _level(count, peak):
    """Scatterplot shading (Touchette, MacDonald & Langer, 1985): none, low, high."""
    if count == 0:
        return "none"
    return "high" if count >= max(2, peak / 2) else "low"


# --- effect sizes -------------------------------------------------------------------------


def phase_series(points):
    """Goal-level values grouped by phase, in phase order: [(phase_id, name, kind, values)]."""
    out = []
    for p in points:
        if p.target is not None:
            continue
        if not out or out[-1][0] != p.phase_id:
            out.append((p.phase_id, p.phase_name or "No phase", p.phase_kind, []))
        out[-1][3].append(p.value)
    merged = {}
    for phase_id, name, kind, values in out:
        if phase_id in merged:
            merged[phase_id][3].extend(values)
        else:
            merged[phase_id] = (phase_id, name, kind, list(values))
    return list(merged.values())


def effect_table(goal, a_values, b_values):
    """Every single-case effect size of the engine between two phases, with intervals where
    the method defines them, and the CDC result."""
    increase = goal.direction != "decrease"
    percent = goal.measure in PERCENT_MEASURES
    scale = "percentage" if percent else ("count" if goal.measure == Measure.FREQUENCY else "other")
    rows = []

    def add(fn, **kw):
        try:
            rows.append(fn(a_values, b_values, increase=increase, **kw))
        except AnalysisError as error:
            rows.append(
                effect_sizes.EffectSize(
                    fn.__name__.upper(), None, undefined=True, reason=str(error)
                )
            )

    for fn in (
        effect_sizes.nap,
        effect_sizes.tau,
        effect_sizes.tau_u,
        effect_sizes.tau_bc,
        effect_sizes.pnd,
        effect_sizes.pem,
        effect_sizes.pand,
        effect_sizes.ird,
        effect_sizes.smd,
        effect_sizes.lrm,
    ):
        add(fn)
    add(effect_sizes.lrri if increase else effect_sizes.lrrd, scale=scale)
    if percent:
        add(effect_sizes.lor, scale="percentage")
    if goal.goal_value is not None:
        add(effect_sizes.pogo, goal=goal.goal_value)
    try:
        cdc = progress.cdc(a_values, b_values, increase=increase)
        cdc_problem = None
    except AnalysisError as error:
        cdc, cdc_problem = None, str(error)
    return rows, cdc, cdc_problem


def staff_name(user):
    return user.get_full_name() or user.get_username() if user else "—"


def days_since(day, today=None):
    if day is None:
        return None
    return ((today or timezone.localdate()) - day).days


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


__all__ = ["staff_of"]
