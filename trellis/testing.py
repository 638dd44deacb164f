"""A small world of named personas for tests, built in a few queries.

Each persona has a one-line comment on what they may do. Surnames are unusual on purpose, so a
test can look for a learner's name in a response and be sure it found that learner.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User

from trellis.people.models import (
    CaseAssignment,
    Guardian,
    GuardianLink,
    Learner,
    Membership,
    Organization,
    Role,
    StaffMember,
)

PASSWORD = "correct horse battery staple"
CaseRole = CaseAssignment.CaseRole


@dataclass
class World:
    district: Organization
    school: Organization
    other_school: Organization
    agency: Organization
    clinic: Organization
    # Maple learners
    own_learner: Learner  # on the assistant's caseload
    classmate: Learner  # same school, another assistant's caseload
    other_school_learner: Learner  # another school of the district
    client: Learner  # the technician's client at the clinic
    # personas
    assistant: User  # sees own_learner only
    other_assistant: User  # sees classmate only
    supervisor: User  # supervises the assistant: sees own_learner through them
    program_admin: User  # program admin of the district: every district learner, no clinic client
    technician: User  # sees client only
    nurse: User  # school nurse with no cases: sees nobody
    guardian: User  # parent of own_learner
    outsider: User  # signed in, no role anywhere

    @property
    def learners(self):
        return [self.own_learner, self.classmate, self.other_school_learner, self.client]


def make_user(username, **extra):
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def make_staff(username, org, role, **extra):
    user = make_user(username, first_name=username.title(), last_name="Staffer", **extra)
    staff = StaffMember.objects.create(user=user, title=Role(role).label)
    Membership.objects.create(staff=staff, organization=org, role=role)
    return user


def make_learner(org, first, last):
    return Learner.objects.create(
        organization=org,
        first_name=first,
        last_name=last,
        birth_date=date(2016, 3, 4),
        grade="3",
        local_id=f"ID-{last[:4].upper()}",
    )


def assign(user, learner, role=CaseRole.ASSISTANT, **dates):
    return CaseAssignment.objects.create(
        staff=user.staff,
        learner=learner,
        role=role,
        starts_on=dates.get("starts_on", date.today() - timedelta(days=30)),
        ends_on=dates.get("ends_on"),
    )


def build_world() -> World:
    district = Organization.objects.create(name="Test District", kind="district")
    school = Organization.objects.create(name="Alder School", kind="school", parent=district)
    other_school = Organization.objects.create(name="Birch School", kind="school", parent=district)
    agency = Organization.objects.create(name="Test Agency", kind="agency", learner_word="client")
    clinic = Organization.objects.create(
        name="Test Clinic", kind="program", parent=agency, learner_word="client"
    )

    own = make_learner(school, "Olive", "Quillfeather")
    classmate = make_learner(school, "Casper", "Brightwater")
    other_school_learner = make_learner(other_school, "Orla", "Fernsby")
    client = make_learner(clinic, "Cyrus", "Marrowdale")

    assistant = make_staff("assistant", school, Role.ASSISTANT)
    other_assistant = make_staff("otherassistant", school, Role.ASSISTANT)
    supervisor = make_staff("supervisor", school, Role.SUPERVISOR)
    program_admin = make_staff("programadmin", district, Role.PROGRAM_ADMIN)
    technician = make_staff("technician", clinic, Role.TECHNICIAN)
    nurse = make_staff("nurse", school, Role.NURSE)
    assistant.staff.supervisors.add(supervisor.staff)

    assign(assistant, own)
    assign(other_assistant, classmate)
    assign(technician, client, CaseRole.TECHNICIAN)
    # An ended assignment grants nothing.
    assign(assistant, classmate, starts_on=date(2020, 1, 1), ends_on=date(2021, 1, 1))

    guardian_user = make_user("guardian", first_name="Gwen", last_name="Quillfeather")
    guardian = Guardian.objects.create(
        user=guardian_user, first_name="Gwen", last_name="Quillfeather", preferred_language="es"
    )
    GuardianLink.objects.create(guardian=guardian, learner=own, relationship="mother")

    return World(
        district=district,
        school=school,
        other_school=other_school,
        agency=agency,
        clinic=clinic,
        own_learner=own,
        classmate=classmate,
        other_school_learner=other_school_learner,
        client=client,
        assistant=assistant,
        other_assistant=other_assistant,
        supervisor=supervisor,
        program_admin=program_admin,
        technician=technician,
        nurse=nurse,
        guardian=guardian_user,
        outsider=make_user("outsider"),
    )


# --- plans and collect (issue 4) ---------------------------------------------------------


def make_goal(world, learner, measure="frequency", *, settings=None, targets=(), **fields):
    """An approved plan of the learner with one goal of the given measure (ORM, no actions)."""
    from django.utils import timezone

    from trellis.plans.measures import clean_measure_settings
    from trellis.plans.models import Goal, Plan, Target

    defaults = {
        "frequency": {"rate_unit": "count"},
        "partial_interval": {"interval_seconds": 10, "session_minutes": 5},
        "whole_interval": {"interval_seconds": 10, "session_minutes": 5},
        "momentary_time_sampling": {"interval_seconds": 30, "session_minutes": 10},
        "task_analysis": {"steps": ["Wet hands", "Soap", "Scrub", "Rinse", "Dry"]},
        "probe": {"seconds": 60, "unit": "words correct per minute"},
        "rating": {"rows": [{"label": "Safe body", "max": 2}, {"label": "On task", "max": 2}]},
    }
    plan = Plan.objects.create(
        learner=learner,
        kind=Plan.Kind.IEP,
        title=f"Plan of {learner.first_name}",
        status=Plan.Status.APPROVED,
        approved_at=timezone.now(),
    )
    goal = Goal.objects.create(
        plan=plan,
        domain=fields.pop("domain", Goal.Domain.BEHAVIOR),
        name=fields.pop("name", f"{measure} goal"),
        statement=fields.pop("statement", f"A {measure} goal."),
        measure=measure,
        measure_settings=clean_measure_settings(measure, settings or defaults.get(measure, {})),
        **fields,
    )
    for index, name in enumerate(targets):
        Target.objects.create(goal=goal, name=name, order=index, state="acquisition")
    return goal


def make_session(world, learner, goals=(), *, by=None, **fields):
    """A session of the learner, recorded by `by` (default: someone on the learner's case)."""
    from django.utils import timezone

    from trellis.collect.models import Session

    if by is None:
        assignment = learner.assignments.active().select_related("staff__user").first()
        by = assignment.staff.user if assignment else world.supervisor
    goals = list(goals) or [make_goal(world, learner)]
    session = Session.objects.create(
        learner=learner,
        started_at=fields.pop("started_at", timezone.now()),
        recorded_by=by,
        **fields,
    )
    session.goals.set(goals)
    return session


# --- incidents, health and credentials (issue 6) ------------------------------------------


def make_incident(world, learner, kind="behavioral", *, by=None, **fields):
    """A filed incident report of the learner (ORM, no actions, no notifications)."""
    from datetime import timedelta

    from django.utils import timezone

    from trellis.incidents.models import Incident

    end = fields.pop("ended_at", timezone.now() - timedelta(hours=1))
    return Incident.objects.create(
        learner=learner,
        organization=learner.organization,
        kind=kind,
        started_at=fields.pop("started_at", end - timedelta(minutes=10)),
        ended_at=end,
        location=fields.pop("location", "Classroom"),
        antecedent=fields.pop("antecedent", "Asked to put the tablet away."),
        narrative=fields.pop("narrative", "Threw the tablet and left the room."),
        reported_by=by or world.assistant,
        **fields,
    )


def make_order(world, learner, *, times=("08:00", "12:00"), **fields):
    """An active scheduled medication order of the learner (ORM, no actions)."""
    from datetime import date, timedelta

    from trellis.health.models import MedicationOrder

    return MedicationOrder.objects.create(
        learner=learner,
        drug=fields.pop("drug", "Methylphenidate"),
        dose=fields.pop("dose", "10 mg"),
        route=fields.pop("route", "oral"),
        times=list(times),
        prescriber=fields.pop("prescriber", "Dr. Example"),
        starts_on=fields.pop("starts_on", date.today() - timedelta(days=60)),
        consent_on=fields.pop("consent_on", date.today() - timedelta(days=61)),
        **fields,
    )


def make_dose(world, learner, *, order=None, status="given", by=None):
    """A MAR entry for the learner's first scheduled dose yesterday (ORM, no actions)."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from trellis.health.models import Dose

    order = order or make_order(world, learner)
    zone = ZoneInfo(learner.organization.time_zone)
    day = timezone.now().astimezone(zone).date() - timedelta(days=1)
    slot = datetime.combine(day, time.fromisoformat(sorted(order.times)[0]), tzinfo=zone)
    return Dose.objects.create(
        order=order,
        learner=learner,
        scheduled_for=slot,
        at=slot,
        status=status,
        recorded_by=by or world.nurse,
    )


def second_factor_code(user) -> str:
    """A fresh recovery code of the user, enrolled in two-factor sign-in if need be (a test's
    stand-in for the phone: an app's code cannot be used twice within 30 seconds)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Test app"})
    device, _ = StaticDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Recovery codes"}
    )
    return device.token_set.create(token=secrets.token_hex(5)).token


def pass_second_factor(client, user):
    """After Client.force_login: the session counts as second-factor checked when the user
    needs a second factor (force_login skips the sign-in form, and so the code too)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trellis.accounts.two_factor import requires_two_factor

    if not requires_two_factor(user):
        return
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "Test app"}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in_page(page, live_server, username, password=PASSWORD):
    """Sign in through the sign-in form in a real browser (Playwright page), with a second
    factor when the person needs one."""
    from trellis.accounts.two_factor import has_device, requires_two_factor

    user = User.objects.filter(username=username).first()
    code = (
        second_factor_code(user)
        if user and (requires_two_factor(user) or has_device(user))
        else None
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if code and "/accounts/two-factor/verify/" in page.url:
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


def assert_fits_viewport(page):
    """No page wider than the screen it is on (a phone scrolls sideways otherwise)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px screen"


def assert_every_value_on_screen(page):
    """assert_fits_viewport, and every table cell with text visible inside the screen with
    its column's label (a phone shows a table as labelled cards: nothing may be hidden)."""
    assert_fits_viewport(page)
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('table.list td, table.list tbody th')]
            .filter(cell => cell.textContent.trim())
            .filter(cell => {
              const box = cell.getBoundingClientRect();
              return cell.checkVisibility() === false || box.width === 0
                || box.right > innerWidth + 1 || box.left < -1;
            })
            .map(cell => cell.textContent.trim().slice(0, 40))"""
    )
    assert not hidden, f"{page.url} hides {hidden}"
    # app.js labels the cells at load and after each htmx swap: give a swap that is still
    # settling a moment.
    every_cell_labelled = (
        "() => [...document.querySelectorAll('table.list td')].every(td => td.dataset.label)"
    )
    from playwright.sync_api import TimeoutError as Timeout

    try:
        page.wait_for_function(every_cell_labelled, timeout=3000)
    except Timeout:
        raise AssertionError(f"{page.url}: a cell has no column label on the phone") from None
