"""Every write to an incident report: validate, write and audit in one transaction."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.signatures import check_signature
from trellis.audit.log import record
from trellis.credentials.models import Kind as CredentialKind
from trellis.credentials.models import is_current, latest
from trellis.incidents.models import (
    APPROVAL_TIME,
    CONTACT_TIME,
    DEBRIEF_DATE,
    FOLLOW_UP_DUE,
    INCIDENT_END,
    INCIDENT_START,
    RESTRAINT_END,
    RESTRAINT_START,
    Amendment,
    Debrief,
    EpisodeStaff,
    FollowUp,
    GuardianContact,
    Incident,
    IncidentPolicy,
    LearnerServiceStatus,
    Notification,
    RestraintEpisode,
)
from trellis.incidents.notify import ancestors, notify, supervisors_for
from trellis.people.access import CHANGE, may, staff_of
from trellis.people.models import Membership, Role, StaffMember
from trellis.validators import check

# The report's own fields, in the order the form asks for them; amendments may change these.
REPORT_FIELDS = [
    "kind",
    "started_at",
    "ended_at",
    "location",
    "antecedent",
    "narrative",
    "deescalation",
    "interventions",
    "injuries",
    "injury_description",
    "first_aid",
    "witnesses",
    "others_notified",
    "imminent_risk",
    "less_restrictive_tried",
    "nurse_involved",
    "nurse_notes",
]
EPISODE_FIELDS = [
    "kind",
    "technique",
    "started_at",
    "ended_at",
    "monitoring",
    "release_criteria",
    "approved_by",
    "approved_at",
]


# --- rules (the forms call these too, so a phone form names the same field the action would) ---


def incident_problems(data, *, has_episodes=True) -> dict:
    """Field → message for a report's content."""
    problems = {}
    start, end = data.get("started_at"), data.get("ended_at")
    if start and end and end < start:
        problems["ended_at"] = "The end is before the start."
    check(problems, "started_at", INCIDENT_START, start)
    check(problems, "ended_at", INCIDENT_END, end)
    if data.get("injuries") and not (data.get("injury_description") or "").strip():
        problems["injury_description"] = "Describe the injuries (and to whom)."
    if data.get("kind") in Incident.RESTRICTIVE:
        if not (data.get("imminent_risk") or "").strip():
            problems["imminent_risk"] = (
                "Say what behavior made it necessary: the imminent risk of injury."
            )
        if not (data.get("less_restrictive_tried") or "").strip():
            problems["less_restrictive_tried"] = (
                "Say which less restrictive steps were tried first."
            )
        if not has_episodes:
            problems["episode"] = "A restraint or seclusion report needs its start and end."
    return problems


def episode_problems(data, policy) -> dict:
    problems = {}
    start, end = data.get("started_at"), data.get("ended_at")
    check(problems, "started_at", RESTRAINT_START, start)
    check(problems, "ended_at", RESTRAINT_END, end)
    check(problems, "approved_at", APPROVAL_TIME, data.get("approved_at"))
    if start and end:
        if end <= start:
            problems["ended_at"] = "The restraint must end after it starts."
        elif (end - start) > timedelta(minutes=policy.restraint_approval_minutes):
            if not (data.get("approved_by") or "").strip():
                problems["approved_by"] = (
                    f"It ran longer than {policy.restraint_approval_minutes} minutes: "
                    "name the administrator who approved it."
                )
            if not data.get("approved_at"):
                problems["approved_at"] = "Say when the administrator approved it."
    if not data.get("applied_by"):
        problems["applied_by"] = "Name the staff who applied it."
    return problems


def _raise(problems):
    if problems:
        raise ValidationError(problems)


def may_review(user, incident) -> bool:
    """A supervisor of the reporter, or a supervisor / program admin of the learner's
    organization, who may change the learner's record; never the reporter."""
    if not user.is_authenticated or incident.reported_by_id == user.pk:
        return False
    if not may(user, CHANGE, incident.learner):
        return False
    if user.is_superuser:
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    if (
        incident.reported_by_id
        and StaffMember.objects.filter(user_id=incident.reported_by_id, supervisors=staff).exists()
    ):
        return True
    return Membership.objects.filter(
        staff=staff,
        role__in=[Role.SUPERVISOR, Role.PROGRAM_ADMIN],
        organization__in=ancestors(incident.learner.organization),
    ).exists()


def _require_change(user, incident_or_learner):
    learner = getattr(incident_or_learner, "learner", incident_or_learner)
    if not may(user, CHANGE, learner):
        record("incident.change", learner=learner, result="denied")
        raise PermissionDenied("You may not change this learner's record.")


def _local_day(incident):
    from zoneinfo import ZoneInfo

    return incident.started_at.astimezone(ZoneInfo(incident.organization.time_zone)).date()


# --- filing ---


def _add_episode(incident, data):
    episode = RestraintEpisode(
        incident=incident,
        **{f: data.get(f) or ("" if f != "approved_at" else None) for f in EPISODE_FIELDS},
    )
    episode.save()
    day = _local_day(incident)
    lapsed = []
    rows = []
    for part, people in (
        ("applied", data.get("applied_by") or []),
        ("observed", data.get("observed_by") or []),
    ):
        for staff in people:
            training = latest(staff, CredentialKind.CRISIS, day)
            current = is_current(staff, CredentialKind.CRISIS, day)
            if part == "applied" and not current:
                lapsed.append(staff)
            rows.append(
                EpisodeStaff(
                    episode=episode,
                    staff=staff,
                    part=part,
                    crisis_training_expires_on=training.expires_on if training else None,
                    training_current=current,
                )
            )
    EpisodeStaff.objects.bulk_create(rows)
    return episode, lapsed


def file_incident(
    *, by, learner, data, staff_involved=(), episodes=(), event_id=None, announce=True
):
    """File a report. The reviewers are told at once, in the app and by email."""
    _require_change(by, learner)
    policy = IncidentPolicy.for_organization(learner.organization)
    problems = incident_problems(data, has_episodes=bool(episodes))
    for index, episode in enumerate(episodes):
        for name, message in episode_problems(episode, policy).items():
            problems.setdefault(name if index == 0 else f"episode_{index}_{name}", message)
    _raise(problems)
    with transaction.atomic():
        incident = Incident(
            learner=learner,
            organization=learner.organization,
            reported_by=by,
            **{f: data[f] for f in REPORT_FIELDS if f in data},
        )
        if event_id:
            incident.event_id = event_id
        incident.disability_status = LearnerServiceStatus.on(learner, _local_day(incident))
        incident.guardian_required = incident.kind in Incident.GUARDIAN_KINDS or incident.injuries
        if incident.guardian_required:
            incident.guardian_due_at = policy.guardian_due(incident)
        incident.save()
        incident.staff_involved.set(staff_involved)
        lapsed = []
        for episode in episodes:
            lapsed += _add_episode(incident, episode)[1]
        if lapsed:
            incident.training_lapsed = True
            incident.save(update_fields=["training_lapsed"])
        record(
            "incident.file",
            learner=learner,
            obj=incident,
            detail={
                "kind": incident.kind,
                "episodes": len(episodes),
                "training_lapsed": [str(s) for s in lapsed],
            },
        )
        if announce:
            _tell_reviewers(incident, by, lapsed)
        _check_repeated(incident, by, policy)
    return incident


def _tell_reviewers(incident, by, lapsed):
    url = reverse("incidents:detail", args=[incident.pk])
    kind = incident.get_kind_display().lower()
    message = f"New {kind} report for {incident.learner.full_name} needs your review."
    if lapsed:
        message += " Crisis training lapsed: " + ", ".join(str(s) for s in lapsed) + "."
    reporter = by.get_full_name() or by.get_username()
    notify(
        supervisors_for(by, incident.learner),
        kind="incident.filed",
        message=message,
        url=url,
        incident=incident,
        email_subject=f"Trellis: {kind} incident report to review",
        email_body=(
            f"{reporter} filed a {kind} incident report (#{incident.pk}) that needs your review."
            + (
                " A staff member who applied a restraint has no current crisis training."
                if lapsed
                else ""
            )
        ),
    )


def restraints_in_30_days(learner, until):
    return Incident.objects.filter(
        learner=learner,
        kind__in=Incident.RESTRICTIVE,
        started_at__gt=until - timedelta(days=30),
        started_at__lte=until,
    ).count()


def _check_repeated(incident, by, policy):
    if not incident.is_restrictive:
        return
    count = restraints_in_30_days(incident.learner, incident.started_at)
    if count > policy.repeated_restraint_count:
        notify(
            supervisors_for(by, incident.learner),
            kind="restraint.repeated",
            message=(
                f"{incident.learner.full_name} has been restrained or secluded {count} times in "
                f"30 days (alert above {policy.repeated_restraint_count}). Review the plan."
            ),
            url=reverse("incidents:detail", args=[incident.pk]),
            incident=incident,
            email_subject="Trellis: repeated restraint alert",
            email_body=(
                f"A learner has been restrained or secluded {count} times in 30 days "
                f"(report #{incident.pk}). Please review their behavior plan."
            ),
        )
        record(
            "incident.repeated_alert",
            learner=incident.learner,
            obj=incident,
            detail={"count": count},
        )


def add_episode(*, by, incident, data):
    _require_change(by, incident)
    if incident.is_locked:
        raise ValidationError({"episode": "The report is signed: changes are amendments."})
    policy = IncidentPolicy.for_organization(incident.organization)
    _raise(episode_problems(data, policy))
    with transaction.atomic():
        episode, lapsed = _add_episode(incident, data)
        if lapsed and not incident.training_lapsed:
            incident.training_lapsed = True
            incident.save(update_fields=["training_lapsed"])
        record(
            "incident.episode",
            learner=incident.learner,
            obj=incident,
            detail={"episode": episode.pk},
        )
    return episode


# --- changes, sign-off, amendments ---


def _shown(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if not isinstance(value, bool) else ("yes" if value else "no")


def snapshot(incident):
    """The report as a plain dict: what was signed."""
    return {
        "fields": {f: _shown(getattr(incident, f)) for f in REPORT_FIELDS},
        "staff_involved": sorted(str(s) for s in incident.staff_involved.all()),
        "episodes": [
            {f: _shown(getattr(e, f)) for f in EPISODE_FIELDS}
            | {"staff": [f"{s.staff} ({s.part})" for s in e.staff.all()]}
            for e in incident.episodes.all()
        ],
    }


def change_incident(*, by, incident, data, staff_involved=None, reason=""):
    """Before sign-off a change is an edit; after it, an amendment with a reason that keeps the
    old values (and the signed version stays as it was)."""
    _require_change(by, incident)
    problems = incident_problems(
        {f: data.get(f, getattr(incident, f)) for f in REPORT_FIELDS},
        has_episodes=incident.episodes.exists(),
    )
    if incident.is_locked and not reason.strip():
        problems["reason"] = "The report is signed: give the reason for the amendment."
    _raise(problems)
    changes = {}
    for field in REPORT_FIELDS:
        if field in data and _shown(data[field]) != _shown(getattr(incident, field)):
            label = str(Incident._meta.get_field(field).verbose_name)
            changes[field] = {
                "label": label,
                "old": _shown(getattr(incident, field)),
                "new": _shown(data[field]),
            }
    if staff_involved is not None:
        old = sorted(str(s) for s in incident.staff_involved.all())
        new = sorted(str(s) for s in staff_involved)
        if old != new:
            changes["staff_involved"] = {
                "label": "staff involved",
                "old": ", ".join(old),
                "new": ", ".join(new),
            }
    if not changes:
        return None
    with transaction.atomic():
        for field in REPORT_FIELDS:
            if field in changes:
                setattr(incident, field, data[field])
        if incident.guardian_required and not incident.guardian_notified_at:
            incident.guardian_due_at = IncidentPolicy.for_organization(
                incident.organization
            ).guardian_due(incident)
        incident.save()
        if "staff_involved" in changes:
            incident.staff_involved.set(staff_involved)
        amendment = None
        if incident.is_locked:
            amendment = Amendment.objects.create(
                incident=incident, changes=changes, reason=reason.strip(), by=by
            )
        record(
            "incident.amend" if amendment else "incident.edit",
            learner=incident.learner,
            obj=incident,
            detail={"fields": sorted(changes), "reason": reason.strip()},
        )
    return amendment or changes


def sign_incident(*, by, incident, typed_name, password, comments=""):
    """Sign off a report with the typed name and the re-entered password (the same check as a
    session note's signature); the report is locked after."""
    if not may_review(by, incident):
        record("incident.sign", learner=incident.learner, obj=incident, result="denied")
        raise PermissionDenied("Only a supervisor of this report may sign it.")
    if incident.is_locked:
        raise ValidationError({"status": "The report is already signed."})
    check_signature(by, incident, typed_name, password, "incident.sign")
    if incident.is_restrictive and not incident.episodes.exists():
        raise ValidationError({"episode": "Add the restraint's start and end before signing."})
    with transaction.atomic():
        incident.status = Incident.Status.SIGNED
        incident.signed_by = by
        incident.signed_at = timezone.now()
        incident.signed_name = " ".join(typed_name.split())
        incident.review_comments = comments.strip()
        incident.signed_version = snapshot(incident)
        incident.save()
        record("incident.sign", learner=incident.learner, obj=incident)
        if incident.reported_by:
            notify(
                [incident.reported_by],
                kind="incident.signed",
                message=(
                    f"Your {incident.get_kind_display().lower()} report #{incident.pk} "
                    "was reviewed and signed."
                ),
                url=reverse("incidents:detail", args=[incident.pk]),
                incident=incident,
            )
    return incident


# --- guardian notice, debriefs, follow-ups, closing ---


def record_guardian_contact(*, by, incident, data):
    _require_change(by, incident)
    _raise(check({}, "at", CONTACT_TIME, data["at"]))
    with transaction.atomic():
        contact = GuardianContact.objects.create(incident=incident, recorded_by=by, **data)
        if contact.reached and incident.guardian_notified_at is None:
            incident.guardian_notified_at = contact.at
            incident.save(update_fields=["guardian_notified_at"])
        record(
            "incident.guardian_contact",
            learner=incident.learner,
            obj=incident,
            detail={"method": contact.method, "reached": contact.reached},
        )
    return contact


def add_debrief(*, by, incident, data):
    _require_change(by, incident)
    _raise(check({}, "held_on", DEBRIEF_DATE, data["held_on"]))
    if data["held_on"] < _local_day(incident):
        raise ValidationError({"held_on": "A debrief cannot be held before the incident."})
    with transaction.atomic():
        debrief = Debrief.objects.create(incident=incident, recorded_by=by, **data)
        record(
            "incident.debrief",
            learner=incident.learner,
            obj=incident,
            detail={"kind": debrief.kind},
        )
    return debrief


def add_follow_up(*, by, incident, data):
    _require_change(by, incident)
    _raise(check({}, "due_on", FOLLOW_UP_DUE, data["due_on"]))
    with transaction.atomic():
        follow_up = FollowUp.objects.create(incident=incident, **data)
        record(
            "incident.follow_up",
            learner=incident.learner,
            obj=incident,
            detail={"follow_up": follow_up.pk},
        )
        if follow_up.owner.user_id != by.pk:
            notify(
                [follow_up.owner.user],
                kind="incident.follow_up",
                message=(
                    f"Follow-up for you on report #{incident.pk}, "
                    f"due {follow_up.due_on:%b %-d}: {follow_up.action}"
                ),
                url=reverse("incidents:detail", args=[incident.pk]),
                incident=incident,
            )
    return follow_up


def complete_follow_up(*, by, follow_up):
    _require_change(by, follow_up.incident)
    with transaction.atomic():
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["done_at"])
        record(
            "incident.follow_up_done", learner=follow_up.incident.learner, obj=follow_up.incident
        )
    return follow_up


def close_incident(*, by, incident):
    if not may_review(by, incident):
        record("incident.close", learner=incident.learner, obj=incident, result="denied")
        raise PermissionDenied("Only a supervisor of this report may close it.")
    problems = {}
    if incident.status != Incident.Status.SIGNED:
        problems["status"] = "Only a signed report can be closed."
    missing = incident.debrief_missing()
    if missing:
        problems["debrief"] = (
            "The report cannot close without its debrief: " + "; ".join(missing) + "."
        )
    if incident.guardian_pending:
        problems["guardian"] = "The guardian has not been reached yet."
    _raise(problems)
    with transaction.atomic():
        incident.status = Incident.Status.CLOSED
        incident.closed_at = timezone.now()
        incident.save(update_fields=["status", "closed_at"])
        record("incident.close", learner=incident.learner, obj=incident)
    return incident


def mark_read(user, ids=None):
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())
