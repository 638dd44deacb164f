"""Fetching orders and MAR entries: only for staff who may see the learner (nurses through
their caseload, program admins for their organizations); otherwise an audited 404."""

from django.http import Http404

from trellis.audit.log import record
from trellis.health.models import Dose, MedicationOrder
from trellis.people.access import is_staff_for


def _get(request, model, pk, audit_action):
    obj = model.objects.select_related("learner__organization").filter(pk=pk).first()
    if obj is None or not is_staff_for(request.user, obj.learner):
        record(
            audit_action or "mar.view" if model is Dose else "medication.view",
            learner=obj.learner if obj else None,
            result="denied",
            detail={"id": str(pk), "path": request.path},
        )
        raise Http404("Not found.")
    if audit_action:
        record(audit_action, learner=obj.learner, obj=obj)
    return obj


def get_order_or_404(request, order_id, *, audit_action="medication.view"):
    return _get(request, MedicationOrder, order_id, audit_action)


def get_dose_or_404(request, dose_id, *, audit_action="mar.view"):
    return _get(request, Dose, dose_id, audit_action)
