"""Program admins read the audit log in a filtered page; nobody else can."""

from trellis.audit.log import record


def test_a_program_admin_filters_the_log_by_learner_and_result(client, world):
    client.force_login(world.technician)
    client.get(f"/learners/{world.own_learner.pk}/")  # a denial
    client.force_login(world.program_admin)
    page = client.get("/audit/", {"learner": "quill", "result": "denied"}).content.decode()
    assert "technician" in page and "learner.view" in page
    assert "Marrowdale" not in page


def test_the_admin_does_not_see_entries_about_learners_outside_their_organizations(client, world):
    record("learner.view", learner=world.client, user=world.technician)
    client.force_login(world.program_admin)
    assert "Marrowdale" not in client.get("/audit/").content.decode()


def test_a_bad_date_range_names_the_field(client, world):
    client.force_login(world.program_admin)
    page = client.get("/audit/", {"since": "2026-05-01", "until": "2026-04-01"}).content.decode()
    assert "The end date is before the start date." in page
    page = client.get("/audit/", {"since": "not a date"}).content.decode()
    assert "Enter a valid date." in page


def test_reading_the_log_is_itself_audited_and_others_are_refused(client, world):
    client.force_login(world.assistant)
    assert client.get("/audit/").status_code == 404
    client.force_login(world.program_admin)
    client.get("/audit/")
    from trellis.audit.models import AuditEntry

    actions = set(AuditEntry.objects.values_list("action", "result"))
    assert ("audit.view", "denied") in actions and ("audit.view", "ok") in actions
