from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from trellis.audit.log import record
from trellis.forms import add_errors
from trellis.people.access import (
    CHANGE,
    get_learner_or_404,
    may,
    staff_learner_filter,
    staff_of,
)
from trellis.people.models import Learner
from trellis.records import actions, release
from trellis.records.forms import DecisionForm, DisclosureForm, RequestForm
from trellis.records.models import RecordsRequest


@login_required
def learner_records(request, learner_id):
    """The learner's disclosure log and records requests, with forms to add to each."""
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action="records.view")
    which = request.POST.get("form") if request.method == "POST" else None
    disclosure_form = DisclosureForm(
        request.POST if which == "disclosure" else None,
        initial={"disclosed_on": timezone.localdate()},
    )
    request_form = RequestForm(
        request.POST if which == "request" else None,
        initial={"received_on": timezone.localdate(), "kind": RecordsRequest.Kind.INSPECT},
    )
    form = {"disclosure": disclosure_form, "request": request_form}.get(which)
    if form is not None and form.is_valid():
        try:
            if which == "disclosure":
                actions.record_disclosure(by=request.user, learner=learner, **form.cleaned_data)
                messages.success(request, "Disclosure recorded.")
            else:
                made = actions.open_request(by=request.user, learner=learner, **form.cleaned_data)
                messages.success(request, f"Request recorded: due {made.due_on:%B %-d, %Y}.")
            return redirect("records:learner", learner.pk)
        except ValidationError as error:
            add_errors(form, error)
    return render(
        request,
        "records/learner.html",
        {
            "learner": learner,
            "disclosures": learner.disclosures.select_related("recorded_by"),
            "requests": learner.records_requests.all(),
            "disclosure_form": disclosure_form,
            "request_form": request_form,
            "which": which,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _request_or_404(request, request_id):
    found = RecordsRequest.objects.select_related("learner").filter(pk=request_id).first()
    if found is None or not may(request.user, CHANGE, found.learner):
        record(
            "records.view",
            learner=found.learner if found else None,
            result="denied",
            detail={"request_id": str(request_id)},
        )
        raise Http404()
    return found


@login_required
def request_detail(request, request_id):
    wanted = _request_or_404(request, request_id)
    form = DecisionForm(request.POST or None, kind=wanted.kind)
    if request.method == "POST" and wanted.status == RecordsRequest.Status.OPEN:
        if form.is_valid():
            try:
                actions.decide(by=request.user, request=wanted, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Decision recorded.")
                return redirect("records:request", wanted.pk)
    else:
        record("records.view", learner=wanted.learner, obj=wanted)
    return render(
        request,
        "records/request.html",
        {"wanted": wanted, "learner": wanted.learner, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def open_requests(request):
    """Every open request about the learners one may see as staff, the most urgent first."""
    if staff_of(request.user) is None and not request.user.is_superuser:
        record("records.requests", result="denied")
        raise Http404()
    wanted = (
        RecordsRequest.objects.open()
        .filter(learner__in=Learner.objects.filter(staff_learner_filter(request.user)))
        .select_related("learner")
        .order_by("due_on")
    )
    record("records.requests")
    return render(request, "records/requests.html", {"requests": wanted[:200]})


class ReleaseForm(forms.Form):
    audience = forms.ChoiceField(
        label="Who is this for?",
        choices=[
            ("internal", "Me or colleagues in this school or agency"),
            ("outside", "Someone outside (another provider, agency, school, court)"),
        ],
        widget=forms.RadioSelect,
    )


@login_required
def release_page(request, learner_id):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action=None)
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None) or not next_url.startswith(
        "/"
    ):
        raise Http404()
    records = request.GET.get("records", "")[:300]
    asked = ReleaseForm(request.POST or None)
    disclosure_form = DisclosureForm(
        request.POST if request.POST.get("audience") == "outside" else None,
        initial={"disclosed_on": timezone.localdate(), "records": records},
    )
    if request.method == "POST" and asked.is_valid():
        if asked.cleaned_data["audience"] == "internal":
            return redirect(release.with_answer(next_url, "internal"))
        if disclosure_form.is_valid():
            try:
                made = actions.record_disclosure(
                    by=request.user, learner=learner, **disclosure_form.cleaned_data
                )
            except ValidationError as error:
                add_errors(disclosure_form, error)
            except PermissionDenied:
                raise Http404() from None
            else:
                return redirect(release.with_answer(next_url, f"disclosure-{made.pk}"))
    return render(
        request,
        "records/release.html",
        {
            "learner": learner,
            "records": records,
            "asked": asked,
            "disclosure_form": disclosure_form,
            "outside": request.POST.get("audience") == "outside",
        },
        status=400 if request.method == "POST" else 200,
    )
