"""The end of a session: the summary per goal, the note, its signature, co-signature and
amendments."""

import uuid

import pytest
from django.utils import timezone

from trellis.collect.models import Event, SessionNote
from trellis.collect.queries import session_summaries
from trellis.collect.tests.screen_world import screen_session
from trellis.testing import PASSWORD

pytestmark = pytest.mark.django_db


def add_event(session, goal, kind, value, voids=None):
    now = timezone.now()
    return Event.objects.create(
        id=uuid.uuid4(),
        session=session,
        goal=goal,
        kind=kind,
        value=value,
        recorded_at=now,
        received_at=now,
        recorded_by=session.recorded_by,
        voids=voids,
    )


@pytest.fixture
def session(world):
    return screen_session(world, world.own_learner, world.assistant, ["frequency", "trials"])


def end_page(client, session):
    return f"/collect/sessions/{session.pk}/end/"


def test_the_summary_counts_the_corrected_events_and_says_not_tracked(client, world, session):
    counted = session.goals.get(measure="frequency")
    add_event(session, counted, "count", {"n": 1})
    add_event(session, counted, "count", {"n": 1})
    mistake = add_event(session, counted, "count", {"n": 1})
    add_event(session, counted, "void", {"reason": "undo"}, voids=mistake)
    client.force_login(world.assistant)

    html = client.get(end_page(client, session)).content.decode()

    # The value the graph will show: the summaries of the collect app, voids applied.
    [frequency] = [row for row in session_summaries(session) if row["goal"] == counted.pk]
    assert frequency["value"] == 2
    assert f'<td class="value">{frequency["label"]}' in html
    assert "not tracked" in html  # the trials goal got no data: not a zero


def test_the_recorder_ends_the_session(client, world, session):
    client.force_login(world.assistant)

    response = client.post(end_page(client, session), {"step": "end"})

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ended_at is not None


def test_a_wrong_password_does_not_sign_and_says_which_field(client, world, session):
    client.force_login(world.assistant)
    client.post(end_page(client, session), {"step": "save", "note-what_was_done": "Reading"})

    response = client.post(
        end_page(client, session),
        {"step": "sign", "sign-typed_name": "Assistant Staffer", "sign-password": "nope"},
    )

    assert "Your password: The password is not right." in response.content.decode()
    assert not SessionNote.objects.get().is_locked


def test_a_signed_note_is_locked_and_changes_are_amendments_with_the_original_kept(
    client, world, session
):
    client.force_login(world.assistant)
    page = end_page(client, session)
    client.post(
        page,
        {
            "step": "save",
            "note-what_was_done": "Sight word drill, 20 trials",
            "note-learner_response": "Calm, engaged",
        },
    )
    client.post(
        page,
        {"step": "sign", "sign-typed_name": "assistant staffer", "sign-password": PASSWORD},
    )
    note = SessionNote.objects.get()
    assert note.is_locked and note.signed_name == "assistant staffer"

    edit = client.post(page, {"step": "save", "note-what_was_done": "Something else"})
    assert "amend it instead" in edit.content.decode()
    client.post(
        page,
        {
            "step": "amend",
            "amend-field": "what_was_done",
            "amend-new_text": "Sight word drill, 25 trials",
            "amend-reason": "Miscounted the trials",
        },
    )

    note.refresh_from_db()
    assert note.what_was_done == "Sight word drill, 20 trials"
    assert note.current("what_was_done") == "Sight word drill, 25 trials"
    html = client.get(page).content.decode()
    assert "Sight word drill, 25 trials" in html
    assert "Original:</strong> Sight word drill, 20 trials" in html
    assert "Miscounted the trials" in html


def test_the_supervisor_co_signs_and_the_signer_cannot(client, world, session):
    client.force_login(world.assistant)
    page = end_page(client, session)
    client.post(page, {"step": "save", "note-what_was_done": "Drill"})
    client.post(
        page, {"step": "sign", "sign-typed_name": "Assistant Staffer", "sign-password": PASSWORD}
    )
    assert "Co-sign as supervisor" not in client.get(page).content.decode()

    client.force_login(world.supervisor)
    assert "Co-sign as supervisor" in client.get(page).content.decode()
    client.post(
        page,
        {"step": "cosign", "cosign-typed_name": "Supervisor Staffer", "cosign-password": PASSWORD},
    )

    note = SessionNote.objects.get()
    assert note.cosigned_by == world.supervisor
    assert "Co-signed</strong> by Supervisor Staffer" in client.get(page).content.decode()


def test_staff_of_other_caseloads_and_guardians_do_not_see_the_summary(client, world, session):
    for persona in (world.other_assistant, world.guardian, world.technician):
        client.force_login(persona)
        assert client.get(end_page(client, session)).status_code == 404
