"""Demo disclosures and records requests on demo-assistant's caseload: a progress report sent
to the outside speech therapist with consent, a parent's request to see the records that comes
due before the IEP meeting, and a refused amendment with the parent's statement kept."""

from datetime import date, timedelta

from django.contrib.auth.models import User

from trellis.people.models import CaseAssignment
from trellis.records.models import Disclosure, RecordsRequest


def build(people):
    assistant = User.objects.get(username="demo-assistant")
    learners = [
        a.learner
        for a in CaseAssignment.objects.active()
        .filter(staff__user=assistant)
        .select_related("learner")
        .order_by("learner__last_name")[:2]
    ]
    if not learners:
        return
    today = date.today()
    first, second = learners[0], learners[-1]
    guardian = first.guardian_links.select_related("guardian").first()
    parent = f"{guardian.guardian}, {guardian.relationship}" if guardian else "A parent"
    Disclosure.objects.create(
        learner=first,
        disclosed_on=today - timedelta(days=20),
        party="Dana Whitfield, SLP, Lakeside Speech & Language Clinic",
        records="Reading goal progress report and graph, first quarter",
        basis=Disclosure.Basis.CONSENT,
        interest="The mother's written consent of September 8 is on file; the clinic "
        "coordinates its language therapy with the school's reading intervention.",
        recorded_by=assistant,
    )
    inspect = RecordsRequest(
        learner=first,
        kind=RecordsRequest.Kind.INSPECT,
        requested_by=parent,
        received_on=today - timedelta(days=12),
        meeting_on=today + timedelta(days=9),
        details="The evaluation report and this year's progress-monitoring data, before the "
        "annual IEP meeting.",
        recorded_by=assistant,
    )
    inspect.due_on = inspect.legal_due_date()
    inspect.save()
    amend = RecordsRequest(
        learner=second,
        kind=RecordsRequest.Kind.AMEND,
        requested_by="The student's father",
        received_on=today - timedelta(days=40),
        details="The behavior note of October 3 says he left the room; he was sent to the "
        "office.",
        status=RecordsRequest.Status.REFUSED,
        decided_on=today - timedelta(days=25),
        decision="Two staff present wrote the note as it stands; the father was told of his "
        "right to a hearing.",
        disagreement="He was sent out by the substitute; he did not leave on his own.",
        recorded_by=assistant,
    )
    amend.due_on = amend.legal_due_date()
    amend.save()
