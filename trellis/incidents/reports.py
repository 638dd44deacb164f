"""Incident reports: counts and minutes by type, learner, staff, location, time of day and month;
the restraint and seclusion summary in the shape of the Civil Rights Data Collection; and the
repeated-restraint alerts. Each takes a queryset already scoped to what the user may see."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta

from trellis.incidents.models import (
    Incident,
    IncidentPolicy,
    LearnerServiceStatus,
    RestraintEpisode,
)

TIMES_OF_DAY = [
    (0, 8, "before 8:00"),
    (8, 10, "8:00–10:00"),
    (10, 12, "10:00–12:00"),
    (12, 14, "12:00–14:00"),
    (14, 16, "14:00–16:00"),
    (16, 24, "after 16:00"),
]


@dataclass
class Row:
    label: str
    count: int = 0
    minutes: float = 0.0
    restraint_minutes: float = 0.0


def _time_of_day(hour):
    return next(label for low, high, label in TIMES_OF_DAY if low <= hour < high)


def breakdowns(incidents, zone):
    """{"type": [Row...], "learner": [...], ...}: incident counts and minutes (from start to end)
    and restraint/seclusion minutes (the sum of the episodes)."""
    rows = list(
        incidents.values(
            "pk",
            "kind",
            "learner_id",
            "learner__first_name",
            "learner__preferred_name",
            "learner__last_name",
            "location",
            "started_at",
            "ended_at",
        )
    )
    restraint = Counter()
    for incident_id, ms in RestraintEpisode.objects.filter(incident__in=incidents).values_list(
        "incident_id", "duration_ms"
    ):
        restraint[incident_id] += ms / 60000
    staff = defaultdict(list)
    through = Incident.staff_involved.through.objects.filter(
        incident_id__in=[r["pk"] for r in rows]
    )
    for incident_id, first, last in through.values_list(
        "incident_id", "staffmember__user__first_name", "staffmember__user__last_name"
    ):
        staff[incident_id].append(f"{first} {last}".strip())
    kinds = dict(Incident.Kind.choices)
    tables = {name: {} for name in ("type", "learner", "staff", "location", "time of day", "month")}

    def add(table, key, row, sort_key=None):
        entry = tables[table].setdefault(
            key, (sort_key if sort_key is not None else key, Row(key))
        )[1]
        entry.count += 1
        entry.minutes += (row["ended_at"] - row["started_at"]).total_seconds() / 60
        entry.restraint_minutes += restraint.get(row["pk"], 0)

    for row in rows:
        local = row["started_at"].astimezone(zone)
        add("type", kinds[row["kind"]], row)
        first = row["learner__preferred_name"] or row["learner__first_name"]
        name = f"{row['learner__last_name']}, {first}"
        add("learner", name, row)
        for person in staff[row["pk"]] or ["(none named)"]:
            add("staff", person, row)
        add("location", row["location"].strip().capitalize() or "(none)", row)
        add(
            "time of day",
            _time_of_day(local.hour),
            row,
            sort_key=local.hour // 2 if local.hour >= 8 else -1,
        )
        add("month", local.strftime("%Y-%m"), row)
    result = {}
    for name, entries in tables.items():
        ordered = (
            sorted(entries.values(), key=lambda item: item[0])
            if name in ("time of day", "month")
            else sorted(entries.values(), key=lambda item: (-item[1].count, item[1].label))
        )
        result[name] = [row for _, row in ordered]
        for row in result[name]:
            row.minutes = round(row.minutes)
            row.restraint_minutes = round(row.restraint_minutes, 1)
    return result


def crdc_summary(incidents):
    """CRDC's restraint and seclusion table: for mechanical restraint, physical restraint and
    seclusion, the number of learners subjected (each counted once) and the number of instances,
    by disability status on the day: IDEA, Section 504 only, without disabilities."""
    statuses = [s for s, _ in LearnerServiceStatus.Status.choices]
    table = []
    episodes = RestraintEpisode.objects.filter(incident__in=incidents).values_list(
        "kind", "incident__learner_id", "incident__disability_status"
    )
    learners = defaultdict(set)
    instances = Counter()
    for kind, learner_id, status in episodes:
        learners[(kind, status)].add(learner_id)
        instances[(kind, status)] += 1
    for kind, label in [
        ("mechanical", "Mechanical restraint"),
        ("physical", "Physical restraint"),
        ("seclusion", "Seclusion"),
    ]:
        cells = [
            {"learners": len(learners[(kind, s)]), "instances": instances[(kind, s)]}
            for s in statuses
        ]
        table.append(
            {
                "label": label,
                "cells": cells,
                "learners": len(set().union(*(learners[(kind, s)] for s in statuses))),
                "instances": sum(c["instances"] for c in cells),
            }
        )
    return {"statuses": LearnerServiceStatus.Status.choices, "rows": table}


@dataclass
class Alert:
    learner: object
    count: int
    threshold: int
    window_end: object
    last_incident: Incident


def repeated_restraint_alerts(incidents):
    """Learners restrained or secluded more than their organization's N times within any 30 days
    of the period, with the worst window."""
    by_learner = defaultdict(list)
    for incident in (
        incidents.restrictive().select_related("learner__organization").order_by("started_at")
    ):
        by_learner[incident.learner].append(incident)
    alerts = []
    policies = {}
    for learner, items in by_learner.items():
        org = learner.organization
        if org.pk not in policies:
            policies[org.pk] = IncidentPolicy.for_organization(org)
        threshold = policies[org.pk].repeated_restraint_count
        best, best_end, low = 0, None, 0
        for high, incident in enumerate(items):
            while items[low].started_at <= incident.started_at - timedelta(days=30):
                low += 1
            if high - low + 1 > best:
                best, best_end = high - low + 1, incident
        if best > threshold:
            alerts.append(Alert(learner, best, threshold, best_end.started_at, best_end))
    return sorted(alerts, key=lambda a: -a.count)
