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
