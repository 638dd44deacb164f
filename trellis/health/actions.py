"""Every write to the medication record: validate, write and audit in one transaction.

MAR entries are never edited. A correction marks the entry "entered in error" with a reason and
records the right one; the controlled-substance ledger follows with a correction line.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.accounts.signatures import check_signature
from trellis.audit.log import record
from trellis.credentials.models import Kind as CredentialKind
from trellis.credentials.models import is_current
from trellis.health.models import (
    COUNT_CHANGE,
    DOSE_TIME,
    EFFECT_TIME,
    ERROR_TIME,
    MAX_UNITS,
    UNITS_COUNTED,
    CountEntry,
    Dose,
    MedicationError,
    MedicationOrder,
    MedicationPolicy,
    PrnEffect,
    default_days,
    local_zone,
)
from trellis.incidents.notify import ancestors, notify, nurses_for, supervisors_for
from trellis.people.access import CHANGE, may, staff_of
from trellis.people.models import Membership, Role, StaffMember
from trellis.validators import NumberRange, check

STARTING_COUNT = NumberRange("Starting count", 0, MAX_UNITS)
NOT_GIVEN = (Dose.Status.REFUSED, Dose.Status.HELD, Dose.Status.MISSED, Dose.Status.NOT_AVAILABLE)


def _has_role(user, learner, roles):
    staff = staff_of(user)
    return (
        staff is not None
        and Membership.objects.filter(
            staff=staff, role__in=roles, organization__in=ancestors(learner.organization)
        ).exists()
    )


def may_order(user, learner) -> bool:
    """Orders are entered by a nurse or a program admin who may change the learner's record."""
    if not may(user, CHANGE, learner):
        return False
    return user.is_superuser or _has_role(user, learner, [Role.NURSE, Role.PROGRAM_ADMIN])


def may_administer(user, learner, on=None) -> bool:
    """Doses are recorded by a nurse, or by staff with a current medication-administration
    training, who may change the learner's record."""
    if not may(user, CHANGE, learner):
        return False
    if user.is_superuser or _has_role(user, learner, [Role.NURSE]):
        return True
    staff = staff_of(user)
    return is_current(staff, CredentialKind.MEDICATION, on or date.today())


def _raise(problems):
    if problems:
        raise ValidationError(problems)


# --- orders ---


def order_problems(data) -> dict:
    problems = {}
    if data.get("as_needed"):
        if not (data.get("indication") or "").strip():
            problems["indication"] = "An as-needed order needs its indication (when to give it)."
    else:
        if not data.get("times"):
            problems["times"] = (
                "Give the scheduled times (e.g. 08:00, 12:00), or mark it as needed."
            )
        days = data.get("days")
        if days is not None and (
            not days or not all(isinstance(d, int) and 0 <= d <= 6 for d in days)
        ):
            problems["days"] = "Choose the days the scheduled times apply (e.g. Mon–Fri)."
    if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
        problems["ends_on"] = "The order ends before it starts."
    for name in ("starts_on", "ends_on", "consent_on"):
        field = MedicationOrder._meta.get_field(name)
        for validator in field.validators:
            check(problems, name, validator, data.get(name))
    return problems


def enter_order(*, by, learner, data, stock=None):
    if not may_order(by, learner):
        record("medication.order", learner=learner, result="denied")
        raise PermissionDenied("Only a nurse or program admin may enter medication orders.")
    problems = order_problems(data)
    if data.get("controlled") and stock is None:
        problems["stock"] = "A controlled substance needs its starting count."
    check(problems, "stock", STARTING_COUNT, stock)
    _raise(problems)
    data = dict(data)
    data["days"] = sorted(set(data.get("days") or default_days(learner.organization)))
    with transaction.atomic():
        order = MedicationOrder.objects.create(learner=learner, entered_by=by, **data)
        if order.controlled:
            CountEntry.objects.create(
                order=order,
                reason=CountEntry.Reason.RECEIVED,
                change=stock,
                balance=stock,
                by=by,
                note="Starting count",
            )
        record("medication.order", learner=learner, obj=order, detail={"drug": order.drug})
    return order


# --- the MAR ---


def _witness_problems(policy, order, data, by):
    witness = data.get("witness")
    if data.get("status") == Dose.Status.GIVEN and policy.needs_witness(order) and witness is None:
        return {"witness": "This organization requires a witness for this dose."}
    if witness is not None:
        if witness.pk == by.pk:
            return {"witness": "The witness must be someone else."}
        if not StaffMember.objects.filter(user=witness).exists():
            return {"witness": "The witness must be a staff member."}
    return {}


def _aware(value, zone):
    """A datetime without an offset is the organization's local time."""
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=zone)
    return value


def witness_signature_problems(witness, obj, data, action) -> dict:
    """A witness signs for themselves: their typed name and password, checked like a session
    note's signature (a denial is audited). Field names: witness_name, witness_password."""
    try:
        check_signature(
            witness, obj, data.get("witness_name") or "", data.get("witness_password"), action
        )
    except ValidationError as error:
        return {
            f"witness_{name.replace('typed_', '')}": m for name, m in error.message_dict.items()
        }
    return {}


def dose_problems(*, by, order, data, policy, replacing=None) -> dict:
    problems = {}
    zone = local_zone(order.learner)
    for name in ("at", "scheduled_for"):
        if data.get(name) is not None:
            data[name] = _aware(data[name], zone)
    status, at = data.get("status"), data.get("at")
    local_day = at.astimezone(zone).date() if at else None
    check(problems, "at", DOSE_TIME, at)
    if local_day and not MedicationOrder.objects.filter(pk=order.pk).active(local_day).exists():
        problems["order"] = "The order is not active on that day."
    if status in NOT_GIVEN and not data.get("reason"):
        problems["reason"] = "A dose that was not given needs a reason code."
    if order.as_needed:
        if status == Dose.Status.GIVEN and not (data.get("prn_reason") or "").strip():
            problems["prn_reason"] = "Say why the as-needed dose was given."
    else:
        slot = data.get("scheduled_for")
        if slot is None:
            problems["scheduled_for"] = "Choose the scheduled time this dose is for."
        elif slot not in order.scheduled_on(slot.astimezone(zone).date(), zone):
            problems["scheduled_for"] = (
                "No dose of this order is scheduled then (check its times and days)."
            )
        else:
            taken = Dose.objects.standing().filter(order=order, scheduled_for=slot)
            if replacing is not None:
                taken = taken.exclude(pk=replacing.pk)
            if taken.exists():
                problems["scheduled_for"] = (
                    "This dose is already charted; correct that entry instead of charting twice."
                )
    witness_problems = _witness_problems(policy, order, data, by)
    if not witness_problems and data.get("witness") is not None:
        witness_problems = witness_signature_problems(data["witness"], order, data, "mar.witness")
    problems.update(witness_problems)
    return problems


def _write_dose(*, by, order, data, policy):
    slot = data.get("scheduled_for")
    dose = Dose.objects.create(
        order=order,
        learner=order.learner,
        scheduled_for=slot,
        at=data["at"],
        status=data["status"],
        reason=data.get("reason") or "",
        note=data.get("note") or "",
        prn_reason=data.get("prn_reason") or "",
        witness=data.get("witness"),
        recorded_by=by,
        outside_window=bool(
            slot
            and data["status"] == Dose.Status.GIVEN
            and abs(data["at"] - slot) > timedelta(minutes=policy.window_minutes)
        ),
    )
    if order.controlled and dose.status == Dose.Status.GIVEN:
        balance = (order.stock() or 0) - 1
        CountEntry.objects.create(
            order=order,
            at=dose.at,
            reason=CountEntry.Reason.GIVEN,
            change=-1,
            balance=balance,
            dose=dose,
            by=by,
            witness=dose.witness,
        )
    return dose


def record_dose(*, by, order, data):
    """Chart one dose: given, refused, held, missed or not available."""
    learner = order.learner
    if not may_administer(by, learner):
        record("mar.record", learner=learner, obj=order, result="denied")
        raise PermissionDenied(
            "Only staff authorized for medication administration may record doses."
        )
    policy = MedicationPolicy.for_organization(learner.organization)
    _raise(dose_problems(by=by, order=order, data=data, policy=policy))
    with transaction.atomic():
        dose = _write_dose(by=by, order=order, data=data, policy=policy)
        record(
            "mar.record",
            learner=learner,
            obj=dose,
            detail={
                "order": order.pk,
                "status": dose.status,
                "outside_window": dose.outside_window,
            },
        )
    return dose


def correct_dose(*, by, dose, reason, data=None):
    """Mark an entry entered in error (with a reason) and, when given, record the right one."""
    order = dose.order
    if not may_administer(by, order.learner):
        record("mar.correct", learner=order.learner, obj=dose, result="denied")
        raise PermissionDenied(
            "Only staff authorized for medication administration may correct doses."
        )
    problems = {}
    if dose.entered_in_error:
        problems["dose"] = "This entry is already marked entered in error."
    if not (reason or "").strip():
        problems["error_reason"] = "Say why the entry was wrong."
    policy = MedicationPolicy.for_organization(order.learner.organization)
    if data is not None and not problems:
        problems.update(dose_problems(by=by, order=order, data=data, policy=policy, replacing=dose))
    _raise(problems)
    with transaction.atomic():
        right = _write_dose(by=by, order=order, data=data, policy=policy) if data else None
        dose.entered_in_error = True
        dose.error_reason = reason.strip()
        dose.corrected_by_dose = right
        dose.save(update_fields=["entered_in_error", "error_reason", "corrected_by_dose"])
        if order.controlled and dose.status == Dose.Status.GIVEN:
            balance = (order.stock() or 0) + 1
            CountEntry.objects.create(
                order=order,
                reason=CountEntry.Reason.CORRECTION,
                change=1,
                balance=balance,
                dose=dose,
                by=by,
                note=f"Entry #{dose.pk} entered in error",
            )
        record(
            "mar.correct",
            learner=order.learner,
            obj=dose,
            detail={"reason": reason.strip(), "replaced_by": right.pk if right else None},
        )
    return right


def record_prn_effect(*, by, dose, effect, at):
    if not may_administer(by, dose.learner):
        record("mar.effect", learner=dose.learner, obj=dose, result="denied")
        raise PermissionDenied(
            "Only staff authorized for medication administration may chart this."
        )
    problems = {}
    if not dose.order.as_needed or dose.status != Dose.Status.GIVEN:
        problems["dose"] = "Only a given as-needed dose has an effect follow-up."
    elif PrnEffect.objects.filter(dose=dose).exists():
        problems["dose"] = "The effect is already charted."
    if not (effect or "").strip():
        problems["effect"] = "Describe the effect."
    check(problems, "at", EFFECT_TIME, at)
    if at and at < dose.at:
        problems["at"] = "The follow-up cannot be before the dose."
    _raise(problems)
    with transaction.atomic():
        follow_up = PrnEffect.objects.create(
            dose=dose, effect=effect.strip(), at=at, recorded_by=by
        )
        record("mar.effect", learner=dose.learner, obj=dose)
    return follow_up


def count_controlled(
    *,
    by,
    order,
    reason,
    change=0,
    counted=None,
    witness=None,
    witness_name="",
    witness_password="",
    note="",
):
    """A line of the controlled-substance ledger: stock received, wasted, returned, or a count."""
    if not may_administer(by, order.learner):
        record("mar.count", learner=order.learner, obj=order, result="denied")
        raise PermissionDenied("Only staff authorized for medication administration may count.")
    problems = {}
    if not order.controlled:
        problems["order"] = "Only controlled substances keep a count."
    if reason == CountEntry.Reason.COUNT:
        if counted is None:
            problems["counted"] = "Enter the number of units counted."
        change = 0
    elif reason in (CountEntry.Reason.RECEIVED,):
        if not change or change <= 0:
            problems["change"] = "Enter how many units were received."
    elif reason in (CountEntry.Reason.WASTED, CountEntry.Reason.RETURNED):
        if not change or change <= 0:
            problems["change"] = "Enter how many units left the stock."
        change = -abs(change or 0)
        if witness is None:
            problems["witness"] = "Wasting or returning a controlled substance needs a witness."
    else:
        problems["reason"] = "Choose what this count line is."
    check(problems, "change", COUNT_CHANGE, change)
    check(problems, "counted", UNITS_COUNTED, counted)
    if witness is not None and witness.pk == by.pk:
        problems["witness"] = "The witness must be someone else."
    elif witness is not None and not problems:
        problems.update(
            witness_signature_problems(
                witness,
                order,
                {"witness_name": witness_name, "witness_password": witness_password},
                "mar.witness",
            )
        )
    _raise(problems)
    with transaction.atomic():
        entry = CountEntry.objects.create(
            order=order,
            reason=reason,
            change=change,
            balance=(order.stock() or 0) + change,
            counted=counted,
            by=by,
            witness=witness,
            note=note,
        )
        record(
            "mar.count",
            learner=order.learner,
            obj=order,
            detail={
                "reason": reason,
                "change": change,
                "balance": entry.balance,
                "discrepancy": entry.discrepancy,
            },
        )
        if entry.discrepancy:
            notify(
                nurses_for(order.learner) + supervisors_for(by, order.learner),
                kind="mar.count_discrepancy",
                message=f"Count discrepancy for {order.drug} ({order.learner.full_name}): "
                f"counted {counted}, expected {entry.balance}.",
                url=reverse("health:count", args=[order.pk]),
                email_subject="Trellis: controlled-substance count discrepancy",
            )
    return entry


# --- errors and adverse reactions ---


def error_problems(data) -> dict:
    problems = {}
    if not data.get("error_type") and not data.get("adverse_reaction"):
        problems["error_type"] = "Choose the error type (or mark an adverse reaction)."
    if data.get("error_type") and not data.get("category"):
        problems["category"] = "Choose the NCC MERP category (A–I)."
    check(problems, "occurred_at", ERROR_TIME, data.get("occurred_at"))
    if not (data.get("description") or "").strip():
        problems["description"] = "Describe what happened."
    return problems


def report_medication_error(*, by, learner, data, location="Health office"):
    """Record a medication error or adverse reaction; open the linked incident report and tell
    the nurse and the supervisor."""
    from trellis.incidents.actions import file_incident

    if not may(by, CHANGE, learner):
        record("medication.error", learner=learner, result="denied")
        raise PermissionDenied("You may not change this learner's record.")
    _raise(error_problems(data))
    with transaction.atomic():
        error = MedicationError.objects.create(learner=learner, reported_by=by, **data)
        what = str(error)
        drug = f" ({error.order.drug})" if error.order else ""
        incident = file_incident(
            by=by,
            learner=learner,
            data={
                "kind": "medical",
                "started_at": error.occurred_at,
                "ended_at": error.occurred_at,
                "location": location,
                "antecedent": f"Medication administration{drug}.",
                "narrative": f"{what}: {error.description}",
                "interventions": error.action_taken,
            },
            staff_involved=[s for s in [staff_of(by)] if s],
            announce=False,
        )
        incident.medication_error = error
        incident.save(update_fields=["medication_error"])
        record(
            "medication.error",
            learner=learner,
            obj=error,
            detail={
                "type": error.error_type,
                "category": error.category,
                "adverse_reaction": error.adverse_reaction,
                "incident": incident.pk,
            },
        )
        notify(
            nurses_for(learner) + supervisors_for(by, learner),
            kind="medication.error",
            message=f"Medication {'error' if error.error_type else 'reaction'} for "
            f"{learner.full_name}: {what}. Incident report #{incident.pk} opened.",
            url=reverse("incidents:detail", args=[incident.pk]),
            incident=incident,
            email_subject="Trellis: medication error reported",
            email_body=f"A medication error or adverse reaction was reported (category "
            f"{error.category or '—'}). Incident report #{incident.pk} was opened for review.",
        )
    return error
