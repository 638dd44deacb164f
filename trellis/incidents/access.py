"""Fetching an incident report: only for staff who may see its learner; otherwise an audited 404."""

from django.http import Http404

from trellis.audit.log import record
from trellis.incidents.models import Incident
from trellis.people.access import CHANGE, EXPORT, VIEW, is_staff_for


def get_incident_or_404(request, incident_id, action=VIEW, *, audit_action="incident.view"):
    incident = (
        Incident.objects.select_related(
            "learner__organization", "organization", "reported_by", "signed_by"
        )
        .filter(pk=incident_id)
        .first()
    )
    # Families do not read incident reports here, so every action needs a staff view of the
    # learner; change and export follow the same rule as the learner's other records.
    allowed = incident is not None and is_staff_for(request.user, incident.learner)
    assert action in (VIEW, CHANGE, EXPORT)
    if not allowed:
        record(
            audit_action or "incident.view",
            learner=incident.learner if incident else None,
            result="denied",
            detail={"incident_id": str(incident_id), "path": request.path},
        )
        raise Http404("No such incident report.")
    if audit_action:
        record(audit_action, learner=incident.learner, obj=incident)
    return incident
