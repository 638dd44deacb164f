"""The live collection screen and its pages: start a session, record, end it with a note.

The screen itself is a page plus plain ES modules (static/collect/); every event is made in the
browser and reaches the server through `POST /api/v1/sync`. These views only start sessions,
serve the screen with everything it needs to work offline (goals, pick lists, plans and
definitions, the events stored so far), serve the service worker, and handle the end of a
session: summary, note, signatures and amendments.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from trellis.accounts.signatures import SignatureForm
from trellis.audit.log import record
from trellis.collect import actions
from trellis.collect.events import behavior_key
from trellis.collect.models import Event, NoteAmendment, Session, SessionNote, Setting
from trellis.collect.queries import (
    current_goals,
    get_session_or_404,
    goal_payload,
    joinable_sessions,
    learner_kit,
    session_summaries,
)
from trellis.forms import add_errors
from trellis.people.access import (
    CHANGE,
    VIEW,
    get_learner_or_404,
    is_staff_for_request,
    may,
    staff_learner_filter,
    staff_of,
)
from trellis.people.models import Group, Learner, Organization
from trellis.plans.models import Measure

SCOPE = "/collect/"


# --- starting a session ---------------------------------------------------------------------


class StartForm(forms.Form):
    goals = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Goals to run")
    setting = forms.ChoiceField(choices=Setting.choices)

    def __init__(self, *args, goals, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].choices = [
            (str(g.pk), f"{g.name} — {g.get_measure_display()}") for g in goals
        ]
        self.fields["goals"].initial = [str(g.pk) for g in goals]
        self.fields["setting"].initial = default_setting(organization)


# An agency's programs and clinics record in the clinic; districts and schools at school.
SETTING_OF_KIND = {
    Organization.Kind.AGENCY: Setting.CLINIC,
    Organization.Kind.PROGRAM: Setting.CLINIC,
    Organization.Kind.DISTRICT: Setting.SCHOOL,
    Organization.Kind.SCHOOL: Setting.SCHOOL,
}


def default_setting(organization):
    """Where a session usually happens, by the kind of organization the learner belongs to."""
    return SETTING_OF_KIND.get(organization.kind if organization else None, Setting.SCHOOL)


def get_group_or_404(request, group_id):
    """A group whose every learner the user may record for; otherwise an audited 404."""
    group = Group.objects.filter(pk=group_id).first()
    learners = list(group.learners.select_related("organization")) if group else []
    if not learners or not all(may(request.user, CHANGE, learner) for learner in learners):
        record(
            "group.view",
            result="denied",
            detail={"group_id": str(group_id), "path": request.path},
        )
        raise Http404("No such group.")
    for learner in learners:
        record("group.view", learner=learner, obj=group)
    return group, learners


def _start(request, *, learners, learner=None, group=None):
    goals = [goal for person in learners for goal in current_goals(person)]
    organization = group.organization if group else learner.organization
    form = StartForm(request.POST or None, goals=goals, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            session, _ = actions.start_session(
                request.user,
                learner=learner,
                group=group,
                goals=[int(pk) for pk in form.cleaned_data["goals"]],
                started_at=timezone.now(),
                setting=form.cleaned_data["setting"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("collect:screen", session_id=session.pk)
    # With no network the page starts the session itself (client-chosen id, posted later), so
    # it carries what the screen needs for every goal that could be picked.
    kit = {
        "learner": learner.pk if learner else None,
        "group": group.pk if group else None,
        "learners": [
            screen_learner(person, [g for g in goals if g.plan.learner_id == person.pk])
            for person in learners
        ],
        "screen_files": [static("collect/screen.js"), static("collect/screen.css")],
        **screen_urls(),
    }
    context = {
        "form": form,
        "learners": learners,
        "group": group,
        "has_goals": bool(goals),
        "kit": kit,
    }
    return render(request, "collect/start.html", context)


@login_required
def start_for_learner(request, learner_id):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action="session.prepare")
    return _start(request, learners=[learner], learner=learner)


@login_required
def start_for_group(request, group_id):
    group, learners = get_group_or_404(request, group_id)
    return _start(request, learners=learners, group=group)


def learner_section(request, learner):
    """The profile's data-collection card (shown through CollectConfig.learner_section)."""
    if not is_staff_for_request(request, learner):
        return None
    # A group is offered when the user may record for every member: one query for all members.
    groups = list(Group.objects.filter(learners=learner).prefetch_related("learners"))
    members = {other.pk for group in groups for other in group.learners.all()}
    recordable = set(
        Learner.objects.filter(staff_learner_filter(request.user), pk__in=members).values_list(
            "pk", flat=True
        )
    )
    groups = [g for g in groups if all(other.pk in recordable for other in g.learners.all())]
    sessions = (
        (Session.objects.filter(learner=learner) | Session.objects.filter(group__learners=learner))
        .distinct()
        .select_related("recorded_by")
        .order_by("-started_at")[:8]
    )
    return render_to_string(
        "collect/_learner_section.html",
        {
            "learner": learner,
            "groups": groups,
            "sessions": sessions,
            "joinable": joinable_sessions(request.user, learner, now=timezone.now()),
        },
        request=request,
    )


# --- the screen ------------------------------------------------------------------------------


def screen_learner(learner, goals):
    """One learner as the screen draws them: the goals' controls, the pick lists, and the plans
    and definitions shown one tap away."""
    kit = learner_kit(learner)
    definitions = kit["behavior_definitions"]
    abc = dict(kit["abc_options"])
    # The behavior picks are the learner's defined behaviors (recorded by their name), then
    # the organization's options that are not one of them under another spelling ("call-out"
    # for a defined "Call-out"), so one behavior is never recorded two ways.
    defined = sorted({d["name"] for d in definitions}, key=str.casefold)
    keys = {behavior_key(name) for name in defined}
    abc["behavior"] = [{"code": name, "label": name} for name in defined] + [
        o
        for o in abc.get("behavior", [])
        if behavior_key(o["label"]) not in keys and behavior_key(o["code"]) not in keys
    ]
    labels = dict(Measure.choices)
    payloads = []
    for goal in sorted(goals, key=lambda g: (g.plan.kind, g.plan_id, g.order, g.pk)):
        payload = goal_payload(goal, kit["prompt_levels"])
        payload["measure_label"] = labels.get(goal.measure, goal.measure)
        payloads.append(payload)
    return {
        "id": learner.pk,
        "name": learner.full_name,
        "goals": payloads,
        "prompt_levels": kit["prompt_levels"],
        "abc": abc,
        "plans": kit["plans"],
        "behavior_definitions": definitions,
    }


def screen_learners(session):
    """Per learner of the session, with the session's goals."""
    goals = list(
        session.goals.select_related("plan__learner__organization").prefetch_related("targets")
    )
    return [
        screen_learner(learner, [g for g in goals if g.plan.learner_id == learner.pk])
        for learner in session.learners().select_related("organization")
    ]


def screen_urls():
    """Where the screen's scripts find the API, the worker and the offline pages."""
    static_url = settings.STATIC_URL
    return {
        "sync_url": "/api/v1/sync",
        "sessions_url": "/api/v1/sessions",
        "login_url": reverse("login"),
        "health_url": reverse("healthz"),
        "service_worker": reverse("collect:service-worker"),
        "offline_url": reverse("collect:offline-screen"),
        "scope": SCOPE,
        "static_url": static_url if static_url.startswith("/") else "/" + static_url,
    }


def stored_events(session):
    return [
        {
            "id": str(e["id"]),
            "session": str(session.pk),
            "goal": e["goal_id"],
            "target": e["target_id"],
            "kind": e["kind"],
            "value": e["value"],
            "recorded_at": e["recorded_at"].isoformat(),
            "voids": str(e["voids_id"]) if e["voids_id"] else None,
        }
        for e in Event.objects.filter(session=session)
        .order_by("recorded_at")
        .values("id", "goal_id", "target_id", "kind", "value", "recorded_at", "voids_id")
    ]


@login_required
@never_cache
def screen(request, session_id):
    session = get_session_or_404(request, session_id, CHANGE)
    if session.recorded_by_id != request.user.pk:
        # Someone else's record: say whose it is and offer a second observer's record.
        return render(request, "collect/other_observer.html", {"session": session})
    learners = screen_learners(session)
    data = {
        "session": {
            "id": str(session.pk),
            "started_at": session.started_at.isoformat(),
            "primary_session": str(session.primary_session_id)
            if session.primary_session_id
            else None,
        },
        "learners": [
            {k: v for k, v in learner.items() if k not in ("plans", "behavior_definitions")}
            for learner in learners
        ],
        "events": stored_events(session),
        **screen_urls(),
    }
    context = {"session": session, "learners": learners, "data": data}
    return render(request, "collect/screen.html", context)


@login_required
def offline_screen(request):
    """The screen of a session started with no network: an empty shell the scripts fill from
    IndexedDB (the session's id is in the URL's fragment). It holds no learner's data."""
    if staff_of(request.user) is None and not request.user.is_superuser:
        raise Http404("Not found.")
    context = {"session": None, "learners": [], "data": None, "offline_shell": True}
    return render(request, "collect/screen.html", context)


def service_worker(request):
    """The service worker, served from the scope it controls (/collect/)."""
    static_url = screen_urls()["static_url"]
    response = render(
        request,
        "collect/sw.js",
        {
            "scope": SCOPE,
            "scope_json": json.dumps(SCOPE),
            "static_json": json.dumps(static_url),
            "login_json": json.dumps(reverse("login")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    # The browser checks for a new worker on each visit; never let a cache keep an old one.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = SCOPE
    return response


@login_required
def observe(request, session_id):
    """Join as second observer: a separate session linked to the primary, for IOA. GET asks,
    POST joins."""
    if request.method != "POST":
        session = get_session_or_404(request, session_id, CHANGE)
        return render(request, "collect/other_observer.html", {"session": session})
    primary = get_session_or_404(request, session_id, CHANGE, audit_action=None)
    try:
        session, _ = actions.join_as_second_observer(
            request.user, primary, started_at=timezone.now()
        )
    except ValidationError as error:
        for texts in error.message_dict.values():
            for text in texts:
                messages.error(request, text)
        return redirect("collect:screen", session_id=primary.pk)
    return redirect("collect:screen", session_id=session.pk)


# --- the end of a session ----------------------------------------------------------------------


class NoteForm(forms.Form):
    what_was_done = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    learner_response = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Learner's response"
    )
    anything_unusual = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Anything unusual"
    )


class AmendForm(forms.Form):
    field = forms.ChoiceField(choices=NoteAmendment.FIELD_CHOICES, label="Part to amend")
    new_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="New text")
    reason = forms.CharField(label="Reason for the amendment")


def _note_fields(note):
    """Each part of a note with its current text and the amendments that changed it."""
    if note is None:
        return []
    amendments = list(note.amendments.select_related("by"))
    return [
        {
            "label": label,
            "original": getattr(note, field),
            "current": note.current(field),
            "amendments": [a for a in amendments if a.field == field],
        }
        for field, label in NoteAmendment.FIELD_CHOICES
    ]


@login_required
@never_cache
def end(request, session_id):
    """Summary per goal, the note, its signature, co-signature and amendments."""
    session = get_session_or_404(request, session_id, VIEW)
    note = SessionNote.objects.filter(session=session).first()
    is_recorder = session.recorded_by_id == request.user.pk
    step = request.POST.get("step") if request.method == "POST" else None
    forms_by_step = {
        "save": NoteForm(request.POST if step == "save" else None, prefix="note"),
        "sign": SignatureForm(request.POST if step == "sign" else None, prefix="sign"),
        "cosign": SignatureForm(request.POST if step == "cosign" else None, prefix="cosign"),
        "amend": AmendForm(request.POST if step == "amend" else None, prefix="amend"),
    }
    if note is not None and step != "save":
        forms_by_step["save"].initial = {f: getattr(note, f) for f in SessionNote.FIELDS}
    if step == "end":
        try:
            actions.end_session(request.user, session, ended_at=timezone.now())
        except ValidationError as error:
            messages.error(request, " ".join(sum(error.message_dict.values(), [])))
        return redirect("collect:end", session_id=session.pk)
    if step in forms_by_step:
        form = forms_by_step[step]
        if form.is_valid():
            try:
                _apply(step, request.user, session, note, form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, DONE[step])
                return redirect("collect:end", session_id=session.pk)
    context = {
        "session": session,
        "summaries": session_summaries(session),
        "note": note,
        "note_fields": _note_fields(note),
        "is_recorder": is_recorder,
        "may_cosign": note is not None
        and note.is_locked
        and not note.cosigned_at
        and actions.may_cosign(request.user, note),
        "forms": forms_by_step,
        "reliability": list(session.reliability_sessions.select_related("recorded_by")),
        **_observing(request.user, session, is_recorder),
    }
    return render(request, "collect/end.html", context)


def _observing(user, session, is_recorder):
    """Whether the user may join this running session as its second observer, and their own
    open record of it if they have joined already."""
    if is_recorder or session.ended_at or session.primary_session_id:
        return {"may_observe": False, "my_observation": None}
    if not all(may(user, CHANGE, person) for person in session.learners()):
        return {"may_observe": False, "my_observation": None}
    mine = (
        session.reliability_sessions.filter(recorded_by=user, ended_at__isnull=True)
        .order_by("started_at")
        .first()
    )
    return {"may_observe": True, "my_observation": mine}


DONE = {
    "save": "Note saved.",
    "sign": "Note signed. It is locked now; later changes are amendments.",
    "cosign": "Note co-signed.",
    "amend": "Amendment recorded; the original text is kept.",
}


def _apply(step, user, session, note, data):
    if step == "save":
        actions.save_note(user, session, **data)
        return
    if note is None:
        raise ValidationError({"__all__": "Write and save the note first."})
    if step == "sign":
        actions.sign_note(user, note, **data)
    elif step == "cosign":
        actions.cosign_note(user, note, **data)
    elif step == "amend":
        actions.amend_note(user, note, **data)
