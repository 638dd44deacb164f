"""The end page's summary in plain words (issue 11): measures by their names, and a task
analysis counted over the steps it defines, as the graph counts it."""

import uuid

import pytest
from django.utils import timezone

from trellis.analysis import summaries
from trellis.collect import actions
from trellis.collect.queries import goal_data_points, session_summaries
from trellis.collect.tests.screen_world import screen_session
from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db


def steps(world, session, goal, prompts):
    """Score steps 1, 2, … with these prompt levels, through ingest."""
    results = actions.ingest_events(
        world.assistant,
        [
            {
                "id": str(uuid.uuid4()),
                "session": str(session.pk),
                "goal": goal.pk,
                "kind": "step",
                "value": {"step": number, "prompt": prompt},
                "recorded_at": timezone.now().isoformat(),
            }
            for number, prompt in enumerate(prompts, 1)
        ],
    )
    assert {r["status"] for r in results} == {"accepted"}, results


def test_the_summary_names_each_measure_rather_than_its_code(client, world):
    session = screen_session(
        world, world.own_learner, world.assistant, ["task_analysis", "momentary_time_sampling"]
    )
    client.force_login(world.assistant)

    html = client.get(f"/collect/sessions/{session.pk}/end/").content.decode()

    assert "<td>Task analysis</td>" in html
    assert "<td>Momentary time sampling</td>" in html
    assert "task_analysis" not in html and "momentary_time_sampling" not in html


def test_three_of_five_steps_all_independent_is_sixty_percent_as_on_the_graph(world):
    goal = make_goal(world, world.own_learner, "task_analysis")  # five steps
    session = make_session(world, world.own_learner, [goal], by=world.assistant)
    steps(world, session, goal, ["independent"] * 3)

    (row,) = session_summaries(session)

    assert row["value"] == 60.0
    assert row["label"] == "60% of steps independent (3 of 5 steps scored, all independent)"
    assert [point["value"] for point in goal_data_points(goal)] == [60.0]


def test_a_partly_prompted_task_analysis_says_how_many_were_independent(client, world):
    goal = make_goal(world, world.own_learner, "task_analysis")
    session = make_session(world, world.own_learner, [goal], by=world.assistant)
    steps(world, session, goal, ["independent", "model", "independent"])
    client.force_login(world.assistant)

    html = client.get(f"/collect/sessions/{session.pk}/end/").content.decode()

    assert "40% of steps independent (3 of 5 steps scored, 2 independent)" in html
    assert "100%" not in html


def test_the_task_analysis_summary_divides_by_the_defined_steps():
    events = [{"step": 1, "prompt": "independent"}, {"step": 2, "prompt": "gestural"}]
    assert summaries.task_analysis(events, defined_steps=4)["percent_independent"] == 25.0
    assert summaries.summarize("task_analysis", events, defined_steps=4)["defined_steps"] == 4
    # Without the list (or a list shorter than the steps scored) it is over the steps scored.
    assert summaries.task_analysis(events)["percent_independent"] == 50.0
    assert summaries.task_analysis(events, defined_steps=1)["percent_independent"] == 50.0
