"""Monitoring pages: the caseload dashboard, a goal's graphs and recommendations, team
decisions, and the FBA, IOA and effect-size views. Views parse input and check access; the
numbers come from queries.py (which calls the analysis engine), writes from actions.py."""

import html

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from trellis.audit.log import record
from trellis.monitoring import actions, graphs, queries
from trellis.monitoring.models import Flag, Recommendation, TeamDecision, flag_label
from trellis.people.access import (
    CHANGE,
    get_learner_or_404,
    is_staff_for,
    is_staff_for_request,
    staff_of,
)
from trellis.plans.access import may_write_plans
from trellis.records import release

# --- dashboard ----------------------------------------------------------------------------


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def dashboard(request):
    """Every current goal of every learner the user may see (a program admin: the whole
    organization), with the latest value, trend, flag and days since data."""
    if staff_of(request.user) is None and not request.user.is_superuser:
        record("dashboard.view", result="denied", detail={"path": request.path})
        raise Http404("Not found.")
    filters = {
        "school": _int_or_none(request.GET.get("school")),
        "tier": _int_or_none(request.GET.get("tier")),
        "staff": _int_or_none(request.GET.get("staff")),
        "flag": request.GET.get("flag") or None,
        "sort": request.GET.get("sort") or "flag",
    }
    visible = queries.visible_learners(request.user)
    # One query: a page of rows with the flag counts of every matching goal.
    wanted = max(_int_or_none(request.GET.get("page")) or 1, 1)
    rows, counts, page = queries.dashboard_page(visible, page=wanted, size=PAGE_SIZE, **filters)
    total = sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    today = timezone.localdate()
    for row in rows:
        row["days"] = (today - row["latest_date"]).days if row["latest_date"] else None
        row["trend_vs_aim"] = _trend_words(row)
    record(
        "dashboard.view",
        detail={k: v for k, v in filters.items() if v} | {"page": page, "shown": len(rows)},
    )
    context = {
        "rows": rows,
        "rows_html": dashboard_rows_html(rows),
        "filters": filters,
        "flags": Flag.choices,
        "columns": COLUMNS,
        "total": total,
        "flag_counts": [(label, counts.get(value, 0)) for value, label in Flag.choices],
        "page": page,
        "pages": pages,
        "first": (page - 1) * PAGE_SIZE + 1,
        "last": (page - 1) * PAGE_SIZE + len(rows),
    }
    if request.htmx and request.htmx.target == "dashboard-table":
        return render(request, "monitoring/_dashboard_table.html", context)
    schools, staff = queries.dashboard_filters(request.user, visible)
    context |= {"schools": schools, "staff": staff}
    return render(request, "monitoring/dashboard.html", context)


PAGE_SIZE = 100
COLUMNS = [
    ("learner", "Learner"),
    ("goal", "Goal"),
    ("latest", "Latest value"),
    ("trend", "Trend"),
    ("flag", "Flag"),
    ("days", "Days since data"),
]


def _number(value, digits):
    """As the template's floatformat: digits=-1 drops a trailing .0."""
    if digits == -1:
        text = f"{value:.1f}"
        return text[:-2] if text.endswith(".0") else text
    return f"{value:.{digits}f}"


def dashboard_rows_html(rows):
    """The dashboard's rows, built in Python: the template engine spent most of the page's
    time on a thousand small lookups for 100 rows, and format_html's lazy wrappers most of
    the rest (bench/bench_dashboard.py). Every value from the database is escaped."""
    # URL patterns reversed once, not three times per row.
    goal_url = reverse("monitoring:goal", args=[0]).replace("/0/", "/{}/")
    learner_url = reverse("people:learner", args=[0]).replace("/0/", "/{}/")
    parts = []
    for r in rows:
        flag = r["flag"]
        tier = f" · tier {r['tier']}" if r["tier"] else ""
        if r["latest_value"] is not None:
            latest = f'{_number(r["latest_value"], -1)} <span class="hint">{esc(r["unit"])}</span>'
        else:
            latest = '<span class="empty">no data</span>'
        if r["trend_per_week"] is not None:
            trend = f"{_number(r['trend_per_week'], 2)}/wk"
            if r["trend_vs_aim"]:
                trend += f'<br><span class="hint">{r["trend_vs_aim"]}</span>'
        else:
            trend = "—"
        if flag:
            flag_cell = (
                f'<span class="flag flag-{esc(flag)}" title="{esc(r["explanation"])}">'
                f"{esc(flag_label(flag, r['direction']))}</span>"
            )
        else:
            flag_cell = '<span class="hint">—</span>'
        url = goal_url.format(r["goal_id"])
        gid = r["goal_id"]
        parts.append(
            f'<tr class="{f"flagged flag-{esc(flag)}" if flag else ""}">'
            f'<td><a href="{learner_url.format(r["learner_id"])}">'
            f"{esc(r['learner_first_name'])} {esc(r['learner_last_name'])}</a>"
            f'<br><span class="hint">{esc(r["organization_name"])}{tier}</span></td>'
            f'<td><a href="{url}" hx-get="{url}" hx-target="#panel-{gid}" class="open-goal">'
            f"{esc(r['goal_name'])}</a></td>"
            f"<td>{latest}</td><td>{trend}</td><td>{flag_cell}</td>"
            f"<td>{r['days'] if r['days'] is not None else '—'}</td></tr>"
            f'<tr class="panel-row"><td colspan="6" id="panel-{gid}" class="panel"></td></tr>'
        )
    return mark_safe("".join(parts))


def esc(value):
    """Django's escape without its lazy-string wrapper (same five characters replaced)."""
    return html.escape(str(value))


def _trend_words(row):
    """The trend against the aim line in words that follow the goal's direction."""
    t, a = row["trend_per_week"], row["aim_per_week"]
    if t is None or a is None:
        return ""
    if abs(t - a) < 1e-9:
        return "on the aim line"
    if row.get("direction") == "decrease":
        if t >= 0:
            return "not decreasing (the aim line falls)"
        return (
            "decreasing faster than the aim line"
            if t < a
            else "decreasing more slowly than the aim line"
        )
    if t <= 0:
        return "not rising (the aim line rises)"
    return "rising faster than the aim line" if t > a else "rising more slowly than the aim line"


# --- a goal -------------------------------------------------------------------------------


def _choice(value, allowed, default):
    return value if value in allowed else default


def goal_panel_context(request, goal, *, errors=None, posted=None):
    kinds = queries.chart_kinds(goal)
    kind = _choice(request.GET.get("kind"), [k for k, _ in kinds], kinds[0][0])
    per = _choice(request.GET.get("per"), graphs.PERIODS, "session")
    data, ev, (points, phases, targets) = queries.graph_context(goal)
    celeration = queries.graphs.celeration_by_phase(data) if kind == "celeration" else []
    fig = queries.draw(data, kind, per, celeration=celeration)
    svg = graphs.to_svg(
        fig,
        title=f"{data.title}: {dict(kinds)[kind].lower()}",
        desc=queries.describe(data, ev, kind),
        key=f"{goal.pk}-{kind}-{per}",
    )
    shown = (
        graphs.aggregate(data.points, per, summed=data.summed)
        if kind != "celeration"
        else data.points
    )
    recs = list(
        Recommendation.objects.filter(goal_lineage=goal.lineage)
        .select_related("goal", "decided_by", "target", "phase")
        .order_by("-raised_at", "-pk")[:20]
    )
    return {
        "goal": goal,
        "learner": goal.plan.learner,
        "svg": svg,
        "kind": kind,
        "kinds": kinds,
        "per": per,
        "periods": graphs.PERIODS,
        "table": shown,
        "unit": data.unit,
        "ev": ev,
        "phases": phases,
        "targets": targets,
        "open_recs": [r for r in recs if r.status == Recommendation.Status.OPEN],
        "past_recs": [r for r in recs if r.status != Recommendation.Status.OPEN],
        "can_decide": may_write_plans(request.user, goal.plan.learner),
        "errors": errors or {},
        "general_error": (errors or {}).get("__all__"),
        "posted": posted or {},
        "celeration": celeration,
        "norms": data.norms,
        "norms_source": data.norms_source,
        "today": timezone.localdate(),
    }


@login_required
def goal(request, goal_id):
    """A goal's graph (SVG in the page, with the data as a table), its rules' results and its
    recommendations. In the dashboard it opens in place (htmx)."""
    goal = queries.get_goal_or_404(request, goal_id, audit_action="graph.view")
    context = goal_panel_context(request, goal)
    if request.htmx:
        return render(request, "monitoring/_goal_panel.html", context)
    return render(request, "monitoring/goal.html", context)


CONTENT_TYPES = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml"}


@login_required
def graph_file(request, goal_id, fmt):
    """The graph as PNG, PDF or a standalone SVG file, for reports (an export: audited, and
    asked who it is for, trellis/records/release.py)."""
    goal = queries.get_goal_or_404(request, goal_id, audit_action="graph.export")
    asking = release.who_for(request, goal.learner, f"Graph of the goal “{goal}”")
    if asking is not None:
        return asking
    kinds = [k for k, _ in queries.chart_kinds(goal)]
    kind = _choice(request.GET.get("kind"), kinds, kinds[0])
    per = _choice(request.GET.get("per"), graphs.PERIODS, "session")
    data, ev, _ = queries.graph_context(goal)
    fig = queries.draw(data, kind, per)
    if fmt == "svg":
        body = graphs.to_svg(fig, title=data.title, desc=queries.describe(data, ev, kind))
        body = (
            body.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
            if ('xmlns="' not in body[:300])
            else body
        )
    else:
        body = graphs.to_bytes(fig, fmt)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = f"goal-{goal.pk}-{kind}.{fmt}"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _panel_or_redirect(request, goal, errors=None, posted=None):
    """After a decision: the goal's panel again (htmx) or a redirect to the goal's page. A
    refused decision comes back with 400 and its errors in place (base.html has htmx swap
    400 answers: they carry the form with its errors)."""
    if request.htmx:
        context = goal_panel_context(request, goal, errors=errors, posted=posted)
        return render(
            request, "monitoring/_goal_panel.html", context, status=400 if errors else 200
        )
    if errors:
        context = goal_panel_context(request, goal, errors=errors, posted=posted)
        return render(request, "monitoring/goal.html", context, status=400)
    return redirect(reverse("monitoring:goal", args=[goal.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def accept(request, rec_id):
    """GET: the accept form on its own page; POST: accept (a change starts a new phase)."""
    rec = queries.get_recommendation_or_404(request, rec_id)
    if request.method == "GET":
        record("recommendation.view", learner=rec.learner, obj=rec)
        return render(request, "monitoring/decide.html", {"rec": rec, "action": "accept"})
    try:
        actions.accept_recommendation(
            request.user,
            rec,
            note=request.POST.get("note", ""),
            starts_on=request.POST.get("starts_on") or None,
            phase_label=request.POST.get("phase_label", ""),
        )
    except ValidationError as error:
        return _panel_or_redirect(
            request, rec.goal, error.message_dict, request.POST.dict() | {"rec": rec.pk}
        )
    return _panel_or_redirect(request, _current_goal(rec))


@login_required
@require_http_methods(["GET", "POST"])
def dismiss(request, rec_id):
    rec = queries.get_recommendation_or_404(request, rec_id)
    if request.method == "GET":
        record("recommendation.view", learner=rec.learner, obj=rec)
        return render(request, "monitoring/decide.html", {"rec": rec, "action": "dismiss"})
    try:
        actions.dismiss_recommendation(request.user, rec, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        return _panel_or_redirect(
            request, rec.goal, error.message_dict, request.POST.dict() | {"rec": rec.pk}
        )
    return _panel_or_redirect(request, _current_goal(rec))


def _current_goal(rec):
    from trellis.plans.models import Goal

    return (
        Goal.objects.current()
        .select_related("plan__learner__organization")
        .filter(lineage=rec.goal_lineage)
        .first()
        or rec.goal
    )


# --- team decisions -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decisions(request, learner_id):
    """Tier changes and referrals of a learner: the record and the form."""
    learner = get_learner_or_404(
        request,
        learner_id,
        action=CHANGE,
        audit_action=None,
    )
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST.dict()
        try:
            actions.record_team_decision(
                request.user,
                learner,
                kind=request.POST.get("kind", ""),
                rationale=request.POST.get("rationale", ""),
                to_tier=request.POST.get("to_tier"),
                refer_to=request.POST.get("refer_to", ""),
            )
            return redirect(reverse("monitoring:decisions", args=[learner.pk]))
        except ValidationError as error:
            errors = error.message_dict
    else:
        record("decision.view", learner=learner)
    context = {
        "learner": learner,
        "decisions": TeamDecision.objects.filter(learner=learner).select_related("decided_by"),
        "can_decide": may_write_plans(request.user, learner),
        "errors": errors,
        "posted": posted,
        "kinds": TeamDecision.Kind.choices,
        "refer_choices": TeamDecision.ReferTo.choices,
    }
    return render(request, "monitoring/decisions.html", context, status=400 if errors else 200)


# --- behavior analysis --------------------------------------------------------------------


def _staff_learner(request, learner_id, audit_action):
    """Staff-only learner pages (families see progress in the portal)."""
    learner = get_learner_or_404(request, learner_id, audit_action=None)
    if not is_staff_for(request.user, learner):
        record(audit_action, learner=learner, result="denied", detail={"path": request.path})
        raise Http404("Not found.")
    record(audit_action, learner=learner)
    return learner


@login_required
def fba_page(request, learner_id):
    learner = _staff_learner(request, learner_id, "fba.view")
    report = queries.fba_report(learner)
    return render(request, "monitoring/fba.html", {"learner": learner, "report": report})


@login_required
def ioa_page(request, learner_id):
    learner = _staff_learner(request, learner_id, "ioa.view")
    goals = queries.learner_ioa(learner)
    checked = sum(g["checked"] for g in goals)
    sessions = sum(g["sessions"] for g in goals)
    return render(
        request,
        "monitoring/ioa.html",
        {
            "learner": learner,
            "goals": goals,
            "threshold": queries.IOA_THRESHOLD,
            "coverage": (100.0 * checked / sessions) if sessions else None,
            "checked": checked,
            "sessions": sessions,
        },
    )


@login_required
def effects_page(request, goal_id):
    """Single-case effect sizes and the CDC between any two phases of a goal."""
    goal = queries.get_goal_or_404(request, goal_id, audit_action="effects.view")
    _, _, (points, _, _) = queries.graph_context(goal)
    series = queries.phase_series(points)
    ids = [str(s[0]) for s in series]
    a = request.GET.get("a") or (ids[0] if ids else None)
    b = request.GET.get("b") or (ids[1] if len(ids) > 1 else None)
    result = None
    if a in ids and b in ids and a != b:
        sa = series[ids.index(a)]
        sb = series[ids.index(b)]
        rows, cdc, cdc_problem = queries.effect_table(goal, sa[3], sb[3])
        result = {"a": sa, "b": sb, "rows": rows, "cdc": cdc, "cdc_problem": cdc_problem}
    return render(
        request,
        "monitoring/effects.html",
        {
            "goal": goal,
            "learner": goal.plan.learner,
            "series": series,
            "a": a,
            "b": b,
            "result": result,
            "same": a == b and a is not None,
        },
    )


# --- the learner profile's section --------------------------------------------------------


def learner_section(request, learner):
    """Progress monitoring on the learner profile: goals with status and flags, and the
    history of recommendations and team decisions (staff only)."""
    if not is_staff_for_request(request, learner):
        return None
    from trellis.monitoring.models import GoalStatus

    statuses = (
        GoalStatus.objects.filter(learner=learner, goal__plan__status="approved")
        .select_related("goal")
        .order_by("flag_rank", "goal__name")
    )
    history = Recommendation.objects.filter(learner=learner).select_related(
        "goal", "decided_by", "target"
    )[:30]
    team = TeamDecision.objects.filter(learner=learner).select_related("decided_by")[:20]
    return render_to_string(
        "monitoring/_learner_section.html",
        {"learner": learner, "statuses": statuses, "history": history, "team": team},
        request=request,
    )
