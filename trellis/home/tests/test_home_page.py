"""Each person signs in and lands on the work that needs them today."""

import html
from datetime import date, timedelta

from django.core import mail
from django.utils import timezone

from trellis.collect.actions import cosign_note, save_note, sign_note
from trellis.credentials.models import Credential
from trellis.incidents.models import FollowUp
from trellis.monitoring.tests.helpers import make_recommendation
from trellis.testing import PASSWORD, make_incident, make_session


def _signed_note(world, learner, by):
    session = make_session(world, learner, by=by)
    session.ended_at = timezone.now()
    session.save()
    note = save_note(by, session, what_was_done="Reading probe, three passages.")
    return sign_note(by, note, typed_name=by.get_full_name(), password=PASSWORD)


def test_signing_in_lands_on_today(client, world):
    response = client.post(
        "/accounts/login/", {"username": "assistant", "password": PASSWORD}, follow=True
    )
    assert response.request["PATH_INFO"] == "/"
    assert b"Today," in response.content


def test_an_assistant_sees_open_sessions_notes_to_sign_follow_ups_and_todays_caseload(
    client, world
):
    open_session = make_session(world, world.own_learner, by=world.assistant)
    ended = make_session(world, world.own_learner, by=world.assistant)
    ended.ended_at = timezone.now()
    ended.save()
    incident = make_incident(world, world.own_learner)
    FollowUp.objects.create(
        incident=incident,
        action="Replace the broken tablet case",
        owner=world.assistant.staff,
        due_on=date.today() - timedelta(days=1),
    )
    client.force_login(world.assistant)
    page = client.get("/").content.decode()

    assert f"/collect/sessions/{open_session.pk}/" in page  # continue recording
    assert f"/collect/sessions/{ended.pk}/end/" in page  # summary and note
    assert "Replace the broken tablet case" in page and "Overdue since" in page
    assert f"/collect/learners/{world.own_learner.pk}/start/" in page
    # An assistant reviews nobody's work.
    assert "co-signature" not in page
    assert "Brightwater" not in page  # a classmate on another caseload


def test_a_note_awaiting_co_signature_leaves_the_supervisors_queue_when_co_signed(client, world):
    note = _signed_note(world, world.own_learner, world.assistant)
    client.force_login(world.supervisor)
    page = client.get("/").content.decode()
    assert "Notes awaiting your co-signature" in page
    assert f"/collect/sessions/{note.session_id}/end/" in page

    cosign_note(
        world.supervisor, note, typed_name=world.supervisor.get_full_name(), password=PASSWORD
    )
    page = client.get("/").content.decode()
    assert f"/collect/sessions/{note.session_id}/end/" not in page
    assert "No note is waiting for your co-signature." in page


def test_the_signer_never_sees_their_own_note_to_co_sign(client, world):
    note = _signed_note(world, world.own_learner, world.supervisor)
    client.force_login(world.supervisor)
    assert f"/collect/sessions/{note.session_id}/end/" not in client.get("/").content.decode()


def test_a_supervisor_sees_reports_to_review_overdue_notices_flags_and_credentials(client, world):
    filed = make_incident(world, world.own_learner)
    overdue = make_incident(
        world,
        world.own_learner,
        "restraint",
        guardian_required=True,
        guardian_due_at=timezone.now() - timedelta(hours=3),
    )
    recommendation = make_recommendation(world, world.own_learner)
    Credential.objects.create(
        staff=world.assistant.staff,
        kind="cpr_first_aid",
        issued_on=date.today() - timedelta(days=700),
        expires_on=date.today() + timedelta(days=10),
    )
    client.force_login(world.supervisor)
    page = client.get("/").content.decode()

    assert f"/incidents/{filed.pk}/" in page
    assert f"/incidents/{overdue.pk}/guardian/" in page
    assert f"/goals/{recommendation.goal_id}/monitor/" in page
    assert "Assistant Staffer — CPR / First Aid" in page


def test_a_flag_in_the_queue_is_worded_for_the_goals_direction(client, world):
    recommendation = make_recommendation(world, world.own_learner)
    recommendation.kind = "raise_goal"
    recommendation.save()
    recommendation.goal.direction = "decrease"
    recommendation.goal.save()
    client.force_login(world.supervisor)
    page = html.unescape(client.get("/").content.decode())
    assert f"Lower the goal — {world.own_learner}" in page
    assert "Raise the goal" not in page and "more ambitious" not in page


def test_a_renewed_credential_is_not_called_expiring(client, world):
    for issued, expires in [(-700, 10), (-5, 700)]:
        Credential.objects.create(
            staff=world.assistant.staff,
            kind="cpr_first_aid",
            issued_on=date.today() + timedelta(days=issued),
            expires_on=date.today() + timedelta(days=expires),
        )
    client.force_login(world.supervisor)
    assert "Assistant Staffer — CPR / First Aid" not in client.get("/").content.decode()


def test_a_program_admin_sees_the_roll_ups_of_their_organizations_only(client, world):
    district_note = _signed_note(world, world.classmate, world.other_assistant)
    clinic_incident = make_incident(world, world.client, by=world.technician)
    client.force_login(world.program_admin)
    page = client.get("/").content.decode()
    assert f"/collect/sessions/{district_note.session_id}/end/" in page
    assert f"/incidents/{clinic_incident.pk}/" not in page
    assert "Marrowdale" not in page


def test_a_guardian_lands_on_their_children_without_a_staff_search(client, world):
    client.force_login(world.guardian)
    response = client.get("/", follow=True)
    assert response.request["PATH_INFO"] == "/caseload/"
    page = response.content.decode()
    assert "My children" in page and "Quillfeather" in page
    assert "Search by name or ID" not in page


def test_the_nav_counts_the_work_waiting(client, world):
    _signed_note(world, world.own_learner, world.assistant)
    client.force_login(world.supervisor)
    page = client.get("/caseload/").content.decode()
    assert 'aria-label="1 waiting"' in page


def test_the_nav_offers_what_each_role_uses(client, world):
    def nav(user):
        client.force_login(user)
        page = client.get("/caseload/").content.decode()
        return page[page.index('<nav id="main-nav"') : page.index("</nav>")]

    assistant = nav(world.assistant)
    for label in ["Today", "Caseload", "Progress", "Incidents", "Credentials", "Notifications"]:
        assert f">{label}" in assistant
    assert "Staff<" not in assistant and "Audit log" not in assistant
    admin = nav(world.program_admin)
    for label in ["Staff", "Pick lists", "Audit log"]:
        assert f">{label}<" in admin
    family = nav(world.guardian)
    assert "My children" in family and "Progress" not in family
    assert not mail.outbox


def test_a_nurse_opens_the_medication_record_of_their_cases(client, world):
    from trellis.testing import assign

    assign(world.nurse, world.own_learner, role="nurse")
    client.force_login(world.nurse)
    page = html.unescape(client.get("/").content.decode())
    assert "Today's medications" in page
    assert f"/learners/{world.own_learner.pk}/mar/" in page
    assert f"/collect/learners/{world.own_learner.pk}/start/" not in page


def test_the_nurse_sees_how_far_todays_round_is_for_each_case(client, world):
    """Each case says how many of today's scheduled doses are charted and which is next, or
    which are overdue (past their window, as the MAR marks them)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from trellis.health.models import Dose
    from trellis.health.rounds import todays_round
    from trellis.testing import assign, make_order

    assign(world.nurse, world.own_learner, role="nurse")
    order = make_order(world, world.own_learner, times=("08:00", "12:00", "16:00"))
    zone = ZoneInfo(world.own_learner.organization.time_zone)
    day = dt.datetime.now(zone).date()
    eight = dt.datetime.combine(day, dt.time(8), tzinfo=zone)
    Dose.objects.create(
        order=order,
        learner=world.own_learner,
        scheduled_for=eight,
        at=eight,
        status="given",
        recorded_by=world.nurse,
    )

    def at(hour, minute=0):
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)

    assert todays_round(world.own_learner, at(11)).words() == "1 of 3 doses charted · next 12:00"
    assert todays_round(world.own_learner, at(17, 30)).words() == (
        "1 of 3 doses charted · overdue 12:00, 16:00"
    )
    client.force_login(world.nurse)
    assert "1 of 3 doses charted" in client.get("/").content.decode()
