"""A program admin's staffing pages: the staff of their organizations, inviting a person,
their roles, supervision, login and cases. Every write is an action of `people.staffing`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from trellis.audit.log import record
from trellis.forms import add_errors
from trellis.people import staffing
from trellis.people.access import is_program_admin
from trellis.people.forms import (
    AssignCaseForm,
    DeactivateForm,
    InviteStaffForm,
    RoleForm,
    SupervisorsForm,
)
from trellis.people.models import CaseAssignment, Learner, Membership


def _admin_only(request, action):
    if not is_program_admin(request.user):
        record(action, result="denied", detail={"path": request.path})
        raise Http404("Program admins only.")


def _base_url(request):
    return request.build_absolute_uri("/")


@login_required
def staff_list(request):
    _admin_only(request, "staff.list")
    query = request.GET.get("q", "").strip()
    today = timezone.localdate()
    staff = (
        staffing.administered_staff(request.user)
        .select_related("user")
        .prefetch_related("memberships__organization", "supervisors__user")
        .annotate(
            caseload=Count(
                "assignments",
                filter=Q(assignments__starts_on__lte=today)
                & (Q(assignments__ends_on__isnull=True) | Q(assignments__ends_on__gte=today)),
                distinct=True,
            )
        )
        .order_by("user__last_name", "user__first_name")
    )
    if query:
        staff = staff.filter(
            Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__username__icontains=query)
            | Q(user__email__icontains=query)
        )
    record("staff.list", detail={"q": query})
    return render(request, "people/staff_list.html", {"staff": staff, "q": query})


@login_required
def staff_new(request):
    _admin_only(request, "staff.create")
    form = InviteStaffForm(
        request.POST or None,
        organizations=staffing.administered_organizations(request.user),
        staff=staffing.administered_staff(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            staff = staffing.invite_staff(
                by=request.user, data=form.cleaned_data, base_url=_base_url(request)
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"{staff} was invited: the email is on its way.")
            return redirect("people:staff_detail", staff.pk)
    return render(request, "people/staff_new.html", {"form": form})


STEPS = {
    "role": "Role added.",
    "remove_role": "Role removed.",
    "supervisors": "Supervision saved.",
    "deactivate": "Login deactivated.",
    "reactivate": "Login reactivated.",
    "invite": "Invitation sent again.",
    "assign": "Case assigned.",
    "end_case": "Case ended today.",
    "emergency": "Emergency access saved.",
}


@login_required
def staff_detail(request, staff_id):
    _admin_only(request, "staff.view")
    person = get_object_or_404(
        staffing.administered_staff(request.user).select_related("user"), pk=staff_id
    )
    organizations = staffing.administered_organizations(request.user)
    learners = (
        Learner.objects.filter(organization__in=organizations, active=True)
        .select_related("organization")
        .order_by("last_name", "first_name")
    )
    step = request.POST.get("step") if request.method == "POST" else None
    bound = request.POST if step else None
    forms = {
        "role": RoleForm(bound if step == "role" else None, organizations=organizations),
        "supervisors": SupervisorsForm(
            bound if step == "supervisors" else None,
            staff=staffing.administered_staff(request.user).exclude(pk=person.pk),
            initial={"supervisors": person.supervisors.all()},
        ),
        "deactivate": DeactivateForm(bound if step == "deactivate" else None),
        "assign": AssignCaseForm(bound if step == "assign" else None, learners=learners),
    }
    error_form = forms.get(step) or RoleForm(organizations=organizations)
    if step in STEPS:
        try:
            _do(request, step, person, forms.get(step))
        except ValidationError as error:
            add_errors(error_form, error)
        except PermissionDenied as denied:
            error_form.add_error(None, str(denied))
        else:
            if not (step in forms and forms[step].errors):
                messages.success(request, STEPS[step])
                return redirect("people:staff_detail", person.pk)
    record("staff.view", obj=person)
    today = timezone.localdate()
    cases = (
        CaseAssignment.objects.filter(staff=person)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("learner__organization")
        .order_by("learner__last_name")
    )
    return render(
        request,
        "people/staff_detail.html",
        {
            "person": person,
            "memberships": person.memberships.select_related("organization"),
            "cases": cases,
            "forms": forms,
            "step": step,
            "step_errors": error_form.non_field_errors() if step else None,
            "invited": not person.user.has_usable_password(),
        },
    )


def _do(request, step, person, form):
    """Run one posted step; a bound form that does not validate does nothing (its errors show)."""
    by = request.user
    if form is not None and not form.is_valid():
        return
    data = form.cleaned_data if form is not None else {}
    if step == "role":
        staffing.add_role(by=by, staff=person, **data)
    elif step == "remove_role":
        membership = get_object_or_404(
            Membership, pk=request.POST.get("membership") or 0, staff=person
        )
        staffing.remove_role(by=by, membership=membership)
    elif step == "supervisors":
        staffing.set_supervisors(by=by, staff=person, supervisors=data["supervisors"])
    elif step == "deactivate":
        staffing.deactivate(by=by, staff=person, reason=data["reason"])
    elif step == "reactivate":
        staffing.reactivate(by=by, staff=person)
    elif step == "emergency":
        staffing.allow_emergency_access(
            by=by, staff=person, allowed=request.POST.get("allowed") == "yes"
        )
    elif step == "invite":
        staffing.send_invitation(by=by, staff=person, base_url=_base_url(request))
    elif step == "assign":
        staffing.assign_case(by=by, staff=person, **data)
    elif step == "end_case":
        assignment = get_object_or_404(
            CaseAssignment, pk=request.POST.get("assignment") or 0, staff=person
        )
        staffing.end_case(by=by, assignment=assignment)


@login_required
def records_access(request):
    """Who may access the records of an organization's learners (34 CFR 300.623(d)): a list
    to keep current and post, one organization at a time."""
    _admin_only(request, "staff.records_access")
    organizations = staffing.administered_organizations(request.user).order_by("path")
    wanted = request.GET.get("organization", "")
    organization = (
        organizations.filter(pk=wanted).first() if wanted.isdigit() else organizations.first()
    )
    if organization is None:
        raise Http404()
    record("staff.records_access", detail={"organization": organization.pk})
    return render(
        request,
        "people/records_access.html",
        {
            "organizations": organizations,
            "organization": organization,
            "people": staffing.records_access_list(organization),
            "today": timezone.localdate(),
        },
    )
