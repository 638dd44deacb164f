"""A supervisor opens a goal: the graph is inline SVG safe under the CSP, with a text table,
and the PNG / PDF / SVG files are there for reports."""

import datetime as dt
import re

import pytest

from trellis.monitoring.models import Recommendation
from trellis.monitoring.status import evaluate_goal
from trellis.monitoring.tests.helpers import START, add_probes, monitored_goal, recorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(world):
    goal = monitored_goal(world.own_learner)
    by = recorder(world, world.own_learner)
    add_probes(goal, [20, 20, 20, 20, 20], by=by)
    add_probes(goal, [21, 21, 22, 21], by=by, start=START + dt.timedelta(days=14))
    evaluate_goal(goal, today=START + dt.timedelta(days=30))
    return goal


def test_the_graph_is_inline_svg_with_a_title_a_description_and_no_inline_style(
    client, world, goal
):
    client.force_login(world.supervisor)
    response = client.get(f"/goals/{goal.pk}/monitor/")
    assert response.status_code == 200
    body = response.content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg
    # Phase labels and the aim / trend key are drawn; the table lists every point.
    assert "Baseline" in svg and "Intervention" in svg and "Aim line" in svg
    assert body.count("<td>2025-") == 9
    assert "Change the intervention" in body
    assert "Rate of improvement" in body


def test_data_paths_are_not_connected_across_a_phase_change(world, goal):
    from trellis.monitoring import graphs, queries

    data, ev, _ = queries.graph_context(goal)
    runs = graphs.runs(data.points)
    assert [len(r) for r in runs] == [5, 4]
    fig = graphs.line_chart(data)
    paths = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    assert [len(line.get_xdata()) for line in paths] == [5, 4]


def test_points_per_week_average_the_sessions_of_each_week_within_a_phase(client, world, goal):
    client.force_login(world.supervisor)
    body = client.get(f"/goals/{goal.pk}/monitor/?per=week").content.decode()
    rows = re.findall(r"<td>(2025-[\d-]+)</td><td>([^<]*)</td><td>([^<]*)</td>", body)
    # Sep 1-12 (baseline, 2 weeks) and Sep 15-24 (intervention, 2 weeks); no week mixes phases.
    assert [r[1] for r in rows] == ["Baseline", "Baseline", "Intervention", "Intervention"]


@pytest.mark.parametrize(
    "fmt,ctype,magic",
    [
        ("png", "image/png", b"\x89PNG"),
        ("pdf", "application/pdf", b"%PDF"),
        ("svg", "image/svg+xml", b"<svg"),
    ],
)
def test_report_files(client, world, goal, fmt, ctype, magic):
    client.force_login(world.supervisor)
    response = client.get(f"/goals/{goal.pk}/graph.{fmt}", {"for": "internal"})
    assert response.status_code == 200
    assert response["Content-Type"] == ctype
    assert response.content.startswith(magic)


def test_the_goal_opens_in_place_for_htmx(client, world, goal):
    client.force_login(world.supervisor)
    response = client.get(f"/goals/{goal.pk}/monitor/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'class="card goal-panel"' in body


def test_the_assistant_sees_the_recommendation_but_cannot_act_on_it(client, world, goal):
    client.force_login(world.assistant)
    body = client.get(f"/goals/{goal.pk}/monitor/").content.decode()
    assert "Change the intervention" in body
    assert "A supervisor, teacher or program admin decides" in body
    rec = Recommendation.objects.get()
    response = client.post(f"/recommendations/{rec.pk}/accept/", {"note": "x"})
    assert response.status_code == 404
    rec.refresh_from_db()
    assert rec.status == "open"


def test_a_guardian_or_another_caseload_gets_404(client, world, goal):
    for persona in ("guardian", "other_assistant", "technician"):
        client.force_login(getattr(world, persona))
        assert client.get(f"/goals/{goal.pk}/monitor/").status_code == 404
        assert client.get(f"/goals/{goal.pk}/graph.png").status_code == 404


def test_phase_labels_never_overlap_even_two_days_apart():
    """ "Baseline" and "Intervention" two days apart used to print as "BaselineIntervention":
    a label that would run into the one before drops a row, and with every row taken it is
    shortened to end before the next phase line."""
    from trellis.monitoring import graphs
    from trellis.monitoring.rules import PhaseInfo

    day = dt.date(2025, 9, 1)
    phases = [
        PhaseInfo(i, "intervention", name, day + dt.timedelta(days=2 * i))
        for i, name in enumerate(["Baseline", "Intervention", "Added self-monitoring", "Fading"])
    ]
    lo, hi = graphs._day(day) - 1, graphs._day(day) + 60
    layout = graphs.phase_label_layout(phases, lo, hi, 400.0, rows=3)
    per_day = 400.0 / (hi - lo)
    spans = [
        (row, (x - lo) * per_day, (x - lo) * per_day + graphs._text_width(text, graphs.NOTE_SIZE))
        for x, row, text in layout
    ]
    shown = [text for *_, text in layout]
    assert shown[:3] == ["Baseline", "Intervention", "Added self-monitoring"]
    assert layout[3][2].endswith("…") or layout[3][2] == "Fading"
    for i, (row, start, end) in enumerate(spans):
        for other_row, other_start, other_end in spans[:i]:
            assert row != other_row or start >= other_end or end <= other_start
        assert end <= 400.0


def test_the_key_wraps_to_the_graphs_width():
    from trellis.monitoring import graphs

    labels = ["Data", "Aim line", "Trend (current phase)", "Goal", "Mastery criterion"]
    rows = graphs.key_rows(labels, 250.0)
    assert len(rows) > 1 and [label for row in rows for _, label in row] == labels
    for row in rows:
        x, label = row[-1]
        assert x + graphs._text_width("■ " + label, graphs.NOTE_SIZE) <= 250.0 or len(row) == 1
