"""The Django admin is for program admins, and obeys caseload scoping too."""


def test_staff_without_admin_rights_are_sent_to_the_admin_sign_in(client, world):
    client.force_login(world.assistant)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_a_program_admin_sees_only_their_subtree_in_the_admin(client, world):
    from django.contrib.auth.models import Permission

    admin = world.program_admin
    admin.is_staff = True
    admin.save()
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="people"))
    client.force_login(world.program_admin)
    listing = client.get("/admin/people/learner/").content.decode()
    assert "Quillfeather" in listing and "Marrowdale" not in listing
    hidden = client.get(f"/admin/people/learner/{world.client.pk}/change/")
    assert hidden.status_code == 302  # "does not exist", back to the index
    assert client.get(f"/admin/people/learner/{world.own_learner.pk}/change/").status_code == 200


def _district_admin_in_the_admin(client, world):
    from django.contrib.auth.models import Permission

    admin = world.program_admin
    admin.is_staff = True
    admin.save()
    admin.user_permissions.set(Permission.objects.filter(content_type__app_label="people"))
    client.force_login(admin)


def test_every_people_list_is_scoped_to_the_admins_organizations(client, world):
    """A district admin reads nothing of the agency's: not its cases, groups, guardians, staff
    or organizations."""
    from trellis.people.models import Group, Guardian, GuardianLink

    clinic_group = Group.objects.create(organization=world.clinic, name="Clinic social group")
    clinic_group.learners.add(world.client)
    clinic_parent = Guardian.objects.create(
        first_name="Petra", last_name="Marrowdale", email="petra@example.org", address="1 Elm St"
    )
    GuardianLink.objects.create(guardian=clinic_parent, learner=world.client)
    _district_admin_in_the_admin(client, world)
    for url in [
        "/admin/people/caseassignment/",
        "/admin/people/group/",
        "/admin/people/guardian/",
        "/admin/people/staffmember/",
        "/admin/people/organization/",
        "/admin/people/learner/",
    ]:
        page = client.get(url).content.decode()
        assert client.get(url).status_code == 200, url
        for secret in ["Marrowdale", "Clinic social group", "Technician Staffer", "Test Clinic"]:
            assert secret not in page, f"{secret} on {url}"
    for url in [
        f"/admin/people/guardian/{clinic_parent.pk}/change/",
        f"/admin/people/group/{clinic_group.pk}/change/",
        f"/admin/people/staffmember/{world.technician.staff.pk}/change/",
        f"/admin/people/organization/{world.clinic.pk}/change/",
    ]:
        assert client.get(url).status_code == 302, url  # "does not exist"


def test_an_admin_cannot_assign_a_case_in_another_organization(client, world):
    from trellis.people.models import CaseAssignment

    _district_admin_in_the_admin(client, world)
    response = client.post(
        "/admin/people/caseassignment/add/",
        {
            "learner": world.client.pk,
            "staff": world.assistant.staff.pk,
            "role": "assistant",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CaseAssignment.objects.filter(learner=world.client, staff=world.assistant.staff)
    # Nor link the agency's technician to a district learner.
    client.post(
        "/admin/people/caseassignment/add/",
        {
            "learner": world.own_learner.pk,
            "staff": world.technician.staff.pk,
            "role": "assistant",
            "starts_on": "2026-01-01",
        },
    )
    assert not CaseAssignment.objects.filter(
        learner=world.own_learner, staff=world.technician.staff
    )


def test_a_staff_user_without_an_admin_role_gets_no_people_admin(client, world):
    from django.contrib.auth.models import Permission

    nurse = world.nurse
    nurse.is_staff = True
    nurse.save()
    nurse.user_permissions.set(Permission.objects.filter(content_type__app_label="people"))
    client.force_login(nurse)
    assert client.get("/admin/people/learner/").status_code == 403


def test_record_admins_are_for_superusers_and_the_scoped_ones_for_program_admins(client, world):
    """trellis/admin_site.py: the collect and plans record admins, Django's users and the
    lockout log answer 403 to a program admin (Trellis's own pages do that work, scoped);
    the people and audit admins serve them; a superuser has everything."""
    from django.contrib.auth.models import Permission

    from trellis.testing import make_user

    _district_admin_in_the_admin(client, world)
    world.program_admin.user_permissions.set(Permission.objects.all())
    for url in [
        "/admin/collect/session/",
        "/admin/collect/apitoken/",
        "/admin/plans/plan/add/",
        "/admin/auth/user/",
        "/admin/axes/accesslog/",
    ]:
        assert client.get(url).status_code == 403, url
    for url in ["/admin/people/learner/", "/admin/audit/auditentry/"]:
        assert client.get(url).status_code == 200, url
    index = client.get("/admin/").content.decode()
    assert "People and caseloads" in index and "Data collection" not in index
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get("/admin/collect/session/").status_code == 200
