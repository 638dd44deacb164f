"""Recording disclosures and records requests, and deciding requests; every write audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from trellis.audit.log import record
from trellis.people.access import CHANGE, may
from trellis.records.models import Disclosure, RecordsRequest


def _check(by, learner, action):
    if not may(by, CHANGE, learner):
        record(action, learner=learner, result="denied")
        raise PermissionDenied("You may not change this learner's records.")


def record_disclosure(*, by, learner, **fields):
    _check(by, learner, "records.disclosure")
    disclosure = Disclosure(learner=learner, recorded_by=by, **fields)
    if disclosure.basis == Disclosure.Basis.OTHER and len(disclosure.interest.strip()) < 10:
        raise ValidationError({"interest": "Say which legal basis allows the disclosure."})
    disclosure.full_clean()
    with transaction.atomic():
        disclosure.save()
        record(
            "records.disclosure",
            learner=learner,
            obj=disclosure,
            detail={"party": disclosure.party, "basis": disclosure.basis},
        )
    return disclosure


def open_request(*, by, learner, **fields):
    _check(by, learner, "records.request")
    request = RecordsRequest(learner=learner, recorded_by=by, **fields)
    request.full_clean(exclude=["due_on"])
    request.due_on = request.legal_due_date()
    with transaction.atomic():
        request.save()
        record(
            "records.request",
            learner=learner,
            obj=request,
            detail={"kind": request.kind, "due_on": request.due_on.isoformat()},
        )
    return request


def decide(*, by, request, status, decision, disagreement=""):
    """Close a request: records shown, amended, or amendment refused (with the parent's right to
    a hearing and to a statement of disagreement, kept with the records)."""
    _check(by, request.learner, "records.decide")
    if request.status != RecordsRequest.Status.OPEN:
        raise ValidationError({"__all__": "This request is already closed."})
    allowed = (
        {RecordsRequest.Status.FULFILLED}
        if request.kind == RecordsRequest.Kind.INSPECT
        else {RecordsRequest.Status.AMENDED, RecordsRequest.Status.REFUSED}
    )
    if status not in allowed:
        raise ValidationError({"status": "Choose an outcome this kind of request can have."})
    if status == RecordsRequest.Status.REFUSED and not decision.strip():
        raise ValidationError({"decision": "Say why the amendment is refused."})
    if disagreement.strip() and status != RecordsRequest.Status.REFUSED:
        raise ValidationError(
            {"disagreement": "A statement of disagreement follows a refused amendment."}
        )
    with transaction.atomic():
        request.status = status
        request.decision = decision.strip()
        request.disagreement = disagreement.strip()
        request.decided_on = timezone.localdate()
        request.save()
        record(
            "records.decide",
            learner=request.learner,
            obj=request,
            detail={"status": status, "late": request.decided_on > request.due_on},
        )
    return request
