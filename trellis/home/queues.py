"""The work waiting for a person today, gathered from the apps that own it.

Each queue is a plain question asked of another app's models ("notes signed by my supervisees and
not yet co-signed"); this module owns no data. A queue holds at most `LIMIT` items and the count
of all of them, and every item links to the page where the work is done.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone

from trellis.collect.models import Session, SessionNote
from trellis.credentials.actions import staff_in_reach
from trellis.credentials.models import ALERT_DAYS, Credential
from trellis.health.rounds import todays_round
from trellis.incidents.models import FollowUp, Incident
from trellis.monitoring.models import Recommendation
from trellis.people.access import is_program_admin, staff_learner_filter, staff_of
from trellis.people.models import CaseAssignment, Learner, Membership, Role

LIMIT = 8
REVIEW_ROLES = (Role.SUPERVISOR, Role.PROGRAM_ADMIN)


@dataclass
class Item:
    title: str
    url: str
    detail: str = ""
    when: date | datetime | None = None
    urgent: bool = False

    @property
    def when_label(self):
        if isinstance(self.when, datetime):
            return dateformat.format(timezone.localtime(self.when), "M j, g:i a")
        return dateformat.format(self.when, "M j, Y") if self.when else ""


@dataclass
class Queue:
    key: str
    title: str
    empty: str
    items: list[Item] = field(default_factory=list)
    count: int = 0
    action: str = "Open"


def _queue(key, title, empty, queryset, to_item, action="Open"):
    rows = list(queryset[:LIMIT])
    count = len(rows) if len(rows) < LIMIT else queryset.count()
    return Queue(key, title, empty, [to_item(row) for row in rows], count, action)


def _who(session):
    return str(session.learner or session.group)


# — the person who records —


def unfinished_sessions(user):
    sessions = Session.objects.filter(recorded_by=user, ended_at__isnull=True).select_related(
        "learner", "group"
    )
    return _queue(
        "unfinished",
        "Unfinished sessions",
        "No session is left open.",
        sessions.order_by("started_at"),
        lambda s: Item(
            _who(s),
            reverse("collect:screen", args=[s.pk]),
            "Second observer" if s.is_reliability else "Started",
            s.started_at,
            urgent=timezone.localdate(s.started_at) < timezone.localdate(),
        ),
        action="Continue recording",
    )


def notes_to_sign(user):
    """Ended sessions of mine whose note is missing or unsigned (a second observer's record
    needs no note)."""
    sessions = (
        Session.objects.filter(recorded_by=user, ended_at__isnull=False, primary_session=None)
        .filter(Q(note__isnull=True) | Q(note__signed_at__isnull=True))
        .select_related("learner", "group")
        .order_by("ended_at")
    )
    return _queue(
        "to_sign",
        "Notes to write and sign",
        "Every note of yours is signed.",
        sessions,
        lambda s: Item(
            _who(s),
            reverse("collect:end", args=[s.pk]),
            "Session ended",
            s.ended_at,
            urgent=timezone.localdate(s.ended_at) < timezone.localdate(),
        ),
        action="Summary and note",
    )


def todays_caseload(user):
    """My learners on active case assignments, to start today's sessions from (a nurse's
    cases open on the medication record instead)."""
    staff = staff_of(user)
    if staff is None:
        return Queue("today", "Today's sessions", "Nobody is on your caseload.")
    today = timezone.localdate()
    roles = dict(
        CaseAssignment.objects.active().filter(staff=staff).values_list("learner_id", "role")
    )
    learners = (
        Learner.objects.filter(active=True, pk__in=roles)
        .select_related("organization")
        .order_by("last_name", "first_name")
    )
    done = set(
        Session.objects.filter(
            recorded_by=user, learner__in=learners, started_at__date=today
        ).values_list("learner_id", flat=True)
    )
    nurse = CaseAssignment.CaseRole.NURSE

    def item(learner):
        if roles[learner.pk] == nurse:
            mar = reverse("health:mar", args=[learner.pk])
            return Item(str(learner), mar, todays_round(learner).words())
        detail = "Recorded today" if learner.pk in done else (learner.grade or learner.program)
        return Item(str(learner), reverse("collect:start", args=[learner.pk]), detail)

    only_nurse = set(roles.values()) == {nurse}
    return _queue(
        "today",
        "Today's medications" if only_nurse else "Today's sessions",
        "Nobody is on your caseload.",
        learners,
        item,
        action="Open" if only_nurse else "Start a session",
    )


def my_follow_ups(user):
    staff = staff_of(user)
    if staff is None:
        return Queue("follow_ups", "Follow-ups you own", "No follow-up is waiting for you.")
    rows = (
        FollowUp.objects.filter(owner=staff, done_at__isnull=True)
        .filter(incident__in=Incident.objects.visible_to(user))
        .select_related("incident__learner")
        .order_by("due_on")
    )
    today = timezone.localdate()
    return _queue(
        "follow_ups",
        "Follow-ups you own",
        "No follow-up is waiting for you.",
        rows,
        lambda f: Item(
            f"{f.action} — {f.incident.learner}",
            reverse("incidents:detail", args=[f.incident_id]),
            "Overdue since" if f.due_on < today else "Due",
            f.due_on,
            urgent=f.due_on < today,
        ),
    )


# — the person who reviews (supervisor, program admin) —


def reviews(user):
    """Whether this person reviews others' work: a supervisor or program admin role, someone
    they supervise, or a superuser."""
    if user.is_superuser:
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    return (
        Membership.objects.filter(staff=staff, role__in=REVIEW_ROLES).exists()
        or staff.supervisees.exists()
    )


def _reviewable(user, *, author, learner):
    """Rows written by someone I supervise, or by anyone about a learner of an organization
    where I hold a supervisor or program admin role (the rule of collect.may_cosign and
    incidents.may_review); `author` and `learner` name the paths to them. Never my own."""
    if user.is_superuser:
        return ~Q(**{author: user})
    staff = staff_of(user)
    rule = Q(**{f"{author}__staff__supervisors": staff})
    paths = Membership.objects.filter(staff=staff, role__in=REVIEW_ROLES).values_list(
        "organization__path", flat=True
    )
    for path in paths:
        rule |= Q(**{f"{learner}__organization__path__startswith": path})
    return rule & ~Q(**{author: user})


def notes_to_cosign(user):
    notes = (
        SessionNote.objects.filter(signed_at__isnull=False, cosigned_at__isnull=True)
        .filter(session__learner__in=Learner.objects.filter(staff_learner_filter(user)))
        .filter(_reviewable(user, author="signed_by", learner="session__learner"))
        .select_related("session__learner", "signed_by")
        .order_by("signed_at")
        .distinct()
    )
    return _queue(
        "to_cosign",
        "Notes awaiting your co-signature",
        "No note is waiting for your co-signature.",
        notes,
        lambda n: Item(
            f"{n.session.learner} — signed by {n.signed_name or n.signed_by}",
            reverse("collect:end", args=[n.session_id]),
            "Signed",
            n.signed_at,
            urgent=timezone.now() - n.signed_at > timedelta(days=2),
        ),
        action="Read and co-sign",
    )


def incidents_to_review(user):
    incidents = (
        Incident.objects.visible_to(user)
        .filter(status=Incident.Status.FILED)
        .filter(_reviewable(user, author="reported_by", learner="learner"))
        .select_related("learner")
        .order_by("filed_at")
        .distinct()
    )
    return _queue(
        "incidents",
        "Incident reports to review",
        "No incident report is waiting for review.",
        incidents,
        lambda i: Item(
            f"{i.get_kind_display()} — {i.learner}",
            reverse("incidents:detail", args=[i.pk]),
            "Filed",
            i.filed_at,
            urgent=i.is_restrictive,
        ),
        action="Review and sign",
    )


def overdue_guardian_notices(user):
    incidents = (
        Incident.objects.visible_to(user)
        .filter(
            guardian_required=True,
            guardian_notified_at__isnull=True,
            guardian_due_at__lt=timezone.now(),
        )
        .select_related("learner")
        .order_by("guardian_due_at")
    )
    return _queue(
        "guardian",
        "Guardian notices overdue",
        "Every guardian who must be told has been reached.",
        incidents,
        lambda i: Item(
            f"{i.get_kind_display()} — {i.learner}",
            reverse("incidents:guardian", args=[i.pk]),
            "Was due",
            i.guardian_due_at,
            urgent=True,
        ),
        action="Record the contact",
    )


def emergency_access_to_review(user):
    from trellis.people.emergency import to_review

    return _queue(
        "emergency",
        "Emergency access to review",
        "Every use of emergency access has been reviewed.",
        to_review(user).unreviewed().exclude(staff__user=user),
        lambda grant: Item(
            f"{grant.staff} opened {grant.learner}",
            f"{reverse('people:emergency_review')}?grant={grant.pk}",
            "At",
            grant.started_at,
            urgent=True,
        ),
        action="Review",
    )


def records_requests_due(user):
    from trellis.records.models import RecordsRequest

    wanted = (
        RecordsRequest.objects.open()
        .filter(learner__in=Learner.objects.filter(staff_learner_filter(user)))
        .select_related("learner")
        .order_by("due_on")
    )
    return _queue(
        "records",
        "Records requests due",
        "No family is waiting for records.",
        wanted,
        lambda r: Item(
            f"{r.get_kind_display()} — {r.learner}",
            reverse("records:request", args=[r.pk]),
            "Before the meeting on" if r.meeting_comes_first else "Due",
            r.meeting_on if r.meeting_comes_first else r.due_on,
            urgent=r.is_overdue or r.meeting_comes_first,
        ),
        action="Answer",
    )


def decision_flags(user):
    flags = (
        Recommendation.objects.open()
        .filter(learner__in=Learner.objects.filter(staff_learner_filter(user)))
        .select_related("learner", "goal")
        .order_by("raised_at")
    )
    return _queue(
        "flags",
        "Decision flags on your caseload",
        "No open decision flag.",
        flags,
        lambda r: Item(
            f"{r.label} — {r.learner}: {r.goal}",
            reverse("monitoring:goal", args=[r.goal_id]),
            "Raised",
            r.raised_at,
            urgent=r.kind == "change_intervention",
        ),
        action="Decide",
    )


def expiring_credentials(user):
    """Credentials of the people in reach (oneself, supervisees, an admin's organizations) that
    lapse within the alert window or have lapsed, unless renewed by a later one."""
    today = timezone.localdate()
    reach = staff_in_reach(user)
    latest = {}
    for credential in (
        Credential.objects.filter(staff__in=reach, expires_on__isnull=False)
        .select_related("staff__user")
        .order_by("expires_on")
    ):
        latest[(credential.staff_id, credential.kind)] = credential
    due = sorted(
        (c for c in latest.values() if c.expires_on <= today + timedelta(days=ALERT_DAYS)),
        key=lambda c: c.expires_on,
    )
    items = [
        Item(
            f"{c.staff} — {c.get_kind_display()}",
            reverse("credentials:roster"),
            "Lapsed" if c.expires_on < today else "Expires",
            c.expires_on,
            urgent=c.expires_on < today,
        )
        for c in due
    ]
    return Queue(
        "credentials",
        "Credentials expiring or lapsed",
        "Every credential in your reach is current.",
        items[:LIMIT],
        len(items),
    )


def queues_for(user):
    """The queues for this person's home page, most pressing first."""
    found = []
    staff = staff_of(user)
    if staff is not None:
        found += [unfinished_sessions(user), notes_to_sign(user)]
    if reviews(user):
        found += [
            notes_to_cosign(user),
            incidents_to_review(user),
            overdue_guardian_notices(user),
            records_requests_due(user),
            decision_flags(user),
        ]
    if is_program_admin(user):
        found.insert(0, emergency_access_to_review(user))
    if staff is not None:
        found += [my_follow_ups(user), expiring_credentials(user)]
        if CaseAssignment.objects.active().filter(staff=staff).exists():
            found.append(todays_caseload(user))
    elif user.is_superuser:
        found.append(expiring_credentials(user))
    return found


def waiting_count(queues):
    """The number the navigation shows: work items, not the caseload to start from."""
    return sum(q.count for q in queues if q.key != "today")
