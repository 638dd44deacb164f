"""The reports page (counts, minutes, CRDC, repeated restraints), the PDF, notifications."""

from datetime import timedelta

from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.incidents.models import LearnerServiceStatus, Notification, RestraintEpisode
from trellis.testing import make_incident


def restraint(world, learner, days_ago, kind="physical", status="none", minutes=5):
    end = timezone.now() - timedelta(days=days_ago)
    incident = make_incident(
        world,
        learner,
        "seclusion" if kind == "seclusion" else "restraint",
        started_at=end - timedelta(minutes=minutes),
        ended_at=end,
        disability_status=status,
    )
    RestraintEpisode.objects.create(
        incident=incident,
        kind=kind,
        technique="Hold",
        started_at=end - timedelta(minutes=minutes),
        ended_at=end,
    )
    return incident


def test_the_reports_page_counts_minutes_and_the_crdc_table(client, world):
    restraint(world, world.own_learner, 2, status="idea", minutes=6)
    restraint(world, world.own_learner, 3, kind="seclusion", status="idea", minutes=4)
    make_incident(world, world.own_learner, "property")
    restraint(world, world.classmate, 2, status="section_504")  # not visible to the supervisor
    client.force_login(world.supervisor)
    response = client.get("/incidents/reports/")
    page = response.content.decode()
    crdc = response.context["crdc"]["rows"]
    physical = next(r for r in crdc if r["label"] == "Physical restraint")
    assert physical["cells"][0] == {"learners": 1, "instances": 1}  # IDEA
    assert physical["cells"][1] == {"learners": 0, "instances": 0}  # 504 only: hidden learner
    by_type = {row.label: row for row in response.context["tables"]["type"]}
    assert by_type["Restraint"].count == 1 and by_type["Restraint"].restraint_minutes == 6
    assert response.context["total"] == 3
    assert "Brightwater" not in page
    assert AuditEntry.objects.filter(action="incident.report").exists()


def test_more_than_n_restraints_in_30_days_is_an_alert(client, world):
    for days in (1, 5, 9, 12):
        restraint(world, world.own_learner, days)
    restraint(world, world.own_learner, 80)
    client.force_login(world.supervisor)
    alerts = client.get("/incidents/reports/").context["alerts"]
    assert [(a.learner, a.count) for a in alerts] == [(world.own_learner, 4)]


def test_the_report_pdf_is_a_pdf_and_its_export_is_audited(client, world):
    incident = restraint(world, world.own_learner, 1)
    client.force_login(world.supervisor)
    response = client.get(f"/incidents/{incident.pk}/report.pdf", {"for": "internal"})
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="incident.export", object_id=str(incident.pk)).exists()
    client.force_login(world.other_assistant)
    assert client.get(f"/incidents/{incident.pk}/report.pdf").status_code == 404


def test_the_notifications_badge_and_page(client, world):
    incident = make_incident(world, world.own_learner)
    Notification.objects.create(
        recipient=world.supervisor,
        kind="incident.filed",
        message="A report to review",
        url=f"/incidents/{incident.pk}/",
        incident=incident,
    )
    client.force_login(world.supervisor)
    page = client.get("/notifications/").content.decode()
    assert "A report to review" in page and 'aria-label="1 unread"' in page
    client.get(f"/incidents/{incident.pk}/")  # opening the report reads its notification
    assert 'aria-label="1 unread"' not in client.get("/notifications/").content.decode()


def test_the_learner_profile_shows_incidents_to_staff_only(client, world):
    make_incident(world, world.own_learner, "elopement")
    client.force_login(world.assistant)
    assert "Elopement" in client.get(f"/learners/{world.own_learner.pk}/").content.decode()
    client.force_login(world.guardian)
    page = client.get(f"/learners/{world.own_learner.pk}/").content.decode()
    assert "incidents-section" not in page and "medications-section" not in page


def test_service_status_on_a_date(world):
    from datetime import date

    LearnerServiceStatus.objects.create(
        learner=world.own_learner,
        status="section_504",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 6, 1),
    )
    assert LearnerServiceStatus.on(world.own_learner, date(2025, 3, 1)) == "section_504"
    assert LearnerServiceStatus.on(world.own_learner, date(2025, 7, 1)) == "none"
