"""A supervisor renames and reorders the options of the school's ABC pick lists. The code stays
(recorded ABC events store it); every change is audited; a wrong value names its field."""

import pytest

from trellis.audit.models import AuditEntry
from trellis.plans import actions
from trellis.plans.models import AbcOption

pytestmark = pytest.mark.django_db


@pytest.fixture
def options(world):
    """Two antecedents of Alder School, "Demand placed" first."""
    return [
        actions.save_abc_option(
            world.supervisor, world.school, kind="antecedent", label=label, code=code, order=order
        )
        for order, (label, code) in enumerate(
            [("Demand placed", "demand"), ("Transition", "transition")]
        )
    ]


def edit(world, option, **values):
    return {
        "organization": world.school.pk,
        "action": "edit_option",
        "option": option.pk,
    } | {f"option-{option.pk}-{name}": value for name, value in values.items()}


URL = "/organizations/lists/"


def test_a_supervisor_renames_an_option_and_moves_it_first(client, world, options):
    demand, transition = options
    client.force_login(world.supervisor)
    page = client.get(f"{URL}?organization={world.school.pk}").content.decode()
    assert "Rename or reorder “Transition”" in page
    assert f'name="option-{transition.pk}-label" value="Transition"' in page
    response = client.post(
        URL, edit(world, transition, label="Transition between activities", order=0)
    )
    assert response.url == f"{URL}?organization={world.school.pk}"
    demand = AbcOption.objects.get(pk=demand.pk)
    client.post(URL, edit(world, demand, label=demand.label, order=1))
    assert [(o.label, o.code) for o in AbcOption.for_organization(world.school)] == [
        ("Transition between activities", "transition"),  # the code events store stays
        ("Demand placed", "demand"),
    ]
    # The page's changes (the fixture wrote its options as "system")
    saved = AuditEntry.objects.filter(action="abc_option.save", actor_id=world.supervisor.pk)
    rename = saved.get(object_id=str(transition.pk))
    assert rename.detail == {
        "kind": "antecedent",
        "code": "transition",
        "label": "Transition between activities",
        "function": "",
        "changed": ["label", "order"],
    }
    assert saved.get(object_id=str(demand.pk)).detail["changed"] == ["order"]


def test_a_wrong_value_names_the_field_and_keeps_the_other_input(client, world, options):
    _, transition = options
    client.force_login(world.supervisor)
    response = client.post(URL, edit(world, transition, label="Lining up", order=-1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Order: Ensure this value is greater than or equal to 0." in page
    assert 'value="Lining up"' in page and "<details open>" in page
    response = client.post(URL, edit(world, transition, label="", order=2))
    assert "Label: This field is required." in response.content.decode()
    transition.refresh_from_db()
    assert (transition.label, transition.order) == ("Transition", 1)


def test_a_supervisor_says_which_function_an_option_suggests(client, world, options):
    """The FBA reads the function from the option; only antecedents and consequences have one."""
    demand, _ = options
    client.force_login(world.supervisor)
    client.post(URL, edit(world, demand, label=demand.label, order=0, function="escape"))
    demand.refresh_from_db()
    assert demand.function == "escape"
    entries = AuditEntry.objects.filter(action="abc_option.save", object_id=str(demand.pk))
    entry = entries.order_by("pk").last()
    assert entry.detail["function"] == "escape" and "function" in entry.detail["changed"]
    assert "suggests escape" in client.get(f"{URL}?organization={world.school.pk}").content.decode()
    behavior = actions.save_abc_option(
        world.supervisor, world.school, kind="behavior", label="Hitting", code="hitting"
    )
    response = client.post(URL, edit(world, behavior, label="Hitting", order=0, function="escape"))
    assert "Only antecedents and consequences suggest a function." in response.content.decode()
    behavior.refresh_from_db()
    assert behavior.function == ""


def test_an_options_kind_and_code_never_change(world, options):
    from django.core.exceptions import ValidationError

    demand, _ = options
    with pytest.raises(ValidationError) as error:
        actions.save_abc_option(world.supervisor, world.school, demand, code="demands")
    assert "code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.save_abc_option(world.supervisor, world.school, demand, kind="consequence")
    assert "kind" in error.value.message_dict
    demand.refresh_from_db()
    assert (demand.kind, demand.code) == ("antecedent", "demand")


def test_a_program_admin_of_the_district_edits_the_schools_list(client, world, options):
    demand, _ = options
    client.force_login(world.program_admin)
    client.post(URL, edit(world, demand, label="Task demand", order=0))
    demand.refresh_from_db()
    assert demand.label == "Task demand"


@pytest.mark.parametrize("persona", ["assistant", "guardian", "outsider"])
def test_someone_who_edits_no_lists_gets_a_404_and_it_is_audited(client, world, options, persona):
    # Assistants record ABC data with the lists; they, families and outsiders do not edit them.
    demand, _ = options
    user = getattr(world, persona)
    client.force_login(user)
    assert client.post(URL, edit(world, demand, label="Mine", order=0)).status_code == 404
    demand.refresh_from_db()
    assert demand.label == "Demand placed"
    assert AuditEntry.objects.filter(
        action="org_lists.view", result="denied", actor_id=user.pk
    ).exists()


def test_another_schools_supervisor_cannot_edit_this_schools_options(
    client, world, options, birch_supervisor
):
    demand, _ = options
    client.force_login(birch_supervisor)
    # Naming Alder School as the organization…
    assert client.post(URL, edit(world, demand, label="Mine", order=0)).status_code == 404
    # …or naming Birch School with Alder's option.
    own_school = edit(world, demand, label="Mine", order=0) | {
        "organization": world.other_school.pk
    }
    assert client.post(URL, own_school).status_code == 404
    demand.refresh_from_db()
    assert demand.label == "Demand placed"
    denied = AuditEntry.objects.filter(result="denied", actor_id=birch_supervisor.pk)
    assert [e.action for e in denied.order_by("id")] == ["org_lists.view", "org_lists.change"]


def test_the_admin_renames_an_option_but_keeps_its_kind_and_code(client, world, options):
    from trellis.testing import make_user

    demand, _ = options
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    url = f"/admin/plans/abcoption/{demand.pk}/change/"
    response = client.post(
        url,
        {
            "organization": world.school.pk,
            "kind": "consequence",
            "label": "Task demand",
            "code": "demands",
            "order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 302
    demand.refresh_from_db()
    assert (demand.kind, demand.label, demand.code) == ("antecedent", "Task demand", "demand")
