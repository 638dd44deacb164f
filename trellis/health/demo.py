"""Demo medication orders and six weeks of MAR entries: mostly given, a few refusals, one held
dose, one medication error with its incident, and a controlled substance with its count."""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from trellis.health.models import (
    SCHOOL_DAYS,
    CountEntry,
    Dose,
    MedicationError,
    MedicationOrder,
    MedicationPolicy,
)
from trellis.incidents.models import Incident
from trellis.people.models import CaseAssignment, Learner, StaffMember

DRUGS = [
    ("Methylphenidate ER", "18 mg", ["08:00"], True),
    ("Guanfacine", "1 mg", ["12:00"], False),
    ("Levetiracetam", "250 mg", ["08:00", "12:00"], False),
    ("Sertraline", "25 mg", ["08:30"], False),
    ("Insulin lispro (sliding scale)", "per scale", ["11:30"], False),
]


def build(people):
    rng = random.Random(607)
    today = date.today()
    zone = ZoneInfo("America/Chicago")
    maple = people.schools[0]
    MedicationPolicy.objects.create(
        organization=people.district, window_minutes=60, witness_required="controlled"
    )
    # demo-nurse, the Maple Grove nurse: their cases are the learners with orders.
    nurse = StaffMember.objects.get(user__username="demo-nurse")
    learners = list(Learner.objects.filter(organization=maple).order_by("pk")[:8])
    CaseAssignment.objects.bulk_create(
        [
            CaseAssignment(
                staff=nurse, learner=lr, role="nurse", starts_on=today - timedelta(days=120)
            )
            for lr in learners
        ]
    )
    witness = StaffMember.objects.get(user__username="demo-supervisor").user
    start = today - timedelta(days=42)
    orders = []
    for index, learner in enumerate(learners[:6]):
        drug, dose, times, controlled = DRUGS[index % len(DRUGS)]
        orders.append(
            MedicationOrder(
                learner=learner,
                drug=drug,
                dose=dose,
                route="oral" if "Insulin" not in drug else "injection",
                times=times,
                prescriber=f"Dr. {rng.choice(['Okafor', 'Lindqvist', 'Reyes', 'Park'])}",
                starts_on=start - timedelta(days=10),
                consent_on=start - timedelta(days=12),
                controlled=controlled,
                days=SCHOOL_DAYS,
                entered_by=nurse.user,
            )
        )
    for learner in learners[:4]:
        orders.append(
            MedicationOrder(
                learner=learner,
                drug="Ibuprofen",
                dose="200 mg",
                route="oral",
                as_needed=True,
                indication="Headache or pain above 4/10",
                prescriber="Dr. Park",
                starts_on=start - timedelta(days=10),
                consent_on=start - timedelta(days=12),
                days=SCHOOL_DAYS,
                entered_by=nurse.user,
            )
        )
    MedicationOrder.objects.bulk_create(orders)
    doses, counts = [], []
    stock = {o.pk: 60 for o in orders if o.controlled}
    for order in orders:
        if order.controlled:
            counts.append(
                CountEntry(
                    order=order,
                    at=datetime.combine(start - timedelta(days=1), time(7, 30), tzinfo=zone),
                    reason="received",
                    change=60,
                    balance=60,
                    by=nurse.user,
                    note="Received from family",
                )
            )
    error_dose = None
    day = start
    while day < today:
        if day.weekday() < 5:
            for order in orders:
                if order.as_needed:
                    if rng.random() < 0.06:
                        at = datetime.combine(
                            day, time(rng.randint(9, 14), rng.randint(0, 59)), tzinfo=zone
                        )
                        doses.append(
                            Dose(
                                order=order,
                                learner=order.learner,
                                at=at,
                                status="given",
                                prn_reason="Headache",
                                recorded_by=nurse.user,
                                recorded_at=at,
                            )
                        )
                    continue
                for slot in order.scheduled_on(day, zone):
                    roll = rng.random()
                    status, reason = (
                        ("refused", "refused")
                        if roll < 0.03
                        else ("absent_", "absent")
                        if roll < 0.06
                        else ("given", "")
                    )
                    status = "missed" if status == "absent_" else status
                    offset = rng.randint(-20, 25) if rng.random() > 0.04 else rng.randint(65, 90)
                    at = slot + timedelta(minutes=offset)
                    dose = Dose(
                        order=order,
                        learner=order.learner,
                        scheduled_for=slot,
                        at=at,
                        status=status,
                        reason=reason,
                        recorded_by=nurse.user,
                        recorded_at=at,
                        outside_window=status == "given" and abs(offset) > 60,
                        witness=witness if order.controlled and status == "given" else None,
                    )
                    doses.append(dose)
                    if (
                        error_dose is None
                        and order.drug == "Guanfacine"
                        and day > start + timedelta(days=20)
                    ):
                        error_dose = dose
        day += timedelta(days=1)
    # One held dose.
    held = next(d for d in doses if d.order.drug == "Levetiracetam" and d.status == "given")
    held.status, held.reason, held.note = "held", "vomiting", "Vomited at 07:40; parent called."
    Dose.objects.bulk_create(doses)
    for dose in doses:
        if dose.order.controlled and dose.status == "given":
            stock[dose.order_id] -= 1
            counts.append(
                CountEntry(
                    order=dose.order,
                    at=dose.at,
                    reason="given",
                    change=-1,
                    balance=stock[dose.order_id],
                    dose=dose,
                    by=nurse.user,
                    witness=witness,
                )
            )
    CountEntry.objects.bulk_create(counts)
    # One medication error: a double dose of guanfacine, category D, with its incident.
    error = MedicationError.objects.create(
        learner=error_dose.learner,
        order=error_dose.order,
        dose=error_dose,
        error_type="wrong_dose",
        category="D",
        occurred_at=error_dose.at,
        reported_by=nurse.user,
        description="A second 1 mg tablet was given by mistake (2 mg total).",
        action_taken="Blood pressure checked every 30 minutes; parent and prescriber informed.",
    )
    Incident.objects.create(
        learner=error.learner,
        organization=error.learner.organization,
        kind="medical",
        started_at=error.occurred_at,
        ended_at=error.occurred_at,
        location="Health office",
        antecedent=f"Medication administration ({error.order.drug}).",
        narrative=f"Wrong dose: {error.description}",
        interventions=error.action_taken,
        reported_by=nurse.user,
        medication_error=error,
        guardian_required=True,
        guardian_due_at=error.occurred_at + timedelta(hours=8),
        guardian_notified_at=error.occurred_at + timedelta(hours=1),
        status="signed",
        signed_by=witness,
        signed_at=error.occurred_at + timedelta(days=1),
        filed_at=timezone.now()
        if error.occurred_at > timezone.now()
        else error.occurred_at + timedelta(hours=1),
    )
