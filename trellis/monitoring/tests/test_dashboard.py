"""The caseload dashboard: every goal of every learner the user may see, filterable and
sortable, read from the goal-status rollups in a bounded number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trellis.monitoring.status import evaluate_goal
from trellis.monitoring.tests.helpers import START, add_probes, monitored_goal, recorder

pytestmark = pytest.mark.django_db
TODAY = START + dt.timedelta(days=30)


@pytest.fixture
def goals(world):
    """A flagged goal of the supervisor's learner, a calm one of the same learner, a goal of
    another school's learner (program admin only) and one of the clinic's client."""
    out = {}
    for key, learner, scores, name in [
        ("flagged", world.own_learner, [21, 21, 22, 21], "Fluency"),
        ("calm", world.own_learner, [30, 21, 33, 22], "Math facts"),
        ("other_school", world.other_school_learner, [21, 21, 22, 21], "Spelling"),
        ("clinic", world.client, [21, 21, 22, 21], "Manding"),
    ]:
        goal = monitored_goal(learner, name=name, tier=2 if key == "calm" else None)
        by = recorder(world, learner)
        add_probes(goal, [20] * 5, by=by)
        add_probes(goal, scores, by=by, start=START + dt.timedelta(days=14))
        evaluate_goal(goal, today=TODAY)
        out[key] = goal
    return out


def names(response):
    return [row["goal_name"] for row in response.context["rows"]]


def test_the_supervisor_sees_the_goals_of_their_caseload_only(client, world, goals):
    client.force_login(world.supervisor)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert sorted(names(response)) == ["Fluency", "Math facts"]
    body = response.content.decode()
    assert "Fernsby" not in body and "Marrowdale" not in body


def test_the_program_admin_sees_the_whole_district_on_the_same_page(client, world, goals):
    client.force_login(world.program_admin)
    response = client.get("/dashboard/")
    assert sorted(names(response)) == ["Fluency", "Math facts", "Spelling"]


def test_filtering_to_flagged_goals_swaps_only_the_table(client, world, goals):
    client.force_login(world.supervisor)
    response = client.get(
        "/dashboard/?flag=change_intervention",
        headers={"HX-Request": "true", "HX-Target": "dashboard-table"},
    )
    assert names(response) == ["Fluency"]
    body = response.content.decode()
    assert "<html" not in body and "Change the intervention" in body
    assert names(client.get("/dashboard/?flag=none")) == ["Math facts"]
    assert names(client.get("/dashboard/?flag=any")) == ["Fluency"]


def test_filters_by_school_tier_and_staff(client, world, goals):
    client.force_login(world.program_admin)
    assert names(client.get(f"/dashboard/?school={world.other_school.pk}")) == ["Spelling"]
    assert names(client.get("/dashboard/?tier=2")) == ["Math facts"]
    staff = world.assistant.staff.pk
    assert sorted(names(client.get(f"/dashboard/?staff={staff}"))) == ["Fluency", "Math facts"]


def test_sorting(client, world, goals):
    client.force_login(world.supervisor)
    assert names(client.get("/dashboard/?sort=goal")) == ["Fluency", "Math facts"]
    assert names(client.get("/dashboard/?sort=flag")) == ["Fluency", "Math facts"]
    response = client.get("/dashboard/?sort=latest")
    values = [row["latest_value"] for row in response.context["rows"]]
    assert values == sorted(values, reverse=True)
    client.force_login(world.program_admin)
    schools = [
        r["organization_name"] for r in client.get("/dashboard/?sort=school").context["rows"]
    ]
    assert schools == ["Alder School", "Alder School", "Birch School"]


def test_days_since_data_and_trend_are_shown(client, world, goals):
    client.force_login(world.supervisor)
    row = next(r for r in client.get("/dashboard/").context["rows"] if r["goal_name"] == "Fluency")
    assert row["days"] == (dt.date.today() - row["latest_date"]).days
    assert row["trend_vs_aim"] == "rising more slowly than the aim line"


def test_the_table_is_read_in_a_fixed_number_of_queries(client, world, goals):
    client.force_login(world.program_admin)
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as few:
        client.get("/dashboard/", headers={"HX-Request": "true", "HX-Target": "dashboard-table"})
    for extra in range(3):
        goal = monitored_goal(world.other_school_learner, name=f"Extra {extra}")
        evaluate_goal(goal, today=TODAY)
    with CaptureQueriesContext(connection) as more:
        client.get("/dashboard/", headers={"HX-Request": "true", "HX-Target": "dashboard-table"})
    assert len(more) == len(few)
    dashboard_queries = [q for q in more.captured_queries if "monitoring_goalstatus" in q["sql"]]
    assert len(dashboard_queries) == 1  # one page of rows, the flag counts as window sums


def test_long_caseloads_are_paged_with_the_flag_counts_of_all_pages(
    client, world, goals, monkeypatch
):
    monkeypatch.setattr("trellis.monitoring.views.PAGE_SIZE", 1)
    client.force_login(world.supervisor)
    first = client.get("/dashboard/?sort=goal")
    assert names(first) == ["Fluency"] and first.context["pages"] == 2
    body = first.content.decode()
    assert "Goals 1–1 of 2" in body and "1 change the intervention" in body
    assert "page=2" in body
    assert names(client.get("/dashboard/?sort=goal&page=2")) == ["Math facts"]
    assert names(client.get("/dashboard/?sort=goal&page=99")) == ["Math facts"]


def test_families_and_outsiders_have_no_dashboard(client, world, goals):
    for persona in ("guardian", "outsider"):
        client.force_login(getattr(world, persona))
        assert client.get("/dashboard/").status_code == 404


def test_a_large_organization_is_read_through_the_access_subquery(
    client, world, goals, monkeypatch
):
    monkeypatch.setattr("trellis.monitoring.queries.ID_LIST_LIMIT", 1)
    client.force_login(world.program_admin)
    assert sorted(names(client.get("/dashboard/"))) == ["Fluency", "Math facts", "Spelling"]
    staff = world.assistant.staff.pk
    assert sorted(names(client.get(f"/dashboard/?staff={staff}"))) == ["Fluency", "Math facts"]


def filter_choices(response):
    return [dict(response.context[name]) for name in ("schools", "staff")]


def test_filter_choices_follow_assignments_and_names(client, world, goals):
    client.force_login(world.program_admin)
    schools, staff = filter_choices(client.get("/dashboard/"))
    assert sorted(schools.values()) == ["Alder School", "Birch School"]
    assert world.other_assistant.staff.pk in staff
    world.classmate.assignments.update(ends_on=TODAY - dt.timedelta(days=400))
    for assignment in world.classmate.assignments.all():
        assignment.save()  # what a page or the admin does: the cached choices are dropped
    world.other_school.name = "Cedar School"
    world.other_school.save()
    schools, staff = filter_choices(client.get("/dashboard/"))
    assert sorted(schools.values()) == ["Alder School", "Cedar School"]
    assert world.other_assistant.staff.pk not in staff
