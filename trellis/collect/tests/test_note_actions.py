"""The end of a session: the assistant writes the note and signs it (typed name + password);
it is locked; a supervisor co-signs; later changes are amendments with a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from trellis.audit.models import AuditEntry
from trellis.collect import actions
from trellis.testing import PASSWORD, make_goal, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(world):
    session = make_session(
        world, world.own_learner, [make_goal(world, world.own_learner)], by=world.assistant
    )
    return actions.save_note(
        world.assistant, session, what_was_done="Counted call-outs.", learner_response="Calm."
    )


def test_a_note_is_signed_with_the_typed_name_and_password_then_locked(world, note):
    signed = actions.sign_note(
        world.assistant, note, typed_name=" assistant  staffer ", password=PASSWORD
    )
    assert signed.is_locked and signed.signed_name == "assistant staffer"
    with pytest.raises(ValidationError):
        actions.save_note(world.assistant, note.session, what_was_done="Rewritten")
    note.refresh_from_db()
    assert note.what_was_done == "Counted call-outs."
    assert AuditEntry.objects.filter(action="note.sign", result="ok").exists()


def test_a_wrong_name_or_password_does_not_sign_and_is_audited(world, note):
    with pytest.raises(ValidationError) as error:
        actions.sign_note(world.assistant, note, typed_name="Someone Else", password="nope")
    assert set(error.value.message_dict) == {"typed_name", "password"}
    note.refresh_from_db()
    assert not note.is_locked
    assert AuditEntry.objects.filter(action="note.sign", result="denied").exists()


def test_a_supervisor_cosigns_but_the_signer_cannot(world, note):
    with pytest.raises(ValidationError):
        actions.cosign_note(
            world.supervisor, note, typed_name="Supervisor Staffer", password=PASSWORD
        )  # not signed yet
    actions.sign_note(world.assistant, note, typed_name="Assistant Staffer", password=PASSWORD)
    note.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.cosign_note(
            world.assistant, note, typed_name="Assistant Staffer", password=PASSWORD
        )
    assert actions.may_cosign(world.supervisor, note)
    cosigned = actions.cosign_note(
        world.supervisor, note, typed_name="Supervisor Staffer", password=PASSWORD
    )
    assert cosigned.cosigned_by == world.supervisor


def test_a_signed_note_is_amended_with_a_reason_and_the_original_kept(world, note):
    actions.sign_note(world.assistant, note, typed_name="Assistant Staffer", password=PASSWORD)
    note.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        actions.amend_note(
            world.assistant, note, field="learner_response", new_text="Upset", reason=""
        )
    assert "reason" in error.value.message_dict
    amendment = actions.amend_note(
        world.assistant,
        note,
        field="learner_response",
        new_text="Upset after recess.",
        reason="Forgot the recess",
    )
    note.refresh_from_db()
    assert note.learner_response == "Calm."
    assert note.current("learner_response") == "Upset after recess."
    assert amendment.previous_text == "Calm."
    assert AuditEntry.objects.filter(action="note.amend").exists()


def test_another_caseload_cannot_write_or_amend_the_note(world, note):
    with pytest.raises(Http404):
        actions.save_note(world.other_assistant, note.session, what_was_done="x")
    assert AuditEntry.objects.filter(action="note.save", result="denied").exists()
