from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from trellis.audit.forms import AuditFilterForm
from trellis.audit.log import record
from trellis.audit.models import AuditEntry
from trellis.people.access import is_program_admin
from trellis.people.models import Learner, Membership
from trellis.people.staffing import administered_organizations


def administered_learners(user):
    return Learner.objects.filter(organization__in=administered_organizations(user))


def entries_visible_to(user):
    """A program admin reads the entries about their organizations' learners, and the entries
    about no learner written by their organizations' staff. An entry about a learner shows only
    to the admins of that learner's organization, whoever wrote it."""
    if user.is_superuser:
        return AuditEntry.objects.all()
    organizations = administered_organizations(user)
    org_users = Membership.objects.filter(organization__in=organizations).values("staff__user_id")
    return AuditEntry.objects.filter(
        Q(learner_id__in=administered_learners(user).values("pk"))
        | Q(learner_id__isnull=True, actor_id__in=org_users)
    )


def with_learner_names(entries, user):
    """Denials store the learner's id, not the name: show the name to an admin who may see it."""
    missing = {e.learner_id for e in entries if e.learner_id and not e.learner_label}
    names = {
        learner.pk: str(learner) for learner in administered_learners(user).filter(pk__in=missing)
    }
    for entry in entries:
        if entry.learner_id and not entry.learner_label:
            entry.learner_label = names.get(entry.learner_id, f"learner #{entry.learner_id}")
    return entries


@login_required
def audit_log(request):
    if not is_program_admin(request.user):
        record("audit.view", result="denied", detail={"path": request.path})
        raise Http404()
    form = AuditFilterForm(request.GET or None)
    entries = entries_visible_to(request.user)
    if form.is_valid():
        entries = form.filter(entries, administered_learners(request.user))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    with_learner_names(page.object_list, request.user)
    record("audit.view", detail={"filters": {k: v for k, v in request.GET.items() if v}})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "audit/log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
