from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from trellis.audit.forms import AuditFilterForm
from trellis.audit.log import record
from trellis.audit.models import AuditEntry
from trellis.people.access import is_program_admin, staff_of
from trellis.people.models import Learner, Membership, Role


def entries_visible_to(user):
    """A program admin reads entries about their organizations' learners and staff."""
    if user.is_superuser:
        return AuditEntry.objects.all()
    staff = staff_of(user)
    learner_ids = Learner.objects.visible_to(user).values("pk")
    in_orgs = Q(pk__in=[])
    admin_of = staff.memberships.filter(role=Role.PROGRAM_ADMIN)
    for path in admin_of.values_list("organization__path", flat=True):
        in_orgs |= Q(organization__path__startswith=path)
    org_users = Membership.objects.filter(in_orgs).values("staff__user_id")
    return AuditEntry.objects.filter(Q(learner_id__in=learner_ids) | Q(actor_id__in=org_users))


@login_required
def audit_log(request):
    if not is_program_admin(request.user):
        record("audit.view", result="denied", detail={"path": request.path})
        raise Http404()
    form = AuditFilterForm(request.GET or None)
    entries = entries_visible_to(request.user)
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    record("audit.view", detail={"filters": {k: v for k, v in request.GET.items() if v}})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
