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


def test_a_denied_probe_leaves_the_id_not_the_name_and_the_prober_cannot_read_it_back(
    client, world
):
    """The district admin probes the agency's client: the entry names no child, and the
    district's audit page does not show it; the agency's admin sees the name."""
    from trellis.audit.models import AuditEntry

    client.force_login(world.program_admin)
    assert client.get(f"/learners/{world.client.pk}/").status_code == 404
    [denial] = AuditEntry.objects.filter(learner_id=world.client.pk, result="denied")
    assert denial.learner_label == "" and "Marrowdale" not in str(denial.detail)
    assert "Marrowdale" not in client.get("/audit/", {"result": "denied"}).content.decode()

    client.force_login(make_agency_admin(world))
    page = client.get("/audit/", {"learner": "marrow", "result": "denied"}).content.decode()
    assert "Cyrus Marrowdale" in page and "programadmin" in page


def test_an_entry_about_a_learner_shows_only_to_admins_of_that_learners_organization(client, world):
    """A person who administers both organizations reads the district's child: the agency's
    admin does not see that entry, though its writer is one of the agency's staff."""
    from trellis.people.models import Membership, Role

    both = world.program_admin
    Membership.objects.create(staff=both.staff, organization=world.clinic, role=Role.PROGRAM_ADMIN)
    record("learner.view", learner=world.own_learner, user=both)
    record("account.sign_in", user=both)
    client.force_login(make_agency_admin(world))
    page = client.get("/audit/").content.decode()
    assert "Quillfeather" not in page
    assert "account.sign_in" in page  # about no learner, written by the agency's staff


def test_the_django_admin_of_the_audit_log_is_scoped_the_same_way(client, world):
    from django.contrib.auth.models import Permission

    record("learner.view", learner=world.client, user=world.technician)
    record("learner.view", learner=world.own_learner, user=world.assistant)
    admin = world.program_admin
    admin.is_staff = True
    admin.save()
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="audit"))
    client.force_login(admin)
    page = client.get("/admin/audit/auditentry/").content.decode()
    assert "Quillfeather" in page and "Marrowdale" not in page
    client.force_login(world.assistant)
    assert client.get("/admin/audit/auditentry/").status_code == 302


def make_agency_admin(world):
    from trellis.people.models import Role
    from trellis.testing import make_staff

    return make_staff("agency-admin", world.clinic, Role.PROGRAM_ADMIN)


def test_a_high_severity_entry_is_marked_on_the_page(client, world):
    record("learner.emergency_access", learner=world.own_learner, detail={"severity": "high"})
    client.force_login(world.program_admin)
    page = client.get("/audit/", {"action": "learner.emergency"}).content.decode()
    assert '<span class="badge urgent">high</span>' in page
