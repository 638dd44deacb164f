"""An assistant files an incident report from the phone form; the supervisor hears at once."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core import mail

from trellis.audit.models import AuditEntry
from trellis.credentials.models import Credential, Kind
from trellis.incidents.models import Incident, LearnerServiceStatus, Notification
from trellis.incidents.tests.conftest import YESTERDAY, committed, restraint_post


def file(client, world, **overrides):
    return committed(
        lambda: client.post(
            f"/learners/{world.own_learner.pk}/incidents/new/", restraint_post(world, **overrides)
        )
    )


def test_filing_a_restraint_notifies_the_supervisor_in_the_app_and_by_email(client, world, trained):
    client.force_login(world.assistant)
    response = file(client, world)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/incidents/{incident.pk}/"
    assert incident.status == "filed" and incident.reported_by == world.assistant
    episode = incident.episodes.get()
    assert episode.duration_ms == 7 * 60 * 1000
    assert not incident.training_lapsed
    notice = Notification.objects.get(recipient=world.supervisor, kind="incident.filed")
    assert "Quillfeather" in notice.message and notice.url == f"/incidents/{incident.pk}/"
    (message,) = mail.outbox
    assert message.to == ["supervisor@example.org"]
    assert "restraint" in message.subject
    assert "Quillfeather" not in message.body and "/incidents/" in message.body


def test_filing_is_audited(client, world, trained):
    client.force_login(world.assistant)
    file(client, world)
    entry = AuditEntry.objects.get(action="incident.file")
    assert entry.learner_id == world.own_learner.pk and entry.actor_id == world.assistant.pk


def test_a_missing_narrative_is_named_and_the_rest_is_kept(client, world, trained):
    client.force_login(world.assistant)
    response = file(client, world, narrative="")
    page = response.content.decode()
    assert response.status_code == 200 and not Incident.objects.exists()
    assert "What happened (objective: what you saw and heard): This field is required." in page
    assert "Asked to line up for lunch." in page  # the rest of the input stays


def test_a_restraint_needs_the_imminent_risk_and_less_restrictive_steps(client, world, trained):
    client.force_login(world.assistant)
    page = file(client, world, imminent_risk="", less_restrictive_tried="").content.decode()
    assert "imminent risk of injury" in page and "less restrictive steps" in page
    assert not Incident.objects.exists()


def test_a_long_restraint_needs_an_administrators_approval(client, world, trained):
    client.force_login(world.assistant)
    page = file(client, world, episode_start="10:00", episode_end="10:20").content.decode()
    assert "Approved by (administrator): It ran longer than 15 minutes" in page
    response = file(
        client,
        world,
        episode_start="10:00",
        episode_end="10:20",
        approved_by="Dr. Principal",
        approved_at="10:14",
    )
    assert response.status_code == 302
    assert Incident.objects.get().episodes.get().approved_by == "Dr. Principal"


def test_the_end_cannot_come_before_the_start(client, world, trained):
    client.force_login(world.assistant)
    page = file(client, world, start="11:00", end="10:00").content.decode()
    assert "End: The end is before the start." in page


def test_a_restraint_by_staff_whose_crisis_training_lapsed_is_flagged(client, world):
    Credential.objects.create(
        staff=world.assistant.staff,
        kind=Kind.CRISIS,
        issued_on=YESTERDAY - timedelta(days=800),
        expires_on=YESTERDAY - timedelta(days=10),
    )
    client.force_login(world.assistant)
    file(client, world)
    incident = Incident.objects.get()
    assert incident.training_lapsed
    row = incident.episodes.get().staff.get()
    assert not row.training_current and row.crisis_training_expires_on is not None
    assert "Crisis training lapsed" in Notification.objects.get(recipient=world.supervisor).message
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Crisis training lapsed" in page and "lapsed" in page


def test_the_learners_disability_status_on_the_day_is_kept(client, world, trained):
    LearnerServiceStatus.objects.create(
        learner=world.own_learner, status="idea", starts_on=YESTERDAY - timedelta(days=100)
    )
    client.force_login(world.assistant)
    file(client, world)
    assert Incident.objects.get().disability_status == "idea"


def test_the_guardian_notice_is_due_by_the_end_of_the_day(client, world, trained):
    client.force_login(world.assistant)
    file(client, world)
    incident = Incident.objects.get()
    assert incident.guardian_required
    due = incident.guardian_due_at.astimezone(ZoneInfo("America/Chicago"))
    assert due.date() == YESTERDAY and due.hour == 23
    assert incident.guardian_overdue  # yesterday's deadline has passed


def test_a_behavior_report_has_no_restraint_section_requirements(client, world):
    client.force_login(world.assistant)
    response = file(
        client,
        world,
        kind="behavioral",
        imminent_risk="",
        less_restrictive_tried="",
        technique="",
        episode_start="",
        episode_end="",
        applied_by=None,
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert not incident.episodes.exists() and not incident.guardian_required


def test_a_fourth_restraint_in_30_days_raises_the_repeated_restraint_alert(client, world, trained):
    client.force_login(world.assistant)
    for _ in range(4):
        file(client, world)
    alert = Notification.objects.get(recipient=world.supervisor, kind="restraint.repeated")
    assert "4 times in 30 days" in alert.message


def test_nobody_files_for_a_learner_they_may_not_see(client, world):
    client.force_login(world.assistant)
    response = client.post(f"/learners/{world.classmate.pk}/incidents/new/", restraint_post(world))
    assert response.status_code == 404 and not Incident.objects.exists()
    assert AuditEntry.objects.filter(result="denied", learner_id=world.classmate.pk).exists()


def test_a_guardian_cannot_open_the_form_or_a_report(client, world):
    from trellis.testing import make_incident

    incident = make_incident(world, world.own_learner)
    client.force_login(world.guardian)
    assert client.get(f"/learners/{world.own_learner.pk}/incidents/new/").status_code == 404
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
