"""A learner's profile: details, guardians and team, for those who may see it."""

from trellis.audit.models import AuditEntry


def test_the_profile_shows_details_guardians_and_team(client, world):
    client.force_login(world.assistant)
    page = client.get(f"/learners/{world.own_learner.pk}/").content.decode()
    assert "Olive Quillfeather" in page
    assert "Gwen Quillfeather" in page  # guardian
    assert "Assistant Staffer" in page  # team
    assert "ID-QUIL" in page  # staff see identifiers


def test_a_guardian_does_not_see_internal_identifiers(client, world):
    client.force_login(world.guardian)
    page = client.get(f"/learners/{world.own_learner.pk}/").content.decode()
    assert "Olive Quillfeather" in page and "ID-QUIL" not in page


def test_another_learner_is_a_404_and_an_audited_denial(client, world):
    client.force_login(world.assistant)
    response = client.get(f"/learners/{world.classmate.pk}/")
    assert response.status_code == 404
    assert "Brightwater" not in response.content.decode()
    denial = AuditEntry.objects.get(result="denied", action="learner.view")
    assert denial.learner_id == world.classmate.pk and denial.actor_id == world.assistant.pk


def test_a_learner_that_does_not_exist_looks_the_same_as_one_you_may_not_see(client, world):
    client.force_login(world.assistant)
    missing = client.get("/learners/999999/")
    hidden = client.get(f"/learners/{world.classmate.pk}/")
    assert missing.status_code == hidden.status_code == 404
    # Same page, word for word, except the per-response CSRF token.
    assert (
        missing.content.decode().split("X-CSRFToken")[0]
        == (hidden.content.decode().split("X-CSRFToken")[0])
    )
    assert (
        missing.content.decode().split("</body>")[0].split("<main")[1]
        == (hidden.content.decode().split("</body>")[0].split("<main")[1])
    )
