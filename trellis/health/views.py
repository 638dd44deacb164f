"""Medication pages: orders, the MAR grid, charting a dose, corrections, counts and errors."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from trellis.audit.log import record
from trellis.forms import add_errors
from trellis.health import actions
from trellis.health.access import get_dose_or_404, get_order_or_404
from trellis.health.forms import (
    CorrectionForm,
    CountForm,
    DoseForm,
    EffectForm,
    ErrorForm,
    OrderForm,
)
from trellis.health.models import Dose, MedicationPolicy
from trellis.people.access import CHANGE, get_learner_or_404

GRID_DAYS = 7


def _zone(learner):
    zone = ZoneInfo(learner.organization.time_zone)
    timezone.activate(zone)
    return zone


@login_required
def orders(request, learner_id):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action=None)
    _zone(learner)
    may_order = actions.may_order(request.user, learner)
    form = None
    if may_order:
        form = OrderForm(request.POST or None, learner=learner, initial={"starts_on": date.today()})
        if request.method == "POST" and form.is_valid():
            try:
                actions.enter_order(
                    by=request.user,
                    learner=learner,
                    data=form.order_data(),
                    stock=form.cleaned_data.get("stock"),
                )
            except ValidationError as error:
                add_errors(form, error, {"at": "time"})
            else:
                messages.success(request, "Order entered.")
                return redirect("health:orders", learner.pk)
    elif request.method == "POST":
        record("medication.order", learner=learner, result="denied")
        raise PermissionDenied("Only a nurse or program admin may enter medication orders.")
    if request.method != "POST":
        record("medication.view", learner=learner)
    return render(
        request,
        "health/orders.html",
        {"learner": learner, "orders": learner.medication_orders.all(), "form": form},
    )


def build_grid(learner, start, days, now):
    """Rows: each scheduled time of each active order, then each as-needed order; columns: days.
    A cell holds the standing entry, or says whether the dose is due or went uncharted."""
    zone = ZoneInfo(learner.organization.time_zone)
    policy = MedicationPolicy.for_organization(learner.organization)
    window = timedelta(minutes=policy.window_minutes)
    dates = [start + timedelta(days=i) for i in range(days)]
    begin = datetime.combine(dates[0], datetime.min.time(), tzinfo=zone)
    end = begin + timedelta(days=days)
    order_list = list(
        learner.medication_orders.active(dates[-1]).filter(starts_on__lte=dates[-1])
        | learner.medication_orders.filter(ends_on__gte=dates[0], starts_on__lte=dates[-1])
    )
    order_list = sorted(set(order_list), key=lambda o: (o.as_needed, o.drug))
    doses = Dose.objects.standing().filter(
        learner=learner, at__gte=begin - window, at__lt=end + window
    )
    by_slot = {(d.order_id, d.scheduled_for): d for d in doses if d.scheduled_for}
    prn = {}
    for d in doses:
        if d.scheduled_for is None:
            prn.setdefault((d.order_id, d.at.astimezone(zone).date()), []).append(d)
    rows = []
    for order in order_list:
        if order.as_needed:
            rows.append(
                {
                    "order": order,
                    "time": "PRN",
                    "cells": [{"prn": prn.get((order.pk, day), []), "day": day} for day in dates],
                }
            )
            continue
        for clock in sorted(order.times):
            cells = []
            for day in dates:
                slot = order.slot_at(day, clock, zone)
                dose = by_slot.get((order.pk, slot))
                if dose is None and not order.applies_on(day):
                    # Not a day of this order (a weekend of a school-day order, before it
                    # starts, after it ends): not scheduled, never "not charted".
                    cells.append({"off": True, "day": day})
                    continue
                state = (
                    dose.status
                    if dose
                    else "overdue"
                    if now > slot + window
                    else "due"
                    if now >= slot - window
                    else "later"
                )
                cells.append({"slot": slot, "dose": dose, "state": state, "day": day})
            rows.append({"order": order, "time": clock, "cells": cells})
    return dates, rows


@login_required
def mar(request, learner_id):
    # Staff only (nurses by their caseload, program admins by organization); families do not
    # read the MAR here.
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action="mar.view")
    zone = _zone(learner)
    today = timezone.now().astimezone(zone).date()
    start = (
        parse_date(request.GET.get("start") or "")
        if _valid_date(request.GET.get("start"))
        else None
    )
    start = start or today - timedelta(days=GRID_DAYS - 1)
    dates, rows = build_grid(learner, start, GRID_DAYS, timezone.now())
    history = (
        Dose.objects.filter(learner=learner, at__date__gte=start, at__date__lte=dates[-1])
        .select_related("order", "recorded_by", "witness", "corrected_by_dose")
        .order_by("-at")
    )
    return render(
        request,
        "health/mar.html",
        {
            "learner": learner,
            "dates": dates,
            "rows": rows,
            "today": today,
            "history": history,
            "previous": start - timedelta(days=GRID_DAYS),
            "next": start + timedelta(days=GRID_DAYS),
            "may_administer": actions.may_administer(request.user, learner),
            "policy": MedicationPolicy.for_organization(learner.organization),
        },
    )


def _valid_date(text):
    try:
        return bool(text) and parse_date(text) is not None
    except ValueError:
        return False


def parse_slot(text, zone):
    """The scheduled time a dose is for, from the query or the form: ISO 8601, and without a UTC
    offset the organization's local time. Empty is None; anything else is an error on "slot"."""
    text = text.strip()
    if not text:
        return None
    try:
        slot = parse_datetime(text)
    except ValueError:
        slot = None
    if slot is None:
        raise ValidationError(
            {"slot": f"Slot: {text[:40]!r} is not a date and time like 2026-12-02T08:00."}
        )
    return slot.replace(tzinfo=zone) if timezone.is_naive(slot) else slot


@login_required
def record_dose(request, learner_id):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action=None)
    zone = _zone(learner)
    order_id = request.GET.get("order") or request.POST.get("order") or ""
    order = learner.medication_orders.filter(pk=order_id).first() if order_id.isdigit() else None
    try:
        slot = parse_slot(request.GET.get("slot") or request.POST.get("slot") or "", zone)
    except ValidationError as error:
        record("mar.view", learner=learner, detail={"form": "record", "error": "slot"})
        return render(
            request,
            "health/record.html",
            {"learner": learner, "order": order, "slot_error": error.messages[0]},
            status=400,
        )
    if order is None:
        record("mar.view", learner=learner, detail={"form": "record"})
        return render(
            request,
            "health/record.html",
            {
                "learner": learner,
                "orders": learner.medication_orders.active(timezone.now().astimezone(zone).date()),
            },
        )
    policy = MedicationPolicy.for_organization(learner.organization)
    form = DoseForm(request.POST or None, order=order, slot=slot)
    if request.method == "POST" and form.is_valid():
        try:
            dose = actions.record_dose(by=request.user, order=order, data=form.dose_data())
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        except ValidationError as error:
            add_errors(form, error, {"at": "time"})
        else:
            note = " (outside the window: flagged)" if dose.outside_window else ""
            messages.success(request, f"{order.drug}: {dose.get_status_display().lower()}{note}.")
            return redirect("health:mar", learner.pk)
    elif request.method != "POST":
        record("mar.view", learner=learner, obj=order, detail={"form": "record"})
    return render(
        request,
        "health/record.html",
        {
            "learner": learner,
            "order": order,
            "slot": slot,
            "form": form,
            "needs_witness": policy.needs_witness(order),
            "may_administer": actions.may_administer(request.user, learner),
        },
    )


@login_required
def correct(request, dose_id):
    dose = get_dose_or_404(request, dose_id, audit_action=None)
    zone = _zone(dose.learner)
    form = CorrectionForm(
        request.POST or None,
        order=dose.order,
        slot=dose.scheduled_for,
        initial={
            "status": dose.status,
            "time": dose.at.astimezone(zone).strftime("%H:%M"),
            "reason": dose.reason,
            "witness": dose.witness_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.dose_data() if form.cleaned_data.get("replace") else None
        if data is not None:
            data["at"] = datetime.combine(
                dose.at.astimezone(zone).date(), form.cleaned_data["time"], tzinfo=zone
            )
        try:
            actions.correct_dose(
                by=request.user, dose=dose, reason=form.cleaned_data["error_reason"], data=data
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        except ValidationError as error:
            add_errors(form, error, {"at": "time"})
        else:
            messages.success(
                request, "Entry marked entered in error; the original stays on the record."
            )
            return redirect("health:mar", dose.learner_id)
    elif request.method != "POST":
        record("mar.view", learner=dose.learner, obj=dose, detail={"form": "correct"})
    return render(
        request,
        "health/correct.html",
        {"dose": dose, "learner": dose.learner, "form": form, "button": "Mark entered in error"},
    )


@login_required
def effect(request, dose_id):
    dose = get_dose_or_404(request, dose_id, audit_action=None)
    zone = _zone(dose.learner)
    form = EffectForm(
        request.POST or None, initial={"time": timezone.now().astimezone(zone).strftime("%H:%M")}
    )
    if request.method == "POST" and form.is_valid():
        at = datetime.combine(
            dose.at.astimezone(zone).date(), form.cleaned_data["time"], tzinfo=zone
        )
        try:
            actions.record_prn_effect(
                by=request.user, dose=dose, effect=form.cleaned_data["effect"], at=at
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        except ValidationError as error:
            add_errors(form, error, {"at": "time"})
        else:
            messages.success(request, "Effect charted.")
            return redirect("health:mar", dose.learner_id)
    elif request.method != "POST":
        record("mar.view", learner=dose.learner, obj=dose, detail={"form": "effect"})
    return render(
        request, "health/effect.html", {"dose": dose, "learner": dose.learner, "form": form}
    )


@login_required
def count(request, order_id):
    order = get_order_or_404(request, order_id, audit_action=None)
    _zone(order.learner)
    form = CountForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.count_controlled(
                by=request.user,
                order=order,
                reason=data["reason"],
                change=data.get("change") or 0,
                counted=data.get("counted"),
                witness=data.get("witness"),
                witness_name=data.get("witness_name", ""),
                witness_password=data.get("witness_password", ""),
                note=data.get("note", ""),
            )
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
        except ValidationError as error:
            add_errors(form, error, {"at": "time"})
        else:
            messages.success(request, "Count recorded.")
            return redirect("health:count", order.pk)
    elif request.method != "POST":
        record("medication.view", learner=order.learner, obj=order, detail={"form": "count"})
    return render(
        request,
        "health/count.html",
        {
            "order": order,
            "learner": order.learner,
            "entries": order.counts.select_related("by", "witness"),
            "form": form,
            "button": "Record",
        },
    )


@login_required
def report_error(request, learner_id):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action=None)
    _zone(learner)
    form = ErrorForm(request.POST or None, learner=learner)
    if request.method == "POST" and form.is_valid():
        try:
            error = actions.report_medication_error(
                by=request.user, learner=learner, data=form.error_data()
            )
        except ValidationError as problem:
            add_errors(form, problem, {"occurred_at": "time"})
        else:
            messages.success(
                request,
                "Reported. The nurse and supervisor were notified; the incident report is open.",
            )
            return redirect("incidents:detail", error.incident.pk)
    elif request.method != "POST":
        record("medication.view", learner=learner, detail={"form": "error"})
    return render(
        request, "health/error.html", {"learner": learner, "form": form, "button": "Report"}
    )
