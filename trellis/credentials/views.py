from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from trellis.audit.log import record
from trellis.credentials.actions import add_credential, staff_in_reach
from trellis.credentials.forms import CredentialForm
from trellis.credentials.models import Credential, Kind
from trellis.forms import add_errors
from trellis.people.access import is_program_admin, staff_of

# The roster's columns: the credentials a team is usually asked to keep current.
ROSTER_KINDS = [Kind.CRISIS, Kind.CPR, Kind.RBT, Kind.MEDICATION, Kind.PARAPROFESSIONAL]


@login_required
def roster(request):
    """Who is current: each person in reach × each credential kind, with expiry alerts."""
    if not (request.user.is_superuser or staff_of(request.user)):
        record("credential.roster", result="denied")
        raise Http404("Staff only.")
    today = date.today()
    staff = list(staff_in_reach(request.user).select_related("user").order_by("user__last_name"))
    credentials = Credential.objects.filter(staff__in=staff).order_by("expires_on")
    best = {}
    for credential in credentials:
        key = (credential.staff_id, credential.kind)
        held = best.get(key)
        # Keep the one that counts: a current credential over a lapsed one, the later expiry.
        if held is None or _rank(credential, today) >= _rank(held, today):
            best[key] = credential
    rows = [
        {"staff": person, "cells": [best.get((person.pk, kind)) for kind in ROSTER_KINDS]}
        for person in staff
    ]
    alerts = sorted(
        (c for c in best.values() if c.status(today) in ("expiring", "lapsed")),
        key=lambda c: c.expires_on,
    )
    record("credential.roster", detail={"staff": len(staff)})
    return render(
        request,
        "credentials/roster.html",
        {
            "rows": rows,
            "kinds": [Kind(k).label for k in ROSTER_KINDS],
            "alerts": alerts,
            "today": today,
            "may_add": is_program_admin(request.user),
        },
    )


def _rank(credential, today):
    current = credential.status(today) in ("current", "expiring")
    return (current, credential.expires_on or date.max)


@login_required
def add(request):
    if not is_program_admin(request.user):
        record("credential.add", result="denied", detail={"path": request.path})
        raise Http404("Program admins only.")
    choices = staff_in_reach(request.user)
    form = CredentialForm(request.POST or None, staff_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            add_credential(by=request.user, data=form.cleaned_data)
        except PermissionDenied as denied:
            form.add_error("staff", str(denied))
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Credential recorded.")
            return redirect("credentials:roster")
    return render(request, "credentials/add.html", {"form": form})
