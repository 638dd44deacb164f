"""Demo incidents: a realistic spread over the last 90 days at the schools and the clinic, with
restraints and their debriefs, guardian contacts, sign-offs, one guardian notice overdue and one
restraint by a technician whose crisis training has lapsed."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from trellis.incidents.models import (
    Debrief,
    EpisodeStaff,
    GuardianContact,
    Incident,
    IncidentPolicy,
    LearnerServiceStatus,
    Notification,
    RestraintEpisode,
)
from trellis.people.models import CaseAssignment, Learner, StaffMember

LOCATIONS = ["Classroom", "Hallway", "Cafeteria", "Playground", "Gym", "Bus line", "Therapy room"]
STORIES = {
    "behavioral": (
        "Asked to start the math worksheet.",
        "Tore the worksheet, threw a chair backward.",
    ),
    "injury": ("Running at recess.", "Tripped on the curb and scraped both knees."),
    "property": ("Told the tablet time was over.", "Threw the tablet; the screen cracked."),
    "elopement": (
        "Transition from lunch to class.",
        "Ran out of the building toward the parking lot.",
    ),
    "medical": ("Sitting at the table.", "Complained of a headache, pale and sweaty."),
    "restraint": ("Denied access to a preferred toy.", "Hit a peer in the head repeatedly."),
    "seclusion": ("Group activity.", "Threw furniture at staff and peers."),
}


def build(people):
    rng = random.Random(606)
    now = timezone.now()
    zone = ZoneInfo("America/Chicago")
    IncidentPolicy.objects.create(organization=people.district, restraint_approval_minutes=15)
    IncidentPolicy.objects.create(
        organization=people.agency, guardian_deadline="hours", guardian_deadline_hours=24
    )
    learners = list(Learner.objects.filter(organization__in=people.schools + [people.clinic]))
    statuses = []
    for learner in learners:
        roll = rng.random()
        status = "idea" if roll < 0.45 else "section_504" if roll < 0.55 else None
        if status:
            statuses.append(
                LearnerServiceStatus(
                    learner=learner,
                    status=status,
                    starts_on=learner.birth_date + timedelta(days=5 * 365),
                )
            )
    LearnerServiceStatus.objects.bulk_create(statuses)
    status_of = {s.learner_id: s.status for s in statuses}
    team = {}
    for a in (
        CaseAssignment.objects.active()
        .filter(role__in=["assistant", "technician"])
        .select_related("staff__user")
    ):
        team.setdefault(a.learner_id, a.staff)
    supervisor = StaffMember.objects.get(user__username="demo-supervisor")
    from trellis.credentials.demo import lapsed_technician

    lapsed = lapsed_technician(people)
    # A few learners with frequent crises, so the repeated-restraint alert has something to say.
    frequent = rng.sample([lr for lr in learners if lr.pk in team], 3)
    plans = []
    for _ in range(70):
        kind = rng.choices(list(STORIES), weights=[30, 14, 8, 6, 6, 10, 3])[0]
        learner = (
            rng.choice(frequent)
            if kind in ("restraint", "seclusion") and rng.random() < 0.6
            else rng.choice(learners)
        )
        if learner.pk not in team:
            continue
        day = (now - timedelta(days=rng.randint(1, 90))).astimezone(zone).date()
        start = datetime.combine(day, time(rng.randint(8, 15), rng.randint(0, 59)), tzinfo=zone)
        plans.append((kind, learner, start))
    # The overdue guardian notice: a restraint two days ago, nobody reached yet.
    supervised = _supervised(supervisor)
    overdue_learner = next(lr for lr in learners if lr.pk in supervised and lr.pk in team)
    plans.append(
        (
            "restraint",
            overdue_learner,
            datetime.combine(
                (now - timedelta(days=2)).astimezone(zone).date(), time(10, 40), tzinfo=zone
            ),
        )
    )
    incidents = []
    for kind, learner, start in plans:
        antecedent, narrative = STORIES[kind]
        end = start + timedelta(minutes=rng.randint(5, 25))
        reporter = team[learner.pk]
        incident = Incident(
            learner=learner,
            organization=learner.organization,
            kind=kind,
            started_at=start,
            ended_at=end,
            location=rng.choice(LOCATIONS),
            antecedent=antecedent,
            narrative=narrative,
            deescalation="Offered a break and choices; reduced demands.",
            interventions="Planned ignoring, then prompting to the calm-down area.",
            injuries=kind == "injury",
            injury_description="Scraped knees." if kind == "injury" else "",
            first_aid="Cleaned and bandaged by the nurse." if kind == "injury" else "",
            imminent_risk="Injury to a peer was imminent." if kind in Incident.RESTRICTIVE else "",
            less_restrictive_tried="Verbal de-escalation, removing peers, break card."
            if kind in Incident.RESTRICTIVE
            else "",
            disability_status=status_of.get(learner.pk, "none"),
            reported_by=reporter.user,
            filed_at=end + timedelta(minutes=40),
        )
        incident.guardian_required = kind in Incident.GUARDIAN_KINDS
        if incident.guardian_required:
            incident.guardian_due_at = IncidentPolicy.for_organization(
                learner.organization
            ).guardian_due(incident)
        recent = start > now - timedelta(days=4)
        if not recent:
            incident.status = "closed" if rng.random() < 0.7 else "signed"
            # Signed by the school's supervisor, or at the clinic by the reporter's BCBA.
            signer = (
                supervisor if learner.organization in people.schools else None
            ) or reporter.supervisors.first()
            incident.signed_by = signer.user if signer else None
            incident.signed_name = signer.user.get_full_name() if signer else ""
            incident.signed_at = end + timedelta(days=1)
            incident.signed_version = {
                "fields": {"location": incident.location},
                "staff_involved": [],
                "episodes": [],
            }
            if incident.status == "closed":
                incident.closed_at = end + timedelta(days=3)
            if incident.guardian_required:
                incident.guardian_notified_at = end + timedelta(hours=rng.choice([1, 2, 3, 30]))
        incidents.append(incident)
    Incident.objects.bulk_create(incidents)
    through = Incident.staff_involved.through
    through.objects.bulk_create(
        [through(incident_id=i.pk, staffmember_id=team[i.learner_id].pk) for i in incidents]
    )
    episodes, contacts, debriefs = [], [], []
    for incident in incidents:
        if incident.guardian_notified_at:
            contacts.append(
                GuardianContact(
                    incident=incident,
                    at=incident.guardian_notified_at,
                    method=rng.choice(["phone", "in_person", "email"]),
                    person="Parent",
                    reached=True,
                )
            )
        if incident.kind in Incident.RESTRICTIVE:
            begin = incident.started_at + timedelta(minutes=2)
            minutes = rng.choice([2, 3, 4, 5, 7, 9, 12, 18])
            episodes.append(
                RestraintEpisode(
                    incident=incident,
                    kind="seclusion"
                    if incident.kind == "seclusion"
                    else rng.choice(["physical"] * 5 + ["mechanical"]),
                    technique="Two-person escort hold"
                    if incident.kind == "restraint"
                    else "Calm room, door held",
                    started_at=begin,
                    ended_at=begin + timedelta(minutes=minutes),
                    duration_ms=minutes * 60000,
                    monitoring="Continuous visual monitoring, breathing checked.",
                    release_criteria="Calm body and voice for one minute.",
                    approved_by="Principal" if minutes > 15 else "",
                    approved_at=begin + timedelta(minutes=14) if minutes > 15 else None,
                )
            )
            if incident.status == "closed":
                for kind in ("staff", "family"):
                    debriefs.append(
                        Debrief(
                            incident=incident,
                            kind=kind,
                            held_on=(incident.ended_at + timedelta(days=1)).date(),
                            participants="Team and parent"
                            if kind == "family"
                            else "Staff involved",
                            summary="Reviewed triggers; adding a visual timer and earlier breaks.",
                        )
                    )
    RestraintEpisode.objects.bulk_create(episodes)
    GuardianContact.objects.bulk_create(contacts)
    Debrief.objects.bulk_create(debriefs)
    rows = []
    clinic_restraint = None
    for episode in episodes:
        staff = team[episode.incident.learner_id]
        rows.append(
            EpisodeStaff(
                episode=episode,
                staff=staff,
                part="applied",
                training_current=True,
                crisis_training_expires_on=None,
            )
        )
        if (
            episode.incident.organization_id == people.clinic.pk
            and clinic_restraint is None
            and lapsed
        ):
            clinic_restraint = episode
            rows.append(
                EpisodeStaff(
                    episode=episode,
                    staff=lapsed,
                    part="applied",
                    training_current=False,
                    crisis_training_expires_on=(now - timedelta(days=12)).date(),
                )
            )
    EpisodeStaff.objects.bulk_create(rows)
    if clinic_restraint:
        Incident.objects.filter(pk=clinic_restraint.incident_id).update(training_lapsed=True)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=supervisor.user,
                kind="incident.filed",
                incident=i,
                url=f"/incidents/{i.pk}/",
                message=(
                    f"New {i.get_kind_display().lower()} report for "
                    f"{i.learner.full_name} needs your review."
                ),
            )
            for i in incidents
            if i.status == "filed"
            and i.organization in people.schools
            and i.learner_id in _supervised(supervisor)
        ]
    )


def _supervised(supervisor):
    return set(
        CaseAssignment.objects.active()
        .filter(staff__supervisors=supervisor)
        .values_list("learner_id", flat=True)
    )
