"""Incident pages. Views parse input and check access; actions do the writing."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date

from trellis.audit.log import record
from trellis.forms import add_errors
from trellis.incidents import actions, reports
from trellis.incidents.access import get_incident_or_404
from trellis.incidents.forms import (
    AmendForm,
    DebriefForm,
    EpisodeForm,
    FileIncidentForm,
    FollowUpForm,
    GuardianContactForm,
    SignForm,
)
from trellis.incidents.models import Incident, Notification
from trellis.people.access import CHANGE, EXPORT, get_learner_or_404, staff_of
from trellis.records import release


def _activate(organization):
    timezone.activate(ZoneInfo(organization.time_zone))


def _staff_only(request, audit_action):
    if not (request.user.is_superuser or staff_of(request.user)):
        record(audit_action, result="denied", detail={"path": request.path})
        raise Http404("Staff only.")


@login_required
def notifications(request):
    if request.method == "POST":
        ids = request.POST.getlist("id") or None
        actions.mark_read(request.user, ids)
        return redirect("incidents:notifications")
    items = Notification.objects.filter(recipient=request.user)[:100]
    return render(request, "incidents/notifications.html", {"items": items})


@login_required
def incident_list(request):
    _staff_only(request, "incident.list")
    incidents = (
        Incident.objects.visible_to(request.user)
        .select_related("learner", "organization")
        .order_by("-started_at")
    )
    show = request.GET.get("show", "open")
    if show == "open":
        incidents = incidents.exclude(status=Incident.Status.CLOSED)
    elif show == "review":
        incidents = incidents.filter(status=Incident.Status.FILED)
    record("incident.list", detail={"show": show})
    return render(
        request,
        "incidents/list.html",
        {"incidents": incidents[:200], "show": show, "now": timezone.now()},
    )


@login_required
def learner_incidents(request, learner_id):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action="incident.list")
    incidents = learner.incidents.order_by("-started_at")
    return render(
        request,
        "incidents/learner.html",
        {"learner": learner, "incidents": incidents, "now": timezone.now()},
    )


@login_required
def file_incident(request, learner_id):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action=None)
    _activate(learner.organization)
    now = timezone.localtime()
    if request.method == "POST":
        form = FileIncidentForm(request.POST, learner=learner, reporter=staff_of(request.user))
        if form.is_valid():
            try:
                incident = actions.file_incident(
                    by=request.user,
                    learner=learner,
                    data=form.report_data(),
                    staff_involved=form.cleaned_data["staff_involved"],
                    episodes=form.episodes(),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Report filed. Your supervisor has been notified.")
                return redirect("incidents:detail", incident.pk)
    else:
        record("incident.new", learner=learner)
        reporter = staff_of(request.user)
        form = FileIncidentForm(
            learner=learner,
            reporter=reporter,
            initial={
                "date": now.date(),
                "end": now.strftime("%H:%M"),
                "staff_involved": [reporter] if reporter else [],
                "applied_by": [reporter] if reporter else [],
            },
        )
    return render(request, "incidents/file.html", {"learner": learner, "form": form})


def _detail_context(request, incident):
    _activate(incident.organization)
    return {
        "incident": incident,
        "learner": incident.learner,
        "episodes": incident.episodes.prefetch_related("staff__staff__user"),
        "contacts": incident.contacts.all(),
        "debriefs": incident.debriefs.all(),
        "follow_ups": incident.follow_ups.select_related("owner__user"),
        "amendments": incident.amendments.select_related("by"),
        "may_review": actions.may_review(request.user, incident),
        "now": timezone.now(),
        "debrief_missing": incident.debrief_missing(),
    }


@login_required
def detail(request, incident_id):
    incident = get_incident_or_404(request, incident_id)
    Notification.objects.filter(
        recipient=request.user, incident=incident, read_at__isnull=True
    ).update(read_at=timezone.now())
    context = _detail_context(request, incident)
    context["sign_form"] = SignForm()
    return render(request, "incidents/detail.html", context)


@login_required
def edit(request, incident_id):
    incident = get_incident_or_404(request, incident_id, CHANGE, audit_action=None)
    _activate(incident.organization)
    zone = ZoneInfo(incident.organization.time_zone)
    if request.method == "POST":
        form = AmendForm(request.POST, incident=incident)
        if form.is_valid():
            try:
                result = actions.change_incident(
                    by=request.user,
                    incident=incident,
                    data=form.report_data(),
                    staff_involved=form.cleaned_data["staff_involved"],
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    "Nothing changed."
                    if result is None
                    else "Amendment recorded; the signed original is kept."
                    if incident.is_locked
                    else "Report updated.",
                )
                return redirect("incidents:detail", incident.pk)
    else:
        record("incident.view", learner=incident.learner, obj=incident, detail={"form": "edit"})
        form = AmendForm(incident=incident, initial=AmendForm.initial_for(incident, zone))
    return render(
        request,
        "incidents/edit.html",
        {"incident": incident, "learner": incident.learner, "form": form},
    )


@login_required
def sign(request, incident_id):
    incident = get_incident_or_404(request, incident_id, CHANGE, audit_action=None)
    form = SignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.sign_incident(
                by=request.user,
                incident=incident,
                comments=form.cleaned_data["comments"],
                typed_name=form.cleaned_data["typed_name"],
                password=form.cleaned_data["password"],
            )
        except PermissionDenied as denied:
            messages.error(request, str(denied))
            return redirect("incidents:detail", incident.pk)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Signed. The report is locked; later changes are amendments.")
            return redirect("incidents:detail", incident.pk)
    elif request.method != "POST":
        record("incident.view", learner=incident.learner, obj=incident, detail={"form": "sign"})
    context = _detail_context(request, incident) | {"sign_form": form}
    return render(request, "incidents/sign.html", context)


def _child_form_view(
    request, incident_id, *, form_class, title, run, done, audit_form, kwargs=True
):
    incident = get_incident_or_404(request, incident_id, CHANGE, audit_action=None)
    _activate(incident.organization)
    extra = {"incident": incident} if kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **extra)
        if form.is_valid():
            try:
                run(incident, form)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, done)
                return redirect("incidents:detail", incident.pk)
    else:
        record("incident.view", learner=incident.learner, obj=incident, detail={"form": audit_form})
        form = form_class(**extra)
    return render(
        request,
        "incidents/form_page.html",
        {"incident": incident, "learner": incident.learner, "form": form, "title": title},
    )


@login_required
def add_episode(request, incident_id):
    return _child_form_view(
        request,
        incident_id,
        form_class=EpisodeForm,
        title="Add a restraint episode",
        run=lambda incident, form: actions.add_episode(
            by=request.user, incident=incident, data=form.episode_data()
        ),
        done="Restraint episode added.",
        audit_form="episode",
    )


@login_required
def guardian_contact(request, incident_id):
    return _child_form_view(
        request,
        incident_id,
        form_class=GuardianContactForm,
        title="Record a guardian contact",
        run=lambda incident, form: actions.record_guardian_contact(
            by=request.user, incident=incident, data=form.contact_data()
        ),
        done="Guardian contact recorded.",
        audit_form="guardian",
    )


@login_required
def debrief(request, incident_id):
    return _child_form_view(
        request,
        incident_id,
        form_class=DebriefForm,
        title="Add a debrief",
        run=lambda incident, form: actions.add_debrief(
            by=request.user, incident=incident, data=form.cleaned_data
        ),
        done="Debrief recorded.",
        audit_form="debrief",
        kwargs=False,
    )


@login_required
def follow_ups(request, incident_id):
    if request.method == "POST" and request.POST.get("done"):
        incident = get_incident_or_404(request, incident_id, CHANGE, audit_action=None)
        follow_up = get_object_or_404(incident.follow_ups, pk=request.POST["done"])
        actions.complete_follow_up(by=request.user, follow_up=follow_up)
        messages.success(request, "Follow-up marked done.")
        return redirect("incidents:detail", incident.pk)
    return _child_form_view(
        request,
        incident_id,
        form_class=FollowUpForm,
        title="Add a follow-up action",
        run=lambda incident, form: actions.add_follow_up(
            by=request.user, incident=incident, data=form.cleaned_data
        ),
        done="Follow-up added.",
        audit_form="follow_up",
    )


@login_required
def close(request, incident_id):
    incident = get_incident_or_404(request, incident_id, CHANGE, audit_action=None)
    problems = {}
    if request.method == "POST":
        try:
            actions.close_incident(by=request.user, incident=incident)
        except PermissionDenied as denied:
            problems = {"status": [str(denied)]}
        except ValidationError as error:
            problems = error.message_dict
        else:
            messages.success(request, "Report closed.")
            return redirect("incidents:detail", incident.pk)
    else:
        record("incident.view", learner=incident.learner, obj=incident, detail={"form": "close"})
    context = _detail_context(request, incident) | {"problems": problems}
    return render(request, "incidents/close.html", context, status=400 if problems else 200)


@login_required
def pdf(request, incident_id):
    from weasyprint import HTML

    incident = get_incident_or_404(request, incident_id, EXPORT, audit_action="incident.export")
    asking = release.who_for(request, incident.learner, f"Incident report #{incident.pk}")
    if asking is not None:
        return asking
    context = _detail_context(request, incident) | {"generated_at": timezone.now()}
    html = render_to_string("incidents/pdf.html", context, request=request)
    document = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="incident-{incident.pk}.pdf"'
    return response


def _date(text):
    try:
        return parse_date(text or "")
    except ValueError:
        return None


@login_required
def report_page(request):
    _staff_only(request, "incident.report")
    incidents = Incident.objects.visible_to(request.user)
    since = _date(request.GET.get("since"))
    until = _date(request.GET.get("until"))
    if since:
        incidents = incidents.filter(started_at__date__gte=since)
    if until:
        incidents = incidents.filter(started_at__date__lte=until)
    zone = timezone.get_current_timezone()
    context = {
        "tables": reports.breakdowns(incidents, zone),
        "crdc": reports.crdc_summary(incidents),
        "alerts": reports.repeated_restraint_alerts(incidents),
        "total": incidents.count(),
        "since": since,
        "until": until,
    }
    record(
        "incident.report",
        detail={
            "since": str(since or ""),
            "until": str(until or ""),
            "incidents": context["total"],
        },
    )
    return render(request, "incidents/reports.html", context)
