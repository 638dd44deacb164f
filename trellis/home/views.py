from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from trellis.audit.log import record
from trellis.home import queues
from trellis.home.context_processors import remember_count
from trellis.people.access import staff_of


@login_required
def home(request):
    """Each person lands on what needs them today; a family on their children."""
    user = request.user
    if staff_of(user) is None and not user.is_superuser:
        return redirect("people:caseload")
    found = queues.queues_for(user)
    remember_count(user, queues.waiting_count(found))
    record("home.view", detail={q.key: q.count for q in found})
    return render(request, "home/home.html", {"queues": found})
