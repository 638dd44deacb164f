from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from trellis.audit.log import record
from trellis.people.access import get_learner_or_404, is_staff_for_request
from trellis.people.models import Learner


@login_required
def caseload(request):
    """My caseload: the learners the user may see, with search; htmx swaps just the table."""
    query = request.GET.get("q", "").strip()
    learners = (
        Learner.objects.visible_to(request.user)
        .filter(active=True)
        .search(query)
        .select_related("organization")
    )
    page = Paginator(learners, 50).get_page(request.GET.get("page"))
    record("caseload.view", detail={"q": query, "shown": len(page.object_list)})
    template = "people/_caseload_table.html" if request.htmx else "people/caseload.html"
    return render(request, template, {"page": page, "q": query})


@login_required
def learner_profile(request, learner_id):
    learner = get_learner_or_404(request, learner_id)
    context = {
        "learner": learner,
        "is_staff_view": is_staff_for_request(request, learner),
        "guardian_links": learner.guardian_links.select_related("guardian"),
        "team": learner.active_assignments(),
        "sections": learner_sections(request, learner),
    }
    return render(request, "people/learner.html", context)


def learner_sections(request, learner):
    """The parts of the profile other apps fill (plans, data, incidents, medications).

    An app offers one by giving its AppConfig a `learner_section(request, learner)` method that
    returns rendered HTML, or None when it has nothing for this user and learner.
    """
    sections = []
    for config in apps.get_app_configs():
        hook = getattr(config, "learner_section", None)
        if hook is not None:
            html = hook(request, learner)
            if html:
                sections.append(html)
    return sections
