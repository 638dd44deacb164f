"""Emergency access pages: find and open a learner outside one's caseload; the admins' review."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from trellis.accounts import two_factor
from trellis.audit.log import record
from trellis.forms import add_errors
from trellis.people import emergency
from trellis.people.access import is_program_admin, staff_of
from trellis.people.models import EmergencyAccess, Learner


class OpenForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What is the emergency?",
        help_text="Your program admins read this when they review the access.",
    )
    password = forms.CharField(widget=forms.PasswordInput, label="Your password")


class ReviewForm(forms.Form):
    justified = forms.TypedChoiceField(
        choices=[("yes", "Justified"), ("no", "Not justified")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Was the access justified?",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note (needed if not)"
    )


def _second_factor_recent(request):
    return not two_factor.has_device(request.user) or two_factor.recently_checked(request)


def _allowed_or_404(request):
    if not emergency.may_break_glass(request.user):
        record("learner.emergency_access", result="denied", detail={"path": request.path})
        raise Http404()


@login_required
def find(request):
    """Search the learners of one's own organizations whom one cannot already open."""
    _allowed_or_404(request)
    query = request.GET.get("q", "").strip()
    found = []
    if len(query) >= 2:
        found = (
            emergency.reachable_learners(request.user)
            .exclude(pk__in=Learner.objects.visible_to(request.user).values("pk"))
            .search(query)
            .select_related("organization")
            .order_by("last_name", "first_name")[:20]
        )
        record("learner.emergency_search", detail={"query_length": len(query)})
    in_force = EmergencyAccess.objects.in_force().filter(staff=staff_of(request.user))
    return render(
        request,
        "people/emergency_find.html",
        {"query": query, "found": found, "in_force": in_force.select_related("learner")},
    )


@login_required
def open_record(request, learner_id):
    _allowed_or_404(request)
    learner = emergency.reachable_learners(request.user).filter(pk=learner_id).first()
    if learner is None:
        record("learner.emergency_access", result="denied", detail={"learner_id": learner_id})
        raise Http404()
    if not _second_factor_recent(request):
        messages.info(request, "Enter a code first: emergency access needs a recent check.")
        back = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('two-factor-verify')}?{back}")
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            emergency.open_record(
                request,
                learner,
                reason=form.cleaned_data["reason"],
                password=form.cleaned_data["password"],
                second_factor_recent=_second_factor_recent(request),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.warning(
                request,
                "Emergency access is open for "
                f"{settings.EMERGENCY_ACCESS_MINUTES} minutes. "
                "Your program admins have been told and will review it.",
            )
            return redirect("people:learner", learner.pk)
    return render(
        request,
        "people/emergency_open.html",
        {"learner": learner, "form": form, "minutes": settings.EMERGENCY_ACCESS_MINUTES},
    )


@login_required
def review_queue(request):
    """Program admins mark each use of emergency access about their learners."""
    if not is_program_admin(request.user):
        record("learner.emergency_review", result="denied", detail={"path": request.path})
        raise Http404()
    grants = emergency.to_review(request.user)
    wanted = request.POST.get("grant") or request.GET.get("grant") or ""
    reviewing = get_object_or_404(grants, pk=wanted) if wanted.isdigit() else None
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and reviewing is None:
        raise Http404()
    if request.method == "POST" and form.is_valid():
        try:
            emergency.review(
                by=request.user,
                grant=reviewing,
                justified=form.cleaned_data["justified"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        else:
            messages.success(request, "Review recorded.")
            return redirect("people:emergency_review")
    record("learner.emergency_review_queue")
    return render(
        request,
        "people/emergency_review.html",
        {"grants": grants[:100], "form": form, "reviewing": reviewing},
    )
