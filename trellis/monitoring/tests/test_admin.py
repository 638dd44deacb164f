"""Norm bands are loaded and edited in the admin, within the organizations one manages."""

import pytest

from trellis.monitoring.models import NormBand
from trellis.people.models import Organization

pytestmark = pytest.mark.django_db


def test_a_program_admin_edits_the_norm_bands_of_their_district_only(client, world):
    world.program_admin.is_staff = True
    world.program_admin.save()
    mine = NormBand.objects.create(
        organization=world.district,
        measure_name="words correct per minute",
        grade="3",
        season="fall",
        p25=60,
        p50=80,
        p75=100,
    )
    theirs = NormBand.objects.create(
        organization=world.agency,
        measure_name="words correct per minute",
        grade="3",
        season="fall",
        p25=1,
        p50=2,
        p75=3,
    )
    from django.contrib.auth.models import Permission

    world.program_admin.user_permissions.add(
        *Permission.objects.filter(codename__endswith="normband")
    )
    client.force_login(world.program_admin)
    listing = client.get("/admin/monitoring/normband/")
    assert listing.status_code == 200
    assert f"/admin/monitoring/normband/{mine.pk}/" in listing.content.decode()
    assert f"/admin/monitoring/normband/{theirs.pk}/" not in listing.content.decode()
    response = client.post(
        f"/admin/monitoring/normband/{mine.pk}/change/",
        {
            "organization": world.school.pk,
            "measure_name": "words correct per minute",
            "grade": "3",
            "season": "winter",
            "p25": 70,
            "p50": 90,
            "p75": 110,
            "source": "x",
        },
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.season == "winter" and mine.organization == world.school
    assert client.get(f"/admin/monitoring/normband/{theirs.pk}/change/").status_code == 302
    assert Organization.objects.count() == 5


def test_norm_bands_reach_the_probe_graph_of_a_learner_of_that_grade(client, world):
    from trellis.monitoring.tests.helpers import add_probes, monitored_goal, recorder

    NormBand.objects.create(
        organization=world.district,
        measure_name="words correct per minute",
        grade="3",
        season="fall",
        p25=60,
        p50=80,
        p75=100,
        source="Illustrative example values",
    )
    goal = monitored_goal(world.own_learner)  # grade 3, a school of the district
    add_probes(goal, [40, 42, 41], by=recorder(world, world.own_learner))
    client.force_login(world.supervisor)
    body = client.get(f"/goals/{goal.pk}/monitor/").content.decode()
    assert "Norm bands: fall 60–100 (median 80)" in body
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "fall median 80" in svg and "Illustrative example values" in svg
