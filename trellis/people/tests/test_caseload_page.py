"""The caseload page: the learners a user may see, searchable."""

from trellis.audit.models import AuditEntry
from trellis.testing import assign


def test_the_caseload_lists_my_learners_and_no_one_else(client, world):
    client.force_login(world.assistant)
    page = client.get("/caseload/").content.decode()
    assert "Quillfeather" in page
    assert "Brightwater" not in page and "Marrowdale" not in page


def test_search_narrows_the_caseload_and_htmx_gets_only_the_table(client, world):
    assign(world.assistant, world.other_school_learner)
    client.force_login(world.assistant)
    page = client.get("/caseload/", {"q": "ferns"}, headers={"HX-Request": "true"})
    body = page.content.decode()
    assert "Fernsby" in body and "Quillfeather" not in body
    assert "<html" not in body


def test_an_empty_search_says_so(client, world):
    client.force_login(world.assistant)
    assert "Nobody on your caseload matches" in client.get("/caseload/?q=zzz").content.decode()


def test_viewing_the_caseload_is_audited(client, world):
    client.force_login(world.assistant)
    client.get("/caseload/")
    assert AuditEntry.objects.filter(action="caseload.view", actor_id=world.assistant.pk).exists()


def test_a_guardian_sees_their_children_under_a_family_heading(client, world):
    client.force_login(world.guardian)
    page = client.get("/caseload/").content.decode()
    assert "My children" in page and "Quillfeather" in page
