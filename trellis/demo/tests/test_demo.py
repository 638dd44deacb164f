"""`trellis demo` builds a realistic synthetic organization, once."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from trellis.people.models import Guardian, Learner, Organization, StaffMember


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        # Module-scoped data: leave the database as the other tests expect it.
        from django.core.management import call_command as flush

        flush("flush", "--noinput", verbosity=0)


pytestmark = pytest.mark.django_db


def test_the_demo_has_a_district_with_two_schools_and_an_agency_with_a_clinic(demo):
    district = Organization.objects.get(kind="district")
    assert district.children.filter(kind="school").count() == 2
    clinic = Organization.objects.get(kind="program")
    assert clinic.parent.kind == "agency" and clinic.learner_word == "client"


def test_the_demo_has_staff_in_every_role_and_learners_with_guardians(demo):
    assert StaffMember.objects.count() >= 30
    roles = set(StaffMember.objects.values_list("memberships__role", flat=True))
    assert roles >= {"assistant", "technician", "teacher", "supervisor", "nurse", "program_admin"}
    assert Learner.objects.count() >= 80
    assert not Learner.objects.filter(guardians__isnull=True).exists()
    assert Guardian.objects.filter(preferred_language="es").count() >= 5


@pytest.mark.parametrize(
    "username",
    [
        "demo-admin",
        "demo-supervisor",
        "demo-assistant",
        "demo-technician",
        "demo-nurse",
        "demo-guardian",
    ],
)
def test_every_demo_login_signs_in_with_the_demo_password(demo, username):
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=username, password="trellis-demo") is not None


def test_the_assistant_and_the_technician_share_no_learner_and_see_part_of_their_org(demo):
    from django.contrib.auth.models import User

    assistant = set(Learner.objects.visible_to(User.objects.get(username="demo-assistant")))
    technician = set(Learner.objects.visible_to(User.objects.get(username="demo-technician")))
    assert assistant and technician and not assistant & technician
    school = next(iter(assistant)).organization
    clinic = next(iter(technician)).organization
    assert len(assistant) < Learner.objects.filter(organization=school).count()
    assert len(technician) < Learner.objects.filter(organization=clinic).count()


def test_the_guardian_sees_their_own_child_only(demo):
    from django.contrib.auth.models import User

    guardian = User.objects.get(username="demo-guardian")
    assert Learner.objects.visible_to(guardian).count() == 1


def test_running_the_demo_again_keeps_the_data(demo):
    learners = Learner.objects.count()
    call_command("demo", stdout=open("/dev/null", "w"))
    assert Learner.objects.count() == learners


def test_the_demo_nurse_opens_and_charts_the_mar_of_their_cases(demo, client):
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.contrib.auth.models import User
    from django.utils import timezone

    from trellis.health.models import Dose, MedicationOrder

    nurse = User.objects.get(username="demo-nurse")
    learners = Learner.objects.visible_to(nurse)
    scheduled = MedicationOrder.objects.filter(learner__in=learners, as_needed=False)
    assert scheduled.count() >= 5 and all(o.days == [0, 1, 2, 3, 4] for o in scheduled)
    prn = MedicationOrder.objects.filter(learner__in=learners, as_needed=True).first()
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="demo-nurse", password="trellis-demo") == nurse
    client.force_login(nurse)

    page = client.get(f"/learners/{scheduled[0].learner_id}/mar/").content.decode()
    assert scheduled[0].drug in page and "Not scheduled" in page  # the weekend is neutral
    assert "You are not authorized to record doses" not in page
    zone = ZoneInfo(prn.learner.organization.time_zone)
    now = timezone.now().astimezone(zone) - timedelta(minutes=1)
    response = client.post(
        f"/learners/{prn.learner_id}/mar/record/",
        {
            "order": prn.pk,
            "status": "given",
            "time": now.strftime("%H:%M"),
            "prn_reason": "Headache after recess",
        },
    )
    assert response.status_code == 302
    dose = Dose.objects.get(order=prn, prn_reason="Headache after recess")
    assert dose.recorded_by == nurse


def test_the_demo_prints_the_nurse_login():
    out = StringIO()
    call_command("demo", stdout=out)
    assert "demo-nurse" in out.getvalue()


def test_the_demo_says_what_it_builds_as_it_goes(demo):
    # make demo is never silent while it builds: each part says so as it starts.
    for part in ["people and caseloads", "Plans and goals", "Data collection", "Incidents"]:
        assert f"building the demo: {part}" in demo


def test_the_demo_admin_and_supervisor_sign_in_with_the_printed_second_factor(demo, client):
    """Their roles require a second factor: the demo enrols them with its public app key,
    prints it, and `trellis demo --code` gives the current code."""
    from trellis.demo.management.commands.demo import grouped_demo_key

    assert grouped_demo_key() in demo and "trellis demo --code" in demo
    out = StringIO()
    call_command("demo", "--code", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client.post("/accounts/login/", {"username": "demo-supervisor", "password": "trellis-demo"})
    assert client.get("/").url.startswith("/accounts/two-factor/verify/")
    assert client.post("/accounts/two-factor/verify/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
