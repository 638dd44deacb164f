"""Downloads of a learner's records ask who they are for (FERPA 34 CFR 99.32).

A download view calls `who_for(request, learner, records)`. Without an answer it sends the
person to the release page, which asks: for use inside the school or agency, or for someone
outside — then the party and legal basis are recorded as a disclosure before the file is given.
The answer comes back as `?for=internal` or `?for=disclosure-<id>` (a disclosure of this learner
that this person recorded within the hour), and the download is audited with it.
"""

from datetime import timedelta

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from trellis.audit.log import record
from trellis.records.models import Disclosure

FRESH = timedelta(hours=1)


def answer(request, learner):
    """'internal', a Disclosure, or None when the request carries no valid answer."""
    given = request.GET.get("for", "")
    if given == "internal":
        return given
    if given.startswith("disclosure-") and given[len("disclosure-") :].isdigit():
        return Disclosure.objects.filter(
            pk=given[len("disclosure-") :],
            learner=learner,
            recorded_by=request.user,
            recorded_at__gte=timezone.now() - FRESH,
        ).first()
    return None


def who_for(request, learner, records):
    """None when the download may go ahead (and it is audited with whom it is for); otherwise
    the redirect to the page that asks."""
    given = answer(request, learner)
    if given is None:
        query = urlencode({"next": request.get_full_path(), "records": records})
        return redirect(f"{reverse('records:release', args=[learner.pk])}?{query}")
    record(
        "records.release",
        learner=learner,
        detail={
            "records": records,
            "for": "internal" if given == "internal" else f"disclosure {given.pk}",
        },
    )
    return None


def with_answer(url, given):
    """`url` (the download) with the answer added to its query string."""
    return f"{url}{'&' if '?' in url else '?'}for={given}"
